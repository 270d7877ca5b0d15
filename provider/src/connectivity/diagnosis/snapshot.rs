//! The EC2 facts a diagnosis reads: plain data, filled from Describe calls (or by hand in
//! tests), with the few look-ups the checks need.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use ipnet::{IpNet, Ipv4Net, Ipv6Net};

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
    /// Its IPv6 block (an Amazon-provided /56), when it has one.
    pub ipv6_cidr: Option<Ipv6Net>,
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
    /// The address it is probed at (its value in `hosts`): its family is the family of
    /// every probe to it.
    pub address: IpAddr,
    /// Its IPv4 address in probes: the one probed when that is IPv4, else the primary one
    /// (the source address of its IPv4 echo requests).
    pub private_ip: Ipv4Addr,
    /// Its IPv6 address in probes: the one probed when that is IPv6, else its first one;
    /// `None` when it has none (it can then neither send nor answer IPv6 echo).
    pub ipv6: Option<Ipv6Addr>,
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
    pub destination: IpNet,
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
    /// references, prefix lists, other protocols or ICMP types): any of them
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
    /// ICMPv6 (protocol 58) of one type, or of every type when `None`.
    Icmpv6 {
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
    /// An IPv4 or an IPv6 block: a rule admits only its own family.
    pub source: IpNet,
}

/// ICMP type of an echo request.
const ECHO_REQUEST: u8 = 8;
/// ICMPv6 type of an echo request.
const ECHO_REQUEST_V6: u8 = 128;

impl IngressRule {
    /// Admits an echo request from `source`: ICMP from an IPv4 address, ICMPv6 from an
    /// IPv6 one.
    pub fn admits_echo_from(&self, source: IpAddr) -> bool {
        let echo = match (&self.traffic, source) {
            (&Traffic::All, _) => true,
            (&Traffic::Icmp { icmp_type }, IpAddr::V4(_)) => {
                icmp_type.is_none_or(|t| t == ECHO_REQUEST)
            }
            (&Traffic::Icmpv6 { icmp_type }, IpAddr::V6(_)) => {
                icmp_type.is_none_or(|t| t == ECHO_REQUEST_V6)
            }
            _ => false,
        };
        echo && self.source.contains(&source)
    }
}

impl Host {
    /// Its address in the family of `peer` (the source of its echo requests to `peer`, or
    /// the address `peer`'s requests go to); `None`: it has no IPv6 address.
    pub fn address_towards(&self, peer: IpAddr) -> Option<IpAddr> {
        match peer {
            IpAddr::V4(_) => Some(IpAddr::V4(self.private_ip)),
            IpAddr::V6(_) => self.ipv6.map(IpAddr::V6),
        }
    }
}

impl Vpc {
    /// Its block in the family of `address`; `None`: it has no IPv6 block.
    pub fn block_for(&self, address: IpAddr) -> Option<IpNet> {
        match address {
            IpAddr::V4(_) => Some(IpNet::V4(self.cidr)),
            IpAddr::V6(_) => self.ipv6_cidr.map(IpNet::V6),
        }
    }
}

impl Peering {
    pub fn connects(&self, a: &str, b: &str) -> bool {
        let [x, y] = &self.vpc_ids;
        (x == a && y == b) || (x == b && y == a)
    }
}

impl RouteTable {
    /// The route EC2 uses for `address`: the longest matching prefix of its family.
    pub fn route_for(&self, address: IpAddr) -> Option<&Route> {
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
