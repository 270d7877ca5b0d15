//! What the proxy saw and did, for assertions and for test output.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::faults::FaultKind;

/// Requests of one action (`CreateVpc`, or an STS action such as `GetCallerIdentity`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ActionCounts {
    pub received: u64,
    /// Sent on to moto (a lost response was forwarded too).
    pub forwarded: u64,
    /// Answered with an error or a lost response by the proxy.
    pub faulted: u64,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FaultCounts {
    /// Faults injected, per kind. Latency counts delayed requests;
    /// PeeringStates counts refused Accepts and rewritten peering states;
    /// FreshIdNotFound counts NotFound answers and hidden Describe items.
    pub injected: BTreeMap<FaultKind, u64>,
    /// Items left out of filtered Describe responses (part of FreshIdNotFound).
    pub hidden_items: u64,
    pub actions: BTreeMap<String, ActionCounts>,
}

impl FaultCounts {
    pub fn injected(&self, kind: FaultKind) -> u64 {
        self.injected.get(&kind).copied().unwrap_or(0)
    }
    pub fn action(&self, action: &str) -> ActionCounts {
        self.actions.get(action).copied().unwrap_or_default()
    }
    pub fn received(&self, action: &str) -> u64 {
        self.action(action).received
    }
    pub fn forwarded(&self, action: &str) -> u64 {
        self.action(action).forwarded
    }
    pub fn total_received(&self) -> u64 {
        self.actions.values().map(|a| a.received).sum()
    }
    pub fn total_forwarded(&self) -> u64 {
        self.actions.values().map(|a| a.forwarded).sum()
    }
    pub fn total_injected(&self) -> u64 {
        self.injected.values().sum()
    }

    pub(crate) fn inject(&mut self, kind: FaultKind) {
        *self.injected.entry(kind).or_default() += 1;
    }
    pub(crate) fn entry(&mut self, action: &str) -> &mut ActionCounts {
        self.actions.entry(action.to_string()).or_default()
    }

    /// A text table: faults per kind, then requests per action.
    pub fn summary(&self) -> String {
        let mut out = String::from("faults injected:\n");
        for kind in FaultKind::ALL {
            let _ = writeln!(out, "  {:<22}{:>7}", kind.name(), self.injected(kind));
        }
        let _ = writeln!(out, "  {:<22}{:>7}", "(hidden items)", self.hidden_items);
        let _ = writeln!(
            out,
            "{:<36}{:>9}{:>10}{:>8}",
            "action", "received", "forwarded", "faulted"
        );
        for (action, c) in &self.actions {
            let _ = writeln!(
                out,
                "  {action:<34}{:>9}{:>10}{:>8}",
                c.received, c.forwarded, c.faulted
            );
        }
        let _ = writeln!(
            out,
            "  {:<34}{:>9}{:>10}{:>8}",
            "total",
            self.total_received(),
            self.total_forwarded(),
            self.actions.values().map(|a| a.faulted).sum::<u64>()
        );
        out
    }
}
