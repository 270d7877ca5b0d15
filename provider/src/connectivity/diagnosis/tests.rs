//! Diagnosis cases on hand-built snapshots of the reference lab: four VPCs 10.1/16 ..
//! 10.4/16, one host per VPC named like its VPC, and a full mesh of active peerings,
//! routes and ICMP rules that each case breaks in one place. The lab, the matrix and the
//! helpers are shared with the tests of the EC2 facts (`ec2_facts/tests.rs`).

mod facts_cases;
mod ipv6_cases;
mod merge_cases;
mod observed_cases;
mod unknown_cases;

use std::collections::BTreeMap;
use std::time::Duration;

use super::fault::sorted;
use super::snapshot::*;
use super::{explain, Explanation, Probe};
use crate::connectivity::expect::Expectations;
use crate::probe::{PairResult, ProbeOutcome};

pub(crate) const LAB: [(&str, &str); 4] = [
    ("production", "10.1.2.249"),
    ("development", "10.2.1.29"),
    ("testing", "10.3.1.129"),
    ("shared", "10.4.1.22"),
];

/// VPC `n` (1-based) of the lab and its parts: vpc-n, subnet-n, rtb-n, sg-n, i-n.
fn lab() -> Snapshot {
    let mut s = Snapshot::default();
    for (i, (name, ip)) in LAB.iter().enumerate() {
        let n = i + 1;
        s.vpcs.push(Vpc {
            name: name.to_string(),
            id: format!("vpc-{n}"),
            cidr: format!("10.{n}.0.0/16").parse().unwrap(),
            ipv6_cidr: None,
        });
        s.subnets.push(Subnet {
            id: format!("subnet-{n}"),
            vpc_id: format!("vpc-{n}"),
            route_table_id: format!("rtb-{n}"),
        });
        s.hosts.push(Host {
            name: name.to_string(),
            instance_id: format!("i-{n}"),
            vpc_id: format!("vpc-{n}"),
            subnet_id: format!("subnet-{n}"),
            address: ip.parse().unwrap(),
            private_ip: ip.parse().unwrap(),
            ipv6: None,
            security_group_ids: vec![format!("sg-{n}")],
            state: InstanceState::Running,
        });
        let mut routes = vec![route(cidr(n), RouteTarget::Local)];
        routes.extend(peers(n).map(|m| route(cidr(m), RouteTarget::Peering(pcx(n, m)))));
        s.route_tables.push(RouteTable {
            id: format!("rtb-{n}"),
            key: Some(format!("rtb/{name}/private")),
            routes,
        });
        let ingress = (1..=4).map(|m| IngressRule {
            traffic: Traffic::Icmp { icmp_type: None },
            source: cidr(m),
        });
        s.security_groups.push(SecurityGroup {
            id: format!("sg-{n}"),
            key: Some(format!("sg/{name}")),
            ingress: ingress.collect(),
            opaque_rules: 0,
        });
        for m in peers(n).filter(|&m| m > n) {
            let pair = sorted(*name, LAB[m - 1].0);
            s.peerings.push(Peering {
                id: pcx(n, m),
                key: Some(format!("pcx/{}:{}", pair[0], pair[1])),
                vpc_ids: [format!("vpc-{n}"), format!("vpc-{m}")],
                status: PeeringStatus::Active,
            });
        }
    }
    s
}

fn peers(n: usize) -> impl Iterator<Item = usize> {
    (1..=4).filter(move |&m| m != n)
}

fn cidr(n: usize) -> ipnet::IpNet {
    format!("10.{n}.0.0/16").parse().unwrap()
}

/// `pcx-12` joins VPCs 1 and 2, whichever side asks.
fn pcx(a: usize, b: usize) -> String {
    format!("pcx-{}{}", a.min(b), a.max(b))
}

fn route(destination: ipnet::IpNet, target: RouteTarget) -> Route {
    Route {
        destination,
        target,
        blackhole: false,
    }
}

fn peering_mut<'a>(s: &'a mut Snapshot, id: &str) -> &'a mut Peering {
    s.peerings.iter_mut().find(|p| p.id == id).unwrap()
}

fn table_mut<'a>(s: &'a mut Snapshot, id: &str) -> &'a mut RouteTable {
    s.route_tables.iter_mut().find(|t| t.id == id).unwrap()
}

fn group_mut<'a>(s: &'a mut Snapshot, id: &str) -> &'a mut SecurityGroup {
    s.security_groups.iter_mut().find(|g| g.id == id).unwrap()
}

fn host_mut<'a>(s: &'a mut Snapshot, name: &str) -> &'a mut Host {
    s.hosts.iter_mut().find(|h| h.name == name).unwrap()
}

/// Full mesh: every lab VPC expects every other.
pub(crate) fn full_mesh() -> Expectations {
    let names: Vec<String> = LAB.iter().map(|(n, _)| n.to_string()).collect();
    let expect = names
        .iter()
        .map(|n| {
            (
                n.clone(),
                names.iter().filter(|m| *m != n).cloned().collect(),
            )
        })
        .collect();
    Expectations::new(host_vpcs(), Some(expect))
}

/// Hub and spoke around `shared`: spokes expect only the hub.
fn hub_and_spoke() -> Expectations {
    let expect = LAB
        .iter()
        .map(|(n, _)| {
            let peers: Vec<String> = match *n {
                "shared" => vec!["development".into(), "production".into(), "testing".into()],
                _ => vec!["shared".into()],
            };
            (n.to_string(), peers)
        })
        .collect();
    Expectations::new(host_vpcs(), Some(expect))
}

fn host_vpcs() -> BTreeMap<String, String> {
    LAB.iter()
        .map(|(n, _)| (n.to_string(), n.to_string()))
        .collect()
}

pub(crate) fn result(from: &str, to: &str, reachable: bool) -> PairResult {
    let count = u32::from(reachable) * 2;
    let outcome = ProbeOutcome {
        sent: 2,
        received: count,
        rtts: vec![Duration::from_millis(1); count as usize],
    };
    PairResult::from_outcome(from, to, "192.0.2.1".parse().unwrap(), &outcome)
}

/// Every lab host probing every other; the listed pairs get no reply.
pub(crate) fn matrix(failing: &[(&str, &str)]) -> Vec<PairResult> {
    let mut out = Vec::new();
    for (from, _) in LAB {
        for (to, _) in LAB.iter().filter(|(to, _)| *to != from) {
            let fails = failing.contains(&(from, *to));
            out.push(result(from, to, !fails));
        }
    }
    out
}

/// Judges `results` against `expectations` and explains them.
pub(crate) fn run(
    results: &[PairResult],
    expectations: &Expectations,
    snapshot: Option<&Snapshot>,
) -> Explanation {
    run_unprobed(results, expectations, snapshot, &[])
}

/// [`run`], where the probes from `unprobed` sources could not run (SSH failed).
pub(crate) fn run_unprobed(
    results: &[PairResult],
    expectations: &Expectations,
    snapshot: Option<&Snapshot>,
    unprobed: &[&str],
) -> Explanation {
    let probes: Vec<Probe> = results
        .iter()
        .map(|r| Probe {
            probed: !unprobed.contains(&r.from.as_str()),
            from: &r.from,
            to: &r.to,
            reachable: r.reachable,
            verdict: expectations.judge(r).verdict,
        })
        .collect();
    explain(&probes, expectations, snapshot)
}

/// The cause given to the result `from -> to`.
pub(crate) fn cause_of(
    results: &[PairResult],
    e: &Explanation,
    from: &str,
    to: &str,
) -> Option<String> {
    let i = results
        .iter()
        .position(|r| r.from == from && r.to == to)
        .expect("probed pair");
    e.causes[i].clone()
}

/// The causes of every result that got one, as `(from, to)`.
pub(crate) fn with_cause(results: &[PairResult], e: &Explanation) -> Vec<(String, String)> {
    results
        .iter()
        .zip(&e.causes)
        .filter(|(_, c)| c.is_some())
        .map(|(r, _)| (r.from.clone(), r.to.clone()))
        .collect()
}
