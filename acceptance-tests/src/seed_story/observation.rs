//! What one read of `data.peering_connectivity.seed` says, from the
//! example's outputs (`terraform output -json`).

use std::collections::BTreeSet;

use serde::Deserialize;

use crate::CmdOutput;

/// One entry of the data source's `results`.
#[derive(Debug, Clone, Deserialize)]
pub struct ProbeResult {
    pub from: String,
    pub to: String,
    pub address: String,
    pub sent: f64,
    pub received: f64,
    pub rtt_avg_ms: Option<f64>,
    pub reachable: bool,
    pub expected: Option<bool>,
    pub verdict: Option<String>,
    pub cause: Option<String>,
}

impl ProbeResult {
    /// Between two different hosts (the provider may also probe a host
    /// from itself).
    pub fn between_hosts(&self) -> bool {
        self.from != self.to
    }

    pub fn pair(&self) -> (String, String) {
        (self.from.clone(), self.to.clone())
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct Observation {
    pub results: Vec<ProbeResult>,
    pub all_as_expected: bool,
    pub diagnosis: Vec<String>,
    pub report: String,
    pub mermaid: String,
    /// What the refresh that read the data source printed (stdout and
    /// stderr), e.g. the warning of checks.tf.
    #[serde(skip)]
    pub refresh_log: String,
}

impl Observation {
    /// Parses `terraform output -json`; panics with the output when it does
    /// not have the example's outputs.
    #[track_caller]
    pub fn parse(output: &CmdOutput) -> Observation {
        crate::mesh_fixture::parse_outputs(output)
    }

    /// Results between two different hosts.
    pub fn pairs(&self) -> impl Iterator<Item = &ProbeResult> {
        self.results.iter().filter(|r| r.between_hosts())
    }

    /// (from, to) of every result between different hosts that got no reply.
    pub fn unreachable_pairs(&self) -> BTreeSet<(String, String)> {
        self.pairs()
            .filter(|r| !r.reachable)
            .map(ProbeResult::pair)
            .collect()
    }

    /// (from, to) of every result between different hosts that got a reply.
    pub fn reachable_pairs(&self) -> BTreeSet<(String, String)> {
        self.pairs()
            .filter(|r| r.reachable)
            .map(ProbeResult::pair)
            .collect()
    }

    /// The result from `from` to `to`; panics unless there is exactly one.
    #[track_caller]
    pub fn result(&self, from: &str, to: &str) -> &ProbeResult {
        let found: Vec<&ProbeResult> = self
            .results
            .iter()
            .filter(|r| r.from == from && r.to == to)
            .collect();
        assert_eq!(
            found.len(),
            1,
            "one result {from}->{to}: {:#?}",
            self.results
        );
        found[0]
    }

    /// The diagnosis as numbered lines, or a line saying it is empty.
    pub fn diagnosis_text(&self) -> String {
        if self.diagnosis.is_empty() {
            return "  (empty: nothing is broken)\n".into();
        }
        self.diagnosis
            .iter()
            .enumerate()
            .map(|(i, sentence)| format!("  {}. {sentence}\n", i + 1))
            .collect()
    }
}
