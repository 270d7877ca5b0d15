//! How the diagnosis's sentences name things: VPCs, route tables and peerings (EC2 id and
//! mesh key), the sources a security group does not admit, and a fact the snapshot lacks.

use std::fmt;
use std::net::IpAddr;

use ipnet::IpNet;

use super::snapshot::{PeeringStatus, RouteTable, Snapshot};

/// A VPC as the sentences name it: mesh name and EC2 id.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct VpcRef {
    pub name: String,
    pub id: String,
}

/// The addresses of one source VPC's block (its IPv4 or its IPv6 one) that a security
/// group does not admit.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Sources {
    pub vpc: String,
    pub cidr: IpNet,
    pub addrs: Vec<IpAddr>,
}

impl Sources {
    /// The same VPC's block, so their addresses belong in one list.
    pub fn same_block(&self, other: &Sources) -> bool {
        self.vpc == other.vpc && self.cidr == other.cidr
    }
}

/// "ICMP echo from A (VPC x, 10.1.0.0/16), nor from B (...)", then the same for ICMPv6
/// echo, joined by ", nor for ": one phrase per protocol a rule would have to admit.
pub fn echo_sources(sources: &[Sources]) -> String {
    let phrase = |protocol: &str, v6: bool| {
        let listed: Vec<String> = sources
            .iter()
            .filter(|s| s.cidr.addr().is_ipv6() == v6)
            .map(Sources::to_string)
            .collect();
        (!listed.is_empty()).then(|| format!("{protocol} echo from {}", listed.join(", nor from ")))
    };
    let phrases: Vec<String> = [phrase("ICMP", false), phrase("ICMPv6", true)]
        .into_iter()
        .flatten()
        .collect();
    phrases.join(", nor for ")
}

impl fmt::Display for Sources {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let addrs: Vec<String> = self.addrs.iter().map(IpAddr::to_string).collect();
        write!(f, "{} (VPC {}, {})", addrs.join(", "), self.vpc, self.cidr)
    }
}

/// A route table or peering as the sentences name it: kind, EC2 id and, when it has one,
/// the mesh's key (`route table rtb-0a1b (rtb/beta/private)`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ObjectRef {
    pub kind: &'static str,
    pub id: String,
    pub key: Option<String>,
}

impl ObjectRef {
    pub fn route_table(t: &RouteTable) -> ObjectRef {
        ObjectRef {
            kind: "route table",
            id: t.id.clone(),
            key: t.key.clone(),
        }
    }

    /// The security group `id`, with its key when the snapshot knows it.
    pub fn security_group(snapshot: &Snapshot, id: &str) -> ObjectRef {
        ObjectRef {
            kind: "security group",
            id: id.to_string(),
            key: snapshot.security_group(id).and_then(|g| g.key.clone()),
        }
    }

    /// The object without its kind: `sg-1 (sg/gamma)`.
    pub fn named(&self) -> String {
        match &self.key {
            Some(key) => format!("{} ({key})", self.id),
            None => self.id.clone(),
        }
    }

    /// The peering `id`, with its key when the snapshot knows it.
    pub fn peering(snapshot: &Snapshot, id: &str) -> ObjectRef {
        ObjectRef {
            kind: "peering",
            id: id.to_string(),
            key: snapshot.peering(id).and_then(|p| p.key.clone()),
        }
    }
}

impl fmt::Display for ObjectRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.key {
            Some(key) => write!(f, "{} {} ({key})", self.kind, self.id),
            None => write!(f, "{} {}", self.kind, self.id),
        }
    }
}

/// The fact a host's check lacks: the diagnosis says so instead of blaming anything.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Unknown {
    /// No live instance in the mesh's VPCs has the host's address.
    Instance,
    /// The instance's VPC is not one the snapshot knows.
    Vpc { vpc_id: String },
    /// No route table routes for the instance's subnet in the snapshot.
    RouteTable { subnet_id: String },
    /// EC2 listed no security group for the instance, which it never does for a real one.
    NoGroups { instance_id: String },
    /// Groups not in the snapshot, and groups with rules it cannot model (none of which
    /// admits the echo request in a rule it can model).
    Groups {
        unread: Vec<String>,
        opaque: Vec<String>,
    },
}

/// "security group sg-1" or "security groups sg-1, sg-2".
pub fn groups(ids: &[String]) -> String {
    let noun = if ids.len() == 1 {
        "security group"
    } else {
        "security groups"
    };
    format!("{noun} {}", ids.join(", "))
}

/// "security group sg-1 (sg/gamma)" or "security groups sg-1 (sg/gamma), sg-2".
pub fn group_refs(refs: &[ObjectRef]) -> String {
    let noun = if refs.len() == 1 {
        "security group"
    } else {
        "security groups"
    };
    let named: Vec<String> = refs.iter().map(ObjectRef::named).collect();
    format!("{noun} {}", named.join(", "))
}

/// One thing wrong with a route table's route to a peer VPC's CIDR.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum RouteProblem {
    /// The route for the peer's CIDR is absent or leads elsewhere than the peering.
    Missing {
        destination: IpNet,
        vpc: String,
        peering: ObjectRef,
    },
    /// The route leads to a peering that is gone or not active (`None`: unknown id).
    Dead {
        destination: IpNet,
        vpc: String,
        peering: ObjectRef,
        status: Option<PeeringStatus>,
    },
    /// The route leads to an active peering that does not connect to the peer VPC.
    Wrong {
        destination: IpNet,
        vpc: String,
        peering: ObjectRef,
    },
}

/// The clauses of one route table's sentence: the missing routes in one clause
/// ("has no route to A through P, nor to B through Q"), then one per other problem.
pub fn route_clauses(problems: &[RouteProblem]) -> Vec<String> {
    let mut missing = Vec::new();
    let mut others = Vec::new();
    for p in problems {
        match p {
            RouteProblem::Missing {
                destination,
                vpc,
                peering,
            } => {
                missing.push(format!("{destination} (VPC {vpc}) through {peering}"));
            }
            RouteProblem::Dead {
                destination,
                vpc,
                peering,
                status,
            } => {
                let why = match status {
                    None => "which does not exist: a blackhole".to_string(),
                    Some(PeeringStatus::Active) => "which EC2 marks as a blackhole".to_string(),
                    Some(s) => format!("which is {}: a blackhole", s.as_str()),
                };
                others.push(format!(
                    "sends {destination} (VPC {vpc}) to {peering}, {why}"
                ));
            }
            RouteProblem::Wrong {
                destination,
                vpc,
                peering,
            } => others.push(format!(
                "sends {destination} (VPC {vpc}) to {peering}, which does not connect to VPC {vpc}"
            )),
        }
    }
    let mut clauses = Vec::new();
    if !missing.is_empty() {
        clauses.push(format!("has no route to {}", missing.join(", nor to ")));
    }
    clauses.extend(others);
    clauses
}

impl fmt::Display for Unknown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unknown::Instance => write!(f, "no live instance in the mesh's VPCs has its address (an instance outside the mesh, or terminated), so its path cannot be checked"),
            Unknown::Vpc { vpc_id } => write!(f, "its instance is in VPC {vpc_id}, which is not one of the mesh's, so its path cannot be checked"),
            Unknown::RouteTable { subnet_id } => write!(f, "no route table was found for its subnet {subnet_id}, so its routes cannot be checked"),
            Unknown::NoGroups { instance_id } => write!(f, "EC2 listed no security group for instance {instance_id}, so whether ICMP echo reaches it cannot be checked"),
            Unknown::Groups { unread, opaque } => {
                let mut parts = Vec::new();
                if !unread.is_empty() {
                    let verb = if unread.len() == 1 { "was" } else { "were" };
                    parts.push(format!("{} {verb} not read", groups(unread)));
                }
                if !opaque.is_empty() {
                    let verb = if opaque.len() == 1 { "has" } else { "have" };
                    parts.push(format!("{} {verb} rules this check cannot read (group references, prefix lists, other protocols)", groups(opaque)));
                }
                write!(f, "{}, so whether ICMP echo reaches it cannot be checked", parts.join("; "))
            }
        }
    }
}
