//! The faults the campaign injects through the EC2 API, how each is undone, which
//! probed pairs it breaks on its own, and the words a diagnosis sentence naming it must
//! contain.

use std::collections::BTreeSet;

use acceptance_tests::ec2check::Ec2Check;

use crate::world::{authorize, icmp_from, ok, put_route, revoke, Shape, World, OPS_CIDR};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    PeeringDeleted,
    PeeringRejected,
    PeeringPending,
    RouteRemoved,
    RouteBlackholed,
    RouteWrongPeering,
    IcmpRevoked,
    IcmpNarrowed,
    GroupDetached,
    InstanceStopped,
    TransitiveRoute,
}

pub const KINDS: [Kind; 11] = [
    Kind::PeeringDeleted,
    Kind::PeeringRejected,
    Kind::PeeringPending,
    Kind::RouteRemoved,
    Kind::RouteBlackholed,
    Kind::RouteWrongPeering,
    Kind::IcmpRevoked,
    Kind::IcmpNarrowed,
    Kind::GroupDetached,
    Kind::InstanceStopped,
    Kind::TransitiveRoute,
];

impl Kind {
    pub fn label(self) -> &'static str {
        match self {
            Kind::PeeringDeleted => "peering deleted",
            Kind::PeeringRejected => "peering rejected",
            Kind::PeeringPending => "peering left pending",
            Kind::RouteRemoved => "route removed",
            Kind::RouteBlackholed => "route blackholed",
            Kind::RouteWrongPeering => "route to the wrong peering",
            Kind::IcmpRevoked => "ICMP rule revoked",
            Kind::IcmpNarrowed => "ICMP rule narrowed",
            Kind::GroupDetached => "group detached",
            Kind::InstanceStopped => "instance stopped",
            Kind::TransitiveRoute => "transitive route",
        }
    }
}

/// One injected fault. `a` and `b` are VPC indexes: the pair of a peering fault
/// (a < b); for a route fault the table of `a` and the destination `b`; for an ICMP
/// fault the source `a` and the group of `b`; for a host fault the host `b`; for a
/// transitive route the spokes `a` (table) and `b` (destination).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Fault {
    pub kind: Kind,
    pub a: usize,
    pub b: usize,
}

/// Directed pairs of VPC (= host) indexes.
pub type Pairs = BTreeSet<(usize, usize)>;

/// Layer of AWS's forwarding at which a fault acts: a fault of a lower layer on a pair
/// hides those of higher layers on it (the diagnosis stops there).
fn layer(kind: Kind) -> u8 {
    match kind {
        Kind::InstanceStopped => 0,
        Kind::PeeringDeleted | Kind::PeeringRejected | Kind::PeeringPending => 1,
        _ => 2,
    }
}

impl Fault {
    /// What EC2 object it changes; two faults of one scenario never share one, so each
    /// can be undone alone.
    fn slot(&self) -> (u8, usize, usize) {
        match self.kind {
            Kind::PeeringDeleted | Kind::PeeringRejected | Kind::PeeringPending => {
                (0, self.a, self.b)
            }
            Kind::RouteRemoved
            | Kind::RouteBlackholed
            | Kind::RouteWrongPeering
            | Kind::TransitiveRoute => (0, self.a.min(self.b), self.a.max(self.b)),
            Kind::IcmpRevoked | Kind::IcmpNarrowed | Kind::GroupDetached => (1, self.b, 0),
            Kind::InstanceStopped => (2, self.b, 0),
        }
    }

    /// The directed pairs it breaks on its own (of every pair, expected or not).
    pub fn breaks(&self, size: usize) -> Pairs {
        let (a, b) = (self.a, self.b);
        match self.kind {
            Kind::PeeringDeleted | Kind::PeeringRejected | Kind::PeeringPending => {
                [(a, b), (b, a)].into()
            }
            // The table serves both the request out and the reply back.
            Kind::RouteRemoved | Kind::RouteBlackholed | Kind::RouteWrongPeering => {
                [(a, b), (b, a)].into()
            }
            Kind::IcmpRevoked | Kind::IcmpNarrowed => [(a, b)].into(),
            Kind::GroupDetached => (0..size).filter(|&x| x != b).map(|x| (x, b)).collect(),
            Kind::InstanceStopped => (0..size)
                .filter(|&x| x != b)
                .flat_map(|x| [(x, b), (b, x)])
                .collect(),
            Kind::TransitiveRoute => Pairs::new(),
        }
    }

    /// The words a sentence naming this fault contains, all of them.
    pub fn signature(&self, w: &World) -> Vec<String> {
        let (a, b) = (&w.vpcs[self.a], &w.vpcs[self.b]);
        match self.kind {
            Kind::PeeringDeleted | Kind::PeeringRejected => {
                vec![format!("peering {} is missing", w.pair_key(self.a, self.b))]
            }
            Kind::PeeringPending => vec![
                format!("(pcx/{})", w.pair_key(self.a, self.b)),
                "is pending-acceptance, not active".into(),
            ],
            Kind::RouteRemoved
            | Kind::RouteBlackholed
            | Kind::RouteWrongPeering
            | Kind::TransitiveRoute => vec![
                format!("(rtb/{}/private)", a.name),
                format!("{} (VPC {})", b.cidr, b.name),
            ],
            Kind::IcmpRevoked | Kind::IcmpNarrowed => vec![
                format!("{} (sg/{})", b.group, b.name),
                format!("{} (VPC {},", a.ip, a.name),
            ],
            Kind::GroupDetached => vec![
                format!("security group {} of VPC {}", b.ssh_group, b.name),
                "no inbound rule for ICMP echo".into(),
            ],
            Kind::InstanceStopped => vec![format!(
                "instance {} (host {}) is stopped",
                b.instance, b.name
            )],
        }
    }
}

/// The faults the diagnosis must name: for every pair that should answer and does
/// not, the faults of the lowest layer that break it.
pub fn to_be_named(faults: &[Fault], expected: &Pairs, size: usize) -> BTreeSet<Fault> {
    let mut named = BTreeSet::new();
    for pair in expected {
        let on_pair: Vec<&Fault> = faults
            .iter()
            .filter(|f| f.breaks(size).contains(pair))
            .collect();
        if let Some(lowest) = on_pair.iter().map(|f| layer(f.kind)).min() {
            named.extend(
                on_pair
                    .into_iter()
                    .filter(|f| layer(f.kind) == lowest)
                    .copied(),
            );
        }
    }
    named
}

/// One to three faults that fit the world, on distinct objects.
pub fn draw(w: &World, rng: &mut fastrand::Rng) -> Vec<Fault> {
    let want = rng.usize(1..=3);
    let mut faults: Vec<Fault> = Vec::new();
    for _ in 0..50 {
        if faults.len() == want {
            break;
        }
        let Some(f) = candidate(w, rng) else { continue };
        if faults.iter().all(|g| g.slot() != f.slot()) {
            faults.push(f);
        }
    }
    faults
}

fn candidate(w: &World, rng: &mut fastrand::Rng) -> Option<Fault> {
    let size = w.vpcs.len();
    let kind = KINDS[rng.usize(..KINDS.len())];
    let pairs: Vec<(usize, usize)> = w.peerings.keys().copied().collect();
    let (a, b) = pairs[rng.usize(..pairs.len())];
    let (a, b) = if rng.bool() { (a, b) } else { (b, a) };
    Some(match kind {
        Kind::PeeringDeleted | Kind::PeeringRejected | Kind::PeeringPending => Fault {
            kind,
            a: a.min(b),
            b: a.max(b),
        },
        Kind::GroupDetached | Kind::InstanceStopped => Fault {
            kind,
            a: 0,
            b: rng.usize(..size),
        },
        Kind::TransitiveRoute => {
            let Shape::HubAndSpoke { hub } = w.shape else {
                return None;
            };
            let spokes: Vec<usize> = (0..size).filter(|&s| s != hub).collect();
            let x = spokes[rng.usize(..spokes.len())];
            let y = spokes[rng.usize(..spokes.len())];
            (x != y).then_some(Fault { kind, a: x, b: y })?
        }
        _ => Fault { kind, a, b },
    })
}

/// The CIDR an ICMP rule is narrowed to: a /24 of the source VPC without its host.
fn narrowed(a: usize) -> String {
    format!("10.{}.250.0/24", a + 1)
}

fn pair(a: usize, b: usize) -> (usize, usize) {
    (a.min(b), a.max(b))
}

pub fn inject(ec2: &Ec2Check, w: &mut World, f: &Fault) {
    let c = ec2.client();
    let (va, vb) = (w.vpcs[f.a].clone(), w.vpcs[f.b].clone());
    match f.kind {
        Kind::PeeringDeleted => delete_peering(ec2, &w.peerings[&(f.a, f.b)]),
        Kind::PeeringRejected | Kind::PeeringPending => {
            delete_peering(ec2, &w.peerings[&(f.a, f.b)]);
            let key = format!("pcx/{}", w.pair_key(f.a, f.b));
            let pcx = w.peer(ec2, &va.id, &vb.id, Some(&key), false);
            put_route(ec2, &va.table, &vb.cidr, &pcx, true);
            put_route(ec2, &vb.table, &va.cidr, &pcx, true);
            if f.kind == Kind::PeeringRejected {
                ok(
                    "RejectVpcPeeringConnection",
                    ec2.block_on(
                        c.reject_vpc_peering_connection()
                            .vpc_peering_connection_id(&pcx)
                            .send(),
                    ),
                );
            }
        }
        Kind::RouteRemoved => {
            ok(
                "DeleteRoute",
                ec2.block_on(
                    c.delete_route()
                        .route_table_id(&va.table)
                        .destination_cidr_block(&vb.cidr)
                        .send(),
                ),
            );
        }
        Kind::RouteBlackholed => {
            // A peering of the table's VPC that existed and was deleted: EC2 keeps a
            // route to it as a blackhole.
            let gone = w.peer(ec2, &va.id, &w.ops_vpc, None, true);
            delete_peering(ec2, &gone);
            put_route(ec2, &va.table, &vb.cidr, &gone, true);
        }
        Kind::RouteWrongPeering => {
            let ops = ops_peering(ec2, w, f.a);
            put_route(ec2, &va.table, &vb.cidr, &ops, true);
        }
        Kind::IcmpRevoked => revoke(ec2, &vb.group, vec![icmp_from(&va.cidr)]),
        Kind::IcmpNarrowed => {
            revoke(ec2, &vb.group, vec![icmp_from(&va.cidr)]);
            authorize(ec2, &vb.group, vec![icmp_from(&narrowed(f.a))]);
        }
        Kind::GroupDetached => w.set_groups(ec2, f.b, &[&vb.ssh_group]),
        Kind::InstanceStopped => {
            ok(
                "StopInstances",
                ec2.block_on(c.stop_instances().instance_ids(&vb.instance).send()),
            );
        }
        Kind::TransitiveRoute => {
            let Shape::HubAndSpoke { hub } = w.shape else {
                unreachable!("drawn for hub and spoke only")
            };
            let via = w.peerings[&pair(f.a, hub)].clone();
            put_route(ec2, &va.table, &vb.cidr, &via, false);
        }
    }
}

pub fn undo(ec2: &Ec2Check, w: &mut World, f: &Fault) {
    let c = ec2.client();
    let (va, vb) = (w.vpcs[f.a].clone(), w.vpcs[f.b].clone());
    match f.kind {
        Kind::PeeringDeleted | Kind::PeeringRejected | Kind::PeeringPending => {
            if f.kind == Kind::PeeringPending {
                let pending = ec2
                    .peerings()
                    .into_iter()
                    .filter(|p| p.status == "pending-acceptance");
                for p in
                    pending.filter(|p| p.requester_vpc_id == va.id && p.accepter_vpc_id == vb.id)
                {
                    delete_peering(ec2, &p.id);
                }
            }
            w.connect(ec2, f.a, f.b);
        }
        Kind::RouteRemoved => put_route(
            ec2,
            &va.table,
            &vb.cidr,
            &w.peerings[&pair(f.a, f.b)],
            false,
        ),
        Kind::RouteBlackholed | Kind::RouteWrongPeering => {
            put_route(ec2, &va.table, &vb.cidr, &w.peerings[&pair(f.a, f.b)], true)
        }
        Kind::IcmpRevoked => authorize(ec2, &vb.group, vec![icmp_from(&va.cidr)]),
        Kind::IcmpNarrowed => {
            revoke(ec2, &vb.group, vec![icmp_from(&narrowed(f.a))]);
            authorize(ec2, &vb.group, vec![icmp_from(&va.cidr)]);
        }
        Kind::GroupDetached => w.set_groups(ec2, f.b, &[&vb.group, &vb.ssh_group]),
        Kind::InstanceStopped => {
            ok(
                "StartInstances",
                ec2.block_on(c.start_instances().instance_ids(&vb.instance).send()),
            );
        }
        Kind::TransitiveRoute => {
            ok(
                "DeleteRoute",
                ec2.block_on(
                    c.delete_route()
                        .route_table_id(&va.table)
                        .destination_cidr_block(&vb.cidr)
                        .send(),
                ),
            );
        }
    }
}

fn delete_peering(ec2: &Ec2Check, id: &str) {
    ec2.delete_peering(id);
}

/// The live peering between VPC `n` and the operations VPC (its route to OPS_CIDR).
fn ops_peering(ec2: &Ec2Check, w: &World, n: usize) -> String {
    let table = ec2
        .route_tables()
        .into_iter()
        .find(|t| t.id == w.vpcs[n].table)
        .expect("the host's table");
    let route = table
        .routes
        .iter()
        .find(|r| r.destination.as_deref() == Some(OPS_CIDR))
        .expect("route to the operations VPC");
    route.peering_id.clone().expect("through a peering")
}
