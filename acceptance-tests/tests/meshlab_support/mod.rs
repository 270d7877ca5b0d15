//! Reachability sets for the mesh lab tests: expected pairs written as
//! "everything but", compared with what ping finds, differences spelled out.

use std::collections::BTreeSet;

use acceptance_tests::MeshLab;

pub type Pairs = BTreeSet<(String, String)>;

/// Every ordered pair of distinct hosts.
pub fn all_pairs(hosts: &[&str]) -> Pairs {
    let mut pairs = Pairs::new();
    for a in hosts {
        for b in hosts.iter().filter(|b| *b != a) {
            pairs.insert((a.to_string(), b.to_string()));
        }
    }
    pairs
}

/// `pairs` minus `cut`.
pub fn without(pairs: &Pairs, cut: &[(&str, &str)]) -> Pairs {
    let cut: Pairs = cut
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    pairs.difference(&cut).cloned().collect()
}

/// Pings every pair of hosts in `lab` and panics unless exactly `expected` answer.
#[track_caller]
pub fn assert_matrix(lab: &MeshLab, expected: &Pairs) {
    let observed = lab.ping_matrix();
    let missing: Vec<_> = expected.difference(&observed).collect();
    let unexpected: Vec<_> = observed.difference(expected).collect();
    assert!(
        missing.is_empty() && unexpected.is_empty(),
        "reachability differs from AWS semantics\n  expected but unreachable: {missing:?}\n  \
         reachable but not expected: {unexpected:?}\n{}",
        lab.status()
    );
}
