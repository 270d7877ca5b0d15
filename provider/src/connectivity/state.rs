//! The data source's configuration and state as plain Rust types, and how the state is
//! built from the probe results: verdicts, causes, diagnosis, report and chart.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::diagnosis::{self, Probe, Snapshot};
use super::expect::{all_as_expected, Expectations, Judgement};
use super::mermaid::{self, Edge};
use super::transport::{SshSettings, LOCAL};
use super::{DEFAULT_ECHO_COUNT, DEFAULT_TIMEOUT_MS};
use crate::probe::{render_grid, render_report, PairResult};

#[derive(Deserialize)]
pub(super) struct Config {
    pub hosts: BTreeMap<String, String>,
    pub echo_count: Option<i64>,
    pub timeout_ms: Option<i64>,
    pub transport: Option<String>,
    pub ssh: Option<SshSettings>,
    pub sources: Option<Vec<String>>,
    pub host_vpcs: Option<BTreeMap<String, String>>,
    pub expect: Option<BTreeMap<String, Vec<String>>>,
    pub mesh_id: Option<String>,
}

impl Config {
    pub fn echo_count(&self) -> i64 {
        self.echo_count.unwrap_or(DEFAULT_ECHO_COUNT)
    }

    pub fn timeout_ms(&self) -> i64 {
        self.timeout_ms.unwrap_or(DEFAULT_TIMEOUT_MS)
    }

    pub fn transport(&self) -> &str {
        self.transport.as_deref().unwrap_or(LOCAL)
    }
}

/// What a probe run produced: one row per pair (sorted by `from`, then `to`), and for
/// each row why it could not be probed, when it could not.
pub(super) struct Probed {
    pub results: Vec<PairResult>,
    pub not_probed: Vec<Option<String>>,
    /// The sources actually used, for the computed `sources`.
    pub sources: Vec<String>,
}

#[derive(Serialize)]
pub(super) struct State {
    hosts: BTreeMap<String, String>,
    echo_count: i64,
    timeout_ms: i64,
    transport: String,
    ssh: Option<SshSettings>,
    sources: Vec<String>,
    host_vpcs: Option<BTreeMap<String, String>>,
    expect: Option<BTreeMap<String, Vec<String>>>,
    mesh_id: Option<String>,
    results: Vec<Row>,
    all_reachable: bool,
    unreachable: Vec<String>,
    report: String,
    all_as_expected: bool,
    diagnosis: Vec<String>,
    mermaid: String,
}

#[derive(Serialize)]
struct Row {
    from: String,
    to: String,
    address: String,
    sent: u32,
    received: u32,
    loss_percent: f64,
    rtt_min_ms: Option<f64>,
    rtt_avg_ms: Option<f64>,
    rtt_max_ms: Option<f64>,
    reachable: bool,
    expected: Option<bool>,
    verdict: Option<&'static str>,
    cause: Option<String>,
}

impl Row {
    fn new(r: &PairResult, judgement: &Judgement, cause: Option<String>) -> Self {
        Row {
            from: r.from.clone(),
            to: r.to.clone(),
            address: r.address.to_string(),
            sent: r.sent,
            received: r.received,
            loss_percent: r.loss_percent,
            rtt_min_ms: r.rtt_min_ms,
            rtt_avg_ms: r.rtt_avg_ms,
            rtt_max_ms: r.rtt_max_ms,
            reachable: r.reachable,
            expected: judgement.expected,
            verdict: judgement.verdict.map(|v| v.as_str()),
            cause,
        }
    }
}

/// The state for what was probed, explained with `snapshot` when there is one.
pub(super) fn build(cfg: Config, probed: Probed, snapshot: Option<&Snapshot>) -> State {
    let results = &probed.results;
    let expectations = Expectations::new(
        cfg.host_vpcs.clone().unwrap_or_default(),
        cfg.expect.clone(),
    );
    let judgements: Vec<Judgement> = results.iter().map(|r| expectations.judge(r)).collect();
    let probes: Vec<Probe> = results
        .iter()
        .zip(&judgements)
        .zip(&probed.not_probed)
        .map(|((r, j), not_probed)| Probe {
            probed: not_probed.is_none(),
            from: &r.from,
            to: &r.to,
            reachable: r.reachable,
            verdict: j.verdict,
        })
        .collect();
    let explanation = diagnosis::explain(&probes, &expectations, snapshot);
    let mermaid = chart(&cfg, &expectations, results, &probes);
    let rows = results
        .iter()
        .zip(&judgements)
        .zip(explanation.causes)
        .zip(probed.not_probed)
        .map(|(((r, j), cause), not_probed)| {
            let cause = match (cause, not_probed) {
                (Some(found), Some(ssh)) => Some(format!("{found}; not probed: {ssh}")),
                (None, Some(ssh)) => Some(format!("not probed: {ssh}")),
                (found, None) => found.or_else(|| as_expected(&expectations, r, j)),
            };
            Row::new(r, j, cause)
        })
        .collect();
    let unreachable: Vec<String> = results
        .iter()
        .filter(|r| !r.reachable)
        .map(|r| format!("{}->{}", r.from, r.to))
        .collect();
    State {
        echo_count: cfg.echo_count(),
        timeout_ms: cfg.timeout_ms(),
        transport: cfg.transport().to_string(),
        ssh: cfg.ssh,
        sources: probed.sources,
        hosts: cfg.hosts,
        host_vpcs: cfg.host_vpcs,
        expect: cfg.expect,
        mesh_id: cfg.mesh_id,
        results: rows,
        all_reachable: unreachable.is_empty(),
        unreachable,
        report: format!("{}\n{}", render_grid(results), render_report(results)),
        all_as_expected: all_as_expected(&judgements),
        diagnosis: explanation.diagnosis,
        mermaid,
    }
}

/// The cause of a result that is unreachable as expected.
fn as_expected(expectations: &Expectations, r: &PairResult, j: &Judgement) -> Option<String> {
    (j.expected == Some(false) && !r.reachable)
        .then(|| expectations.why_not_expected(&r.from, &r.to))
        .flatten()
}

fn chart(
    cfg: &Config,
    expectations: &Expectations,
    results: &[PairResult],
    probes: &[Probe],
) -> String {
    let hosts: BTreeSet<&str> = cfg.hosts.keys().map(String::as_str).collect();
    let edges: Vec<Edge> = results
        .iter()
        .zip(probes)
        .map(|(r, p)| Edge {
            from: &r.from,
            to: &r.to,
            rtt_avg_ms: r.rtt_avg_ms,
            reachable: r.reachable,
            failed: p.failure().is_some(),
        })
        .collect();
    mermaid::render(&hosts, &expectations.host_vpcs, &edges)
}
