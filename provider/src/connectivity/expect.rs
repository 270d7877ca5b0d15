//! Expected versus observed: which results the mesh topology says should answer, and the
//! verdict on each. Hosts are placed in VPCs by `host_vpcs`; `expect` (typically
//! `peering_mesh.x.reachability`) lists which VPCs each VPC reaches. Peering is not
//! transitive, so a VPC reaches only what `expect` lists, plus itself.

use std::collections::{BTreeMap, BTreeSet};

use tfplugin::diag::{AttributePath, Diagnostics};
use tfplugin::value::Value;

use crate::probe::{PairResult, LOCAL_SOURCE};

/// How an observation compares with its expectation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Ok,
    UnexpectedlyUnreachable,
    UnexpectedlyReachable,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Ok => "ok",
            Verdict::UnexpectedlyUnreachable => "unexpectedly_unreachable",
            Verdict::UnexpectedlyReachable => "unexpectedly_reachable",
        }
    }
}

/// The expectation on one result and the verdict; both `None` when nothing is expected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Judgement {
    pub expected: Option<bool>,
    pub verdict: Option<Verdict>,
}

/// `host_vpcs` and `expect` as given; `reach` is `None` when `expect` is not set.
#[derive(Debug, Clone, Default)]
pub struct Expectations {
    pub host_vpcs: BTreeMap<String, String>,
    reach: Option<BTreeMap<String, BTreeSet<String>>>,
}

impl Expectations {
    pub fn new(
        host_vpcs: BTreeMap<String, String>,
        expect: Option<BTreeMap<String, Vec<String>>>,
    ) -> Self {
        let reach = expect.map(|m| {
            m.into_iter()
                .map(|(vpc, peers)| (vpc, peers.into_iter().collect()))
                .collect()
        });
        Expectations { host_vpcs, reach }
    }

    /// The VPC of a host; `None` for the `local` source and unplaced hosts.
    pub fn vpc_of(&self, host: &str) -> Option<&str> {
        (host != LOCAL_SOURCE)
            .then(|| self.host_vpcs.get(host))
            .flatten()
            .map(String::as_str)
    }

    /// Whether `to` should answer `from`: same VPC, or `to`'s VPC listed for `from`'s.
    pub fn expected(&self, from: &str, to: &str) -> Option<bool> {
        let reach = self.reach.as_ref()?;
        let (a, b) = (self.vpc_of(from)?, self.vpc_of(to)?);
        Some(a == b || reach.get(a).is_some_and(|peers| peers.contains(b)))
    }

    /// Why `to` is not expected to answer `from` (for a result that is unreachable as
    /// expected): the VPCs are not peered, and when both peer with a third VPC, that
    /// peering is not transitive. `None` when `to` is expected or nothing is known.
    pub fn why_not_expected(&self, from: &str, to: &str) -> Option<String> {
        if self.expected(from, to)? {
            return None;
        }
        let (a, b) = (self.vpc_of(from)?, self.vpc_of(to)?);
        let reach = self.reach.as_ref()?;
        let peers = |vpc: &str| reach.get(vpc).cloned().unwrap_or_default();
        let (of_a, of_b) = (peers(a), peers(b));
        let via: Vec<&str> = of_a.intersection(&of_b).map(String::as_str).collect();
        let head = format!("unreachable as expected: VPC {a} is not expected to reach VPC {b}");
        Some(match via.as_slice() {
            [] => format!("{head} (they are not peered)"),
            [hub] => format!("{head}: both peer with {hub}, but peering is not transitive, so traffic does not pass through {hub}"),
            hubs => format!("{head}: both peer with {}, but peering is not transitive, so traffic does not pass through them", hubs.join(", ")),
        })
    }

    pub fn judge(&self, result: &PairResult) -> Judgement {
        let Some(expected) = self.expected(&result.from, &result.to) else {
            return Judgement::default();
        };
        let verdict = match (expected, result.reachable) {
            (true, false) => Verdict::UnexpectedlyUnreachable,
            (false, true) => Verdict::UnexpectedlyReachable,
            _ => Verdict::Ok,
        };
        Judgement {
            expected: Some(expected),
            verdict: Some(verdict),
        }
    }
}

/// True when every result with an expectation has verdict `ok`.
pub fn all_as_expected(judgements: &[Judgement]) -> bool {
    judgements
        .iter()
        .all(|j| j.verdict.is_none_or(|v| v == Verdict::Ok))
}

/// Checks `host_vpcs` against `hosts` and `expect`, and that `expect` comes with
/// `host_vpcs`. Unknown values pass; they are checked again once known.
pub fn check_expectations(config: &Value, diags: &mut Diagnostics) {
    let (hosts, host_vpcs, expect) = (
        config.get("hosts"),
        config.get("host_vpcs"),
        config.get("expect"),
    );
    if host_vpcs.is_null() && !expect.is_null() {
        diags.error_at(
            AttributePath::root("expect"),
            "expect needs host_vpcs",
            "expect lists which VPCs reach which, but without host_vpcs no host is in a VPC, so nothing can be compared. Add host_vpcs = { HOST = \"VPC\" } or remove expect.",
        );
    }
    let Some(placed) = host_vpcs.as_map() else {
        return;
    };
    for (host, vpc) in placed {
        let path = AttributePath::root("host_vpcs").key(host.clone());
        check_host_known(host, hosts, path.clone(), diags);
        check_vpc_known(host, vpc, expect, path, diags);
    }
}

fn check_host_known(host: &str, hosts: &Value, path: AttributePath, diags: &mut Diagnostics) {
    let Some(hosts) = hosts.as_map() else {
        return;
    };
    if !hosts.contains_key(host) {
        diags.error_at(
            path,
            "Unknown host in host_vpcs",
            format!(
                "host_vpcs places host {host:?}, which is not a key of hosts (hosts: {}). Add it to hosts or remove it from host_vpcs.",
                names(hosts.keys())
            ),
        );
    }
}

fn check_vpc_known(
    host: &str,
    vpc: &Value,
    expect: &Value,
    path: AttributePath,
    diags: &mut Diagnostics,
) {
    if vpc.is_null() {
        diags.error_at(
            path,
            "Missing VPC name",
            format!("host_vpcs[{host:?}] is null; give the name of the mesh VPC the host is in."),
        );
        return;
    }
    let (Some(vpc), Some(vpcs)) = (crate::checks::known_str(vpc), expect.as_map()) else {
        return;
    };
    if !vpcs.contains_key(vpc) {
        diags.error_at(
            path,
            "Unknown VPC in host_vpcs",
            format!(
                "host_vpcs[{host:?}] is {vpc:?}, which is not a VPC of expect (VPCs: {}). Use one of those names, as in peering_mesh.vpcs.",
                names(vpcs.keys())
            ),
        );
    }
}

fn names<'a>(keys: impl Iterator<Item = &'a String>) -> String {
    let quoted: Vec<String> = keys.map(|k| format!("{k:?}")).collect();
    if quoted.is_empty() {
        "none".to_string()
    } else {
        quoted.join(", ")
    }
}
