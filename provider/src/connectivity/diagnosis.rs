//! Why results failed: a pure diagnosis from the results, their verdicts and, when
//! available, a [`Snapshot`] of EC2 facts. Each failing result gets a `cause`; the
//! `diagnosis` lists every broken component once, however many results it breaks.
//!
//! A result fails when it contradicts its expectation, or, without one, when it got no
//! reply. Without a snapshot only patterns across the results are used, and no EC2
//! object is ever named.

mod facts;
mod fault;
mod names;
mod observed;
pub mod snapshot;

#[cfg(test)]
pub(crate) mod tests;

use std::collections::BTreeSet;

pub use fault::Fault;
pub use snapshot::Snapshot;

use super::expect::{Expectations, Verdict};
use observed::Observed;

/// One result as the diagnosis sees it.
#[derive(Debug, Clone, Copy)]
pub struct Probe<'a> {
    pub from: &'a str,
    pub to: &'a str,
    pub reachable: bool,
    pub verdict: Option<Verdict>,
    /// False when the probe could not run (its source was unreachable over SSH): then only
    /// the source's instance can explain it, and it tells nothing about the path.
    pub probed: bool,
}

/// How a result fails, if it does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    Unreachable,
    UnexpectedlyReachable,
}

impl Probe<'_> {
    pub fn failure(&self) -> Option<Failure> {
        match self.verdict {
            Some(Verdict::Ok) => None,
            Some(Verdict::UnexpectedlyReachable) => Some(Failure::UnexpectedlyReachable),
            Some(Verdict::UnexpectedlyUnreachable) => Some(Failure::Unreachable),
            None => (!self.reachable).then_some(Failure::Unreachable),
        }
    }
}

/// `causes[i]` belongs to `probes[i]`: `None` when it did not fail or nothing narrows the
/// cause down. `diagnosis` is empty without a snapshot.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Explanation {
    pub causes: Vec<Option<String>>,
    pub diagnosis: Vec<String>,
}

pub fn explain(
    probes: &[Probe],
    expectations: &Expectations,
    snapshot: Option<&Snapshot>,
) -> Explanation {
    let observed = Observed::new(probes);
    let faults: Vec<Vec<Fault>> = match snapshot {
        Some(s) => probes
            .iter()
            .map(|p| silenced(s, &observed, p, facts_for(s, p, expectations)))
            .collect(),
        None => vec![Vec::new(); probes.len()],
    };
    let causes = probes
        .iter()
        .zip(&faults)
        .map(|(p, f)| cause(p, f, &observed, expectations))
        .collect();
    Explanation {
        causes,
        diagnosis: unique(faults.iter().flatten()),
    }
}

fn facts_for(snapshot: &Snapshot, probe: &Probe, expectations: &Expectations) -> Vec<Fault> {
    if !probe.probed {
        return facts::not_probed(snapshot, probe.from, probe.to);
    }
    match probe.failure() {
        None => Vec::new(),
        Some(Failure::Unreachable) => facts::unreachable(snapshot, probe.from, probe.to),
        Some(Failure::UnexpectedlyReachable) => {
            let vpcs = expectations
                .vpc_of(probe.from)
                .zip(expectations.vpc_of(probe.to));
            vpcs.and_then(|(a, b)| facts::unexpected(snapshot, a, b))
                .into_iter()
                .collect()
        }
    }
}

/// A host nobody reaches is one fault, not one data-plane fault per pair: when the only
/// finding for a pair involving it is "control plane looks right", blame the host.
fn silenced(
    snapshot: &Snapshot,
    observed: &Observed,
    probe: &Probe,
    faults: Vec<Fault>,
) -> Vec<Fault> {
    if !matches!(faults.as_slice(), [Fault::DataPlane { .. }]) {
        return faults;
    }
    let silent = [probe.to, probe.from]
        .into_iter()
        .filter(|h| observed.silent(h))
        .find_map(|h| snapshot.host(h));
    match silent {
        Some(host) => vec![Fault::HostSilent {
            host: host.name.clone(),
            instance_id: host.instance_id.clone(),
        }],
        None => faults,
    }
}

fn cause(
    probe: &Probe,
    faults: &[Fault],
    observed: &Observed,
    expectations: &Expectations,
) -> Option<String> {
    probe.failure()?;
    let sentences = || join(faults);
    if faults.iter().any(|f| !f.is_no_facts()) || !probe.probed {
        return sentences();
    }
    observed.cause(probe, expectations).or_else(sentences)
}

fn join(faults: &[Fault]) -> Option<String> {
    let sentences: Vec<String> = faults.iter().map(Fault::to_string).collect();
    (!sentences.is_empty()).then(|| sentences.join("; "))
}

/// One sentence per broken component, in order of first appearance: each fault once,
/// and the faults of the same security groups (one per blocked pair) as one.
fn unique<'a>(faults: impl Iterator<Item = &'a Fault>) -> Vec<String> {
    let mut seen = BTreeSet::new();
    let mut merged: Vec<Fault> = Vec::new();
    for f in faults.filter(|f| seen.insert(*f)) {
        if !merged.iter_mut().any(|m| m.absorb(f)) {
            merged.push(f.clone());
        }
    }
    merged.iter().map(Fault::to_string).collect()
}
