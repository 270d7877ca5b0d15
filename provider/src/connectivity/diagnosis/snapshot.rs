//! The EC2 facts a diagnosis reads: plain data, filled from Describe calls (or by hand in
//! tests), with the few look-ups the checks need.

use std::net::Ipv4Addr;

use ipnet::Ipv4Net;

pub use crate::ec2::types::{InstanceState, PeeringStatus, RouteTarget};

/// What EC2 says about a mesh and the instances probed in it.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    pub vpcs: Vec<Vpc>,
    pub subnets: Vec<Subnet>,
    pub hosts: Vec<Host>,
    pub route_tables: Vec<RouteTable>,
    pub peerings: Vec<Peering>,
    pub security_groups: Vec<SecurityGroup>,
}

#[derive(Debug, Clone)]
pub struct Vpc {
    /// The mesh's name for it (a key of `peering_mesh.vpcs`).
    pub name: String,
    pub id: String,
    pub cidr: Ipv4Net,
}

#[derive(Debug, Clone)]
pub struct Subnet {
    pub id: String,
    pub vpc_id: String,
    /// The table that routes for this subnet (its explicit association, else the main one).
    pub route_table_id: String,
}

/// An instance probed as a host; `name` is its key in `hosts`.
#[derive(Debug, Clone)]
pub struct Host {
    pub name: String,
    pub instance_id: String,
    pub vpc_id: String,
    pub subnet_id: String,
    pub private_ip: Ipv4Addr,
    pub security_group_ids: Vec<String>,
    pub state: InstanceState,
}

#[derive(Debug, Clone)]
pub struct RouteTable {
    pub id: String,
    /// The mesh's key for it (`rtb/beta/private`), when its tags carry one of this mesh.
    pub key: Option<String>,
    pub routes: Vec<Route>,
}

#[derive(Debug, Clone)]
pub struct Route {
    pub destination: Ipv4Net,
    pub target: RouteTarget,
    /// EC2 reports the route as `blackhole` (its target is gone).
    pub blackhole: bool,
}

#[derive(Debug, Clone)]
pub struct Peering {
    pub id: String,
    /// The mesh's key for it (`pcx/alpha:beta`), when its tags carry one of this mesh.
    pub key: Option<String>,
    /// Requester and accepter VPC ids.
    pub vpc_ids: [String; 2],
    pub status: PeeringStatus,
}

#[derive(Debug, Clone)]
pub struct SecurityGroup {
    pub id: String,
    /// The mesh's key for it (`sg/gamma`), when its tags carry one of this mesh.
    pub key: Option<String>,
    pub ingress: Vec<IngressRule>,
    /// Ingress rules not in `ingress` because the snapshot cannot model them (group
    /// references, IPv6 ranges, prefix lists, other protocols or ICMP types): any of them
    /// might admit an echo request, so without a match in `ingress` nothing is concluded.
    pub opaque_rules: usize,
}

/// Which traffic an ingress rule admits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Traffic {
    /// Protocol `-1`: everything.
    All,
    /// ICMP of one type, or of every type when `None`.
    Icmp {
        icmp_type: Option<u8>,
    },
    Tcp {
        from_port: u16,
        to_port: u16,
    },
    Udp {
        from_port: u16,
        to_port: u16,
    },
}

#[derive(Debug, Clone)]
pub struct IngressRule {
    pub traffic: Traffic,
    pub source: Ipv4Net,
}

/// ICMP type of an echo request.
const ECHO_REQUEST: u8 = 8;

impl IngressRule {
    /// Admits an ICMP echo request from `source`.
    pub fn admits_echo_from(&self, source: Ipv4Addr) -> bool {
        let echo = match self.traffic {
            Traffic::All | Traffic::Icmp { icmp_type: None } => true,
            Traffic::Icmp { icmp_type: Some(t) } => t == ECHO_REQUEST,
            Traffic::Tcp { .. } | Traffic::Udp { .. } => false,
        };
        echo && self.source.contains(&source)
    }
}

impl Peering {
    pub fn connects(&self, a: &str, b: &str) -> bool {
        let [x, y] = &self.vpc_ids;
        (x == a && y == b) || (x == b && y == a)
    }
}

impl RouteTable {
    /// The route EC2 uses for `address`: the longest matching prefix.
    pub fn route_for(&self, address: Ipv4Addr) -> Option<&Route> {
        self.routes
            .iter()
            .filter(|r| r.destination.contains(&address))
            .max_by_key(|r| r.destination.prefix_len())
    }
}

impl Snapshot {
    pub fn host(&self, name: &str) -> Option<&Host> {
        self.hosts.iter().find(|h| h.name == name)
    }

    pub fn vpc(&self, id: &str) -> Option<&Vpc> {
        self.vpcs.iter().find(|v| v.id == id)
    }

    pub fn peering(&self, id: &str) -> Option<&Peering> {
        self.peerings.iter().find(|p| p.id == id)
    }

    pub fn security_group(&self, id: &str) -> Option<&SecurityGroup> {
        self.security_groups.iter().find(|g| g.id == id)
    }

    /// The route table of the subnet `host` is in.
    pub fn route_table_of(&self, host: &Host) -> Option<&RouteTable> {
        let subnet = self.subnets.iter().find(|s| s.id == host.subnet_id)?;
        self.route_tables
            .iter()
            .find(|t| t.id == subnet.route_table_id)
    }

    /// The peering that decides whether VPCs `a` and `b` are connected: an active one if
    /// any, else the newest-looking one still in progress, else a terminated one.
    pub fn peering_between(&self, a: &str, b: &str) -> Option<&Peering> {
        self.peerings
            .iter()
            .filter(|p| p.connects(a, b))
            .min_by_key(|p| {
                let rank = match p.status {
                    PeeringStatus::Active => 0,
                    s if s.is_terminal() => 2,
                    _ => 1,
                };
                (rank, &p.id)
            })
    }
}
