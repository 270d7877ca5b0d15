//! What the results alone say about a failure, without EC2 facts: patterns across the
//! whole matrix (a host nobody reaches, a source that reaches nothing, a pair failing in
//! one or both directions). The sentences say "likely" and never name an EC2 object.

use std::collections::BTreeSet;

use super::{Failure, Probe};
use crate::connectivity::expect::Expectations;
use crate::probe::LOCAL_SOURCE;

/// The matrix, for questions across results.
/// Only probes that ran count: a pair whose source could not be reached says nothing about
/// the network.
pub struct Observed<'a> {
    probes: Vec<Probe<'a>>,
}

impl<'a> Observed<'a> {
    pub fn new(probes: &[Probe<'a>]) -> Self {
        let probes = probes.iter().filter(|p| p.probed).copied().collect();
        Observed { probes }
    }

    /// At least two other sources probed `host` and none got a reply.
    pub fn silent(&self, host: &str) -> bool {
        let to: Vec<&Probe> = self
            .probes
            .iter()
            .filter(|p| p.to == host && p.from != host)
            .collect();
        distinct(to.iter().map(|p| p.from)) >= 2 && to.iter().all(|p| !p.reachable)
    }

    /// `host` probed at least two other hosts and reached none.
    fn cut_off(&self, host: &str) -> Option<usize> {
        let from: Vec<&Probe> = self
            .probes
            .iter()
            .filter(|p| p.from == host && p.to != host)
            .collect();
        let targets = distinct(from.iter().map(|p| p.to));
        (targets >= 2 && from.iter().all(|p| !p.reachable)).then_some(targets)
    }

    fn answers_someone(&self, host: &str) -> bool {
        self.probes.iter().any(|p| p.to == host && p.reachable)
    }

    fn reaches(&self, from: &str, to: &str) -> Option<bool> {
        self.probes
            .iter()
            .find(|p| p.from == from && p.to == to)
            .map(|p| p.reachable)
    }

    /// The cause of a failing `probe` as far as the results show; `None` when they do not
    /// narrow it down.
    pub fn cause(&self, probe: &Probe, expectations: &Expectations) -> Option<String> {
        if !probe.probed {
            return None;
        }
        match probe.failure()? {
            Failure::UnexpectedlyReachable => unexpected(probe, expectations),
            Failure::Unreachable => self.unreachable(probe, expectations),
        }
    }

    fn unreachable(&self, probe: &Probe, expectations: &Expectations) -> Option<String> {
        let (from, to) = (probe.from, probe.to);
        if self.silent(to) {
            return Some(format!(
                "{to} is unreachable from every source: the host is likely down or drops ICMP"
            ));
        }
        if let Some(n) = self.cut_off(from) {
            return Some(cut_off(from, n));
        }
        if from == LOCAL_SOURCE || !self.answers_someone(to) || !self.answers_someone(from) {
            return None;
        }
        match self.reaches(to, from)? {
            false => Some(both_ways(from, to, expectations)),
            true => Some(format!(
                "{from} cannot reach {to} although {to} reaches {from}: security groups are stateful, so the ingress rules of {to} likely do not allow ICMP from {from}"
            )),
        }
    }
}

fn distinct<'a>(names: impl Iterator<Item = &'a str>) -> usize {
    names.collect::<BTreeSet<_>>().len()
}

fn cut_off(from: &str, targets: usize) -> String {
    if from == LOCAL_SOURCE {
        format!("the machine running Terraform reached none of the {targets} hosts: it likely has no route to them")
    } else {
        format!("{from} reached none of its {targets} targets: the source host is likely cut off")
    }
}

fn both_ways(from: &str, to: &str, expectations: &Expectations) -> String {
    let head = format!("{from} and {to} cannot reach each other while both answer other hosts");
    match (expectations.vpc_of(from), expectations.vpc_of(to)) {
        (Some(a), Some(b)) if a == b => {
            format!("{head}: in one VPC ({a}), a security group or host firewall likely drops ICMP")
        }
        (Some(a), Some(b)) => format!(
            "{head}: the path between VPC {a} and VPC {b} (peering or routes) is likely broken"
        ),
        _ => format!("{head}: the path between them is likely broken"),
    }
}

fn unexpected(probe: &Probe, expectations: &Expectations) -> Option<String> {
    let a = expectations.vpc_of(probe.from)?;
    let b = expectations.vpc_of(probe.to)?;
    Some(format!(
        "reached although VPC {a} is not expected to reach VPC {b}: peering is not transitive, so a path outside the expected mesh carries the traffic"
    ))
}
