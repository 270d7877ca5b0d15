//! Checking one failing result against EC2 facts, layer by layer as AWS forwards a packet:
//! instances, then the peering between the VPCs, then the route tables of both subnets
//! (the reply needs the way back), then the target's security groups (stateful, so only
//! the request's ingress matters). A broken instance or peering hides everything behind
//! it, so the check stops there; routes and security groups are independent and both
//! reported. Security groups with rules the snapshot cannot read decide nothing.
//!
//! A pair is checked in the family of the target's probed address: over IPv6 the routes
//! must lead the peer VPC's IPv6 block through the peering, and the groups must admit
//! ICMPv6 from the source's IPv6 address; IPv4 as ever.

use std::collections::BTreeSet;
use std::net::IpAddr;

use ipnet::IpNet;

use super::fault::{sorted, Fault, ObjectRef, RouteProblem, Sources, Unknown, VpcRef};
use super::snapshot::{
    Host, InstanceState, PeeringStatus, Route, RouteTable, RouteTarget, Snapshot, Vpc,
};
use crate::probe::LOCAL_SOURCE;

/// One end of a probed pair, resolved in the snapshot, with its address and its VPC's
/// block in the pair's family.
struct End<'a> {
    host: &'a Host,
    vpc: &'a Vpc,
    table: &'a RouteTable,
    address: IpAddr,
    block: IpNet,
}

/// Why `to` does not answer `from`, as far as the facts tell. Empty when nothing can be
/// said (the `local` source reaching a running target).
pub fn unreachable(snapshot: &Snapshot, from: &str, to: &str) -> Vec<Fault> {
    let Some(target) = snapshot.host(to) else {
        return no_facts(to, Unknown::Instance);
    };
    if let Some(fault) = not_running(target) {
        return vec![fault];
    }
    if from == LOCAL_SOURCE {
        return Vec::new();
    }
    let Some(source) = snapshot.host(from) else {
        return no_facts(from, Unknown::Instance);
    };
    if let Some(fault) = not_running(source) {
        return vec![fault];
    }
    let family = target.address;
    match (
        resolve(snapshot, source, family),
        resolve(snapshot, target, family),
    ) {
        (Ok(Ok(a)), Ok(Ok(b))) => path(snapshot, &a, &b),
        (Err(why), _) => no_facts(from, why),
        (_, Err(why)) => no_facts(to, why),
        (Ok(Err(fault)), _) | (_, Ok(Err(fault))) => vec![fault],
    }
}

/// All the facts can say about a pair that could not be probed (its source unreachable
/// over SSH, or its ping unable to send): the source's instance is not running, or, for
/// an IPv6 target, it has no IPv6 address to send from (ping then fails at once).
pub fn not_probed(snapshot: &Snapshot, from: &str, to: &str) -> Vec<Fault> {
    let Some(source) = snapshot.host(from) else {
        return Vec::new();
    };
    if let Some(fault) = not_running(source) {
        return vec![fault];
    }
    let ipv6_target = snapshot.host(to).is_some_and(|t| t.address.is_ipv6());
    if ipv6_target && source.ipv6.is_none() {
        return vec![Fault::NoIpv6Address {
            host: source.name.clone(),
            instance_id: source.instance_id.clone(),
        }];
    }
    Vec::new()
}

/// What joins two VPCs that `expect` says should not reach each other; `None` when the
/// snapshot does not know both VPCs.
pub fn unexpected(snapshot: &Snapshot, from_vpc: &str, to_vpc: &str) -> Option<Fault> {
    let find = |name: &str| snapshot.vpcs.iter().find(|v| v.name == name);
    let (a, b) = (find(from_vpc)?, find(to_vpc)?);
    let peering = snapshot
        .peering_between(&a.id, &b.id)
        .filter(|p| p.status == PeeringStatus::Active)
        .map(|p| p.id.clone());
    Some(Fault::UnexpectedPath {
        vpcs: sorted(a.name.clone(), b.name.clone()),
        peering,
    })
}

fn no_facts(host: &str, missing: Unknown) -> Vec<Fault> {
    vec![Fault::NoFacts {
        host: host.to_string(),
        missing,
    }]
}

fn not_running(host: &Host) -> Option<Fault> {
    (host.state != InstanceState::Running).then(|| Fault::NotRunning {
        host: host.name.clone(),
        instance_id: host.instance_id.clone(),
        state: host.state,
    })
}

/// `host` as one end of a pair probed in the family of `family`: what the snapshot lacks
/// to check it (`Err`), or the end, or the fault that it has no IPv6 address or block.
fn resolve<'a>(
    snapshot: &'a Snapshot,
    host: &'a Host,
    family: IpAddr,
) -> Result<Result<End<'a>, Fault>, Unknown> {
    let vpc = snapshot.vpc(&host.vpc_id).ok_or_else(|| Unknown::Vpc {
        vpc_id: host.vpc_id.clone(),
    })?;
    let table = snapshot
        .route_table_of(host)
        .ok_or_else(|| Unknown::RouteTable {
            subnet_id: host.subnet_id.clone(),
        })?;
    let Some(address) = host.address_towards(family) else {
        return Ok(Err(Fault::NoIpv6Address {
            host: host.name.clone(),
            instance_id: host.instance_id.clone(),
        }));
    };
    let Some(block) = vpc.block_for(family) else {
        return Ok(Err(Fault::NoIpv6Block {
            vpc: VpcRef {
                name: vpc.name.clone(),
                id: vpc.id.clone(),
            },
        }));
    };
    Ok(Ok(End {
        host,
        vpc,
        table,
        address,
        block,
    }))
}

fn path(snapshot: &Snapshot, source: &End, target: &End) -> Vec<Fault> {
    let mut faults = Vec::new();
    if source.vpc.id != target.vpc.id {
        let peering = match active_peering(snapshot, source, target) {
            Ok(id) => id,
            Err(fault) => return vec![*fault],
        };
        faults.extend(route(snapshot, source.table, target, source.vpc, peering));
        faults.extend(route(snapshot, target.table, source, target.vpc, peering));
    }
    match icmp(snapshot, source, target) {
        Echo::Admitted => {}
        Echo::Blocked(fault) => faults.push(fault),
        Echo::Unknown(why) if faults.is_empty() => return no_facts(&target.host.name, why),
        Echo::Unknown(_) => {}
    }
    if faults.is_empty() {
        faults.push(Fault::DataPlane {
            hosts: sorted(source.host.name.clone(), target.host.name.clone()),
        });
    }
    faults
}

/// The id of the active peering between the VPCs of `x` and `y`, or the fault that there
/// is none.
fn active_peering<'a>(snapshot: &'a Snapshot, x: &End, y: &End) -> Result<&'a str, Box<Fault>> {
    let vpc_ref = |v: &Vpc| VpcRef {
        name: v.name.clone(),
        id: v.id.clone(),
    };
    let (a, b) = (x.vpc, y.vpc);
    match snapshot.peering_between(&a.id, &b.id) {
        None => Err(Box::new(Fault::NoPeering {
            vpcs: sorted(vpc_ref(a), vpc_ref(b)),
            dead: dead_peerings(snapshot, x, y),
        })),
        Some(p) if p.status != PeeringStatus::Active => Err(Box::new(Fault::PeeringInactive {
            peering: ObjectRef::peering(snapshot, &p.id),
            status: p.status,
            vpcs: sorted(a.name.clone(), b.name.clone()),
        })),
        Some(p) => Ok(&p.id),
    }
}

/// Whether `table` (in VPC `own`) sends traffic for `peer`'s address (in the pair's
/// family) over `peering`.
fn route(
    snapshot: &Snapshot,
    table: &RouteTable,
    peer: &End,
    own: &Vpc,
    peering: &str,
) -> Option<Fault> {
    let fault = |problem: RouteProblem| Fault::Routes {
        table: ObjectRef::route_table(table),
        problems: vec![problem],
    };
    let vpc = peer.vpc.name.clone();
    let missing = || {
        fault(RouteProblem::Missing {
            destination: peer.block,
            vpc: vpc.clone(),
            peering: ObjectRef::peering(snapshot, peering),
        })
    };
    let Some(route) = table.route_for(peer.address) else {
        return Some(missing());
    };
    let RouteTarget::Peering(id) = &route.target else {
        return Some(missing());
    };
    let found = snapshot.peering(id);
    let status = found.map(|p| p.status);
    if status != Some(PeeringStatus::Active) || route.blackhole {
        return Some(fault(RouteProblem::Dead {
            destination: route.destination,
            vpc,
            peering: ObjectRef::peering(snapshot, id),
            status,
        }));
    }
    let leads_to_peer = found.is_some_and(|p| p.connects(&own.id, &peer.vpc.id));
    (!leads_to_peer).then(|| {
        fault(RouteProblem::Wrong {
            destination: route.destination,
            vpc: vpc.clone(),
            peering: ObjectRef::peering(snapshot, id),
        })
    })
}

/// The peerings unknown to the snapshot that the two route tables send each other's
/// address to: what is left of a peering deleted out of band (AWS keeps such routes as
/// `blackhole`). Sorted, so both directions name the same ones.
fn dead_peerings(snapshot: &Snapshot, x: &End, y: &End) -> Vec<String> {
    let via = |table: &RouteTable, peer: &End| match table.route_for(peer.address) {
        Some(Route {
            target: RouteTarget::Peering(id),
            ..
        }) if snapshot.peering(id).is_none() => Some(id.clone()),
        _ => None,
    };
    let ids: BTreeSet<String> = [via(x.table, y), via(y.table, x)]
        .into_iter()
        .flatten()
        .collect();
    ids.into_iter().collect()
}

/// What the target's security groups say about an echo request from the source (ICMP or
/// ICMPv6, by the pair's family).
enum Echo {
    Admitted,
    Blocked(Fault),
    /// No group was read for the instance, a group is not in the snapshot, or one has
    /// rules it cannot model.
    Unknown(Unknown),
}

fn icmp(snapshot: &Snapshot, source: &End, target: &End) -> Echo {
    let from = source.address;
    let instance_id = target.host.instance_id.clone();
    // EC2 gives every instance at least one group (its VPC's default when none is named):
    // an empty list is a fact not read, never a group that blocks.
    if target.host.security_group_ids.is_empty() {
        return Echo::Unknown(Unknown::NoGroups { instance_id });
    }
    let (mut unread, mut opaque) = (Vec::new(), Vec::new());
    for id in &target.host.security_group_ids {
        let Some(group) = snapshot.security_group(id) else {
            unread.push(id.clone());
            continue;
        };
        if group.ingress.iter().any(|r| r.admits_echo_from(from)) {
            return Echo::Admitted;
        }
        if group.opaque_rules > 0 {
            opaque.push(id.clone());
        }
    }
    if !unread.is_empty() || !opaque.is_empty() {
        return Echo::Unknown(Unknown::Groups { unread, opaque });
    }
    let groups = target.host.security_group_ids.iter();
    Echo::Blocked(Fault::IcmpBlocked {
        groups: groups
            .map(|id| ObjectRef::security_group(snapshot, id))
            .collect(),
        vpc: target.vpc.name.clone(),
        hosts: vec![target.host.name.clone()],
        sources: vec![Sources {
            vpc: source.vpc.name.clone(),
            cidr: source.block,
            addrs: vec![from],
        }],
    })
}
