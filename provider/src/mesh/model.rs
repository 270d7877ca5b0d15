//! The desired mesh as the user wrote it, parsed and typed. Produced from the
//! `peering_mesh` configuration by the resource layer; consumed by validation and the
//! planner. Names of VPCs and subnets are the stable keys of everything derived.

use std::collections::BTreeMap;

use ipnet::{IpNet, Ipv4Net};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Topology {
    FullMesh,
    HubAndSpoke {
        hub: String,
    },
    /// Pairs as written; validation checks names, self-pairs and duplicates.
    Explicit {
        connections: Vec<(String, String)>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubnetSpec {
    pub cidr: Ipv4Net,
    /// None: let AWS choose.
    pub availability_zone: Option<String>,
    /// Public subnets get a 0.0.0.0/0 route to the VPC's internet gateway (and `::/0`
    /// when the VPC has IPv6).
    pub public: bool,
    /// Which /64 of the VPC's IPv6 /56 the subnet gets (0-255); None: the subnet's
    /// position in name order. Used only when the VPC has `ipv6`.
    pub ipv6_index: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VpcSpec {
    /// Required unless `vpc_id` adopts an existing VPC (then read from EC2).
    pub cidr: Option<Ipv4Net>,
    /// Adopt this existing VPC: never created or deleted by the mesh.
    pub vpc_id: Option<String>,
    /// None: the provider's region.
    pub region: Option<String>,
    /// A key of the provider's `accounts`; None: the provider's own account.
    pub account: Option<String>,
    pub subnets: BTreeMap<String, SubnetSpec>,
    /// An Amazon-provided IPv6 /56 for the VPC, a /64 of it for each subnet.
    pub ipv6: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mesh {
    pub name: String,
    pub vpcs: BTreeMap<String, VpcSpec>,
    pub topology: Topology,
    pub allow_icmp: bool,
    /// IPv4 and IPv6 blocks.
    pub ssh_ingress_cidrs: Vec<IpNet>,
    pub dns_resolution: bool,
    pub tags: BTreeMap<String, String>,
}

/// A peering pair: the two VPC names in sorted order. Its key is `a:b`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pair {
    pub a: String,
    pub b: String,
}

impl Pair {
    pub fn new(x: &str, y: &str) -> Self {
        let (a, b) = if x <= y { (x, y) } else { (y, x) };
        Pair {
            a: a.to_string(),
            b: b.to_string(),
        }
    }

    pub fn key(&self) -> String {
        format!("{}:{}", self.a, self.b)
    }

    pub fn other(&self, name: &str) -> &str {
        if name == self.a {
            &self.b
        } else {
            &self.a
        }
    }
}
