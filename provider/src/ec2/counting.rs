//! Requests sent, per EC2 action, for tests and benchmarks ("CreateVpcPeeringConnection: 6").

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, Mutex};

use super::Action;

/// A cheap, cloneable handle: clones share the same counts. Every HTTP request counts,
/// so retries and extra pages of a Describe call are included.
#[derive(Clone, Default)]
pub struct CallCounter {
    counts: Arc<Mutex<BTreeMap<Action, u64>>>,
}

impl CallCounter {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&self, action: Action) {
        *self.lock().entry(action).or_default() += 1;
    }

    pub fn get(&self, action: Action) -> u64 {
        self.lock().get(&action).copied().unwrap_or(0)
    }

    pub fn snapshot(&self) -> BTreeMap<Action, u64> {
        self.lock().clone()
    }

    pub fn total(&self) -> u64 {
        self.lock().values().sum()
    }

    /// All `Describe*` requests together: the cost of a refresh.
    pub fn describes(&self) -> u64 {
        self.lock()
            .iter()
            .filter(|(a, _)| a.is_describe())
            .map(|(_, n)| n)
            .sum()
    }

    /// The counts added since `before` (a [`CallCounter::snapshot`]), zero ones left out.
    pub fn since(&self, before: &BTreeMap<Action, u64>) -> BTreeMap<Action, u64> {
        self.snapshot()
            .into_iter()
            .map(|(a, n)| (a, n - before.get(&a).copied().unwrap_or(0)))
            .filter(|(_, n)| *n > 0)
            .collect()
    }

    pub fn reset(&self) {
        self.lock().clear();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<Action, u64>> {
        self.counts.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// One `Action: n` per line, in action order.
impl fmt::Display for CallCounter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (action, n) in self.snapshot() {
            writeln!(f, "{action}: {n}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for CallCounter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.snapshot()).finish()
    }
}

/// `CreateVpc=4,DescribeVpcs=2`: counts as one token, for log lines.
pub fn summary(counts: &BTreeMap<Action, u64>) -> String {
    let parts: Vec<String> = counts.iter().map(|(a, n)| format!("{a}={n}")).collect();
    parts.join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_shared_between_clones() {
        let counter = CallCounter::new();
        let handle = counter.clone();
        counter.add(Action::DescribeVpcs);
        counter.add(Action::DescribeSubnets);
        counter.add(Action::CreateVpcPeeringConnection);
        counter.add(Action::CreateVpcPeeringConnection);
        assert_eq!(handle.get(Action::CreateVpcPeeringConnection), 2);
        assert_eq!((handle.describes(), handle.total()), (2, 4));
        assert_eq!(
            handle.to_string(),
            "CreateVpcPeeringConnection: 2\nDescribeSubnets: 1\nDescribeVpcs: 1\n"
        );
        handle.reset();
        assert_eq!(counter.total(), 0);
    }
}
