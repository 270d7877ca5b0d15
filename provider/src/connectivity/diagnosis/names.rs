//! How the diagnosis's sentences name things: VPCs, route tables and peerings (EC2 id and
//! mesh key), the sources a security group does not admit, and a fact the snapshot lacks.

use std::fmt;
use std::net::Ipv4Addr;

use ipnet::Ipv4Net;

use super::snapshot::{RouteTable, Snapshot};

/// A VPC as the sentences name it: mesh name and EC2 id.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct VpcRef {
    pub name: String,
    pub id: String,
}

/// The addresses of one source VPC that a security group does not admit.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Sources {
    pub vpc: String,
    pub cidr: Ipv4Net,
    pub addrs: Vec<Ipv4Addr>,
}

impl fmt::Display for Sources {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let addrs: Vec<String> = self.addrs.iter().map(Ipv4Addr::to_string).collect();
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

impl fmt::Display for Unknown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unknown::Instance => write!(f, "no live instance in the mesh's VPCs has its address (an instance outside the mesh, terminated, or an IPv6 address), so its path cannot be checked"),
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
                    parts.push(format!("{} {verb} rules this check cannot read (group references, prefix lists, IPv6 ranges, other protocols)", groups(opaque)));
                }
                write!(f, "{}, so whether ICMP echo reaches it cannot be checked", parts.join("; "))
            }
        }
    }
}
