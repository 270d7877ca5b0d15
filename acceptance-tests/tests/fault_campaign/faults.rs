//! The faults the campaign injects (see `inject.rs` for how), which probed pairs each
//! breaks on its own, and the words a diagnosis sentence naming it must
//! contain.

use std::collections::BTreeSet;

use crate::world::{Shape, World};

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
