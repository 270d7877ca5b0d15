//! What the lab mirrors: the part of a region's EC2 state that decides which
//! packets arrive. Read from moto ([`super::from_ec2`]) or built by hand in
//! tests ([`super::build`]); serialisable so the CLI can keep it between runs.

use std::net::{Ipv4Addr, Ipv6Addr};

use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabSpec {
    pub vpcs: Vec<VpcSpec>,
    pub subnets: Vec<SubnetSpec>,
    pub route_tables: Vec<RouteTableSpec>,
    pub peerings: Vec<PeeringSpec>,
    pub internet_gateways: Vec<GatewaySpec>,
    pub security_groups: Vec<SecurityGroupSpec>,
    pub instances: Vec<InstanceSpec>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VpcSpec {
    pub id: String,
    pub cidr: Ipv4Net,
    /// The associated IPv6 block (EC2's /56), if any: the VPC is dual-stack.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ipv6_cidr: Option<Ipv6Net>,
    /// The account that owns it (EC2's `ownerId`), when read from EC2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubnetSpec {
    pub id: String,
    pub vpc_id: String,
    pub cidr: Ipv4Net,
    /// The subnet's IPv6 /64, if it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ipv6_cidr: Option<Ipv6Net>,
    /// The explicitly associated route table; `None`: the VPC's main table.
    pub route_table_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RouteTableSpec {
    pub id: String,
    pub vpc_id: String,
    /// The table of every subnet of the VPC without an explicit association.
    pub main: bool,
    pub routes: Vec<RouteSpec>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RouteSpec {
    /// IPv4 (`DestinationCidrBlock`) or IPv6 (`DestinationIpv6CidrBlock`).
    pub destination: IpNet,
    pub target: RouteTarget,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "id")]
pub enum RouteTarget {
    /// Delivery inside the VPC (EC2's `local` route).
    Local,
    Peering(String),
    InternetGateway(String),
    /// Anything the lab does not model (NAT gateway, endpoint, ...): a blackhole.
    Other(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeeringSpec {
    pub id: String,
    pub requester_vpc_id: String,
    pub accepter_vpc_id: String,
    /// EC2's status code: only `active` carries packets.
    pub status: String,
}

impl PeeringSpec {
    pub fn is_active(&self) -> bool {
        self.status == "active"
    }

    /// The other side of the peering, when `vpc_id` is one side.
    pub fn other_side(&self, vpc_id: &str) -> Option<&str> {
        if self.requester_vpc_id == vpc_id {
            Some(&self.accepter_vpc_id)
        } else if self.accepter_vpc_id == vpc_id {
            Some(&self.requester_vpc_id)
        } else {
            None
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GatewaySpec {
    pub id: String,
    /// The VPC it is attached to, if any.
    pub vpc_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecurityGroupSpec {
    pub id: String,
    pub ingress: Vec<IngressSpec>,
}

/// One ingress permission for one source (an IPv4 or an IPv6 range). Ports as EC2 gives them: for
/// TCP/UDP a port range, for ICMP `from` is the type and `to` the code, -1 or
/// `None` meaning any.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IngressSpec {
    pub protocol: Protocol,
    pub from_port: Option<i32>,
    pub to_port: Option<i32>,
    pub source: IpNet,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Protocol {
    All,
    Icmp,
    /// ICMPv6 (EC2 `IpProtocol` "58", or "icmpv6" as moto keeps it when sent so).
    Icmpv6,
    Tcp,
    Udp,
    Number(u8),
}

impl Protocol {
    /// EC2's `IpProtocol`: a name, a number or `-1` for all.
    pub fn parse(text: &str) -> Option<Protocol> {
        Some(match text.to_ascii_lowercase().as_str() {
            "-1" | "all" => Protocol::All,
            "icmp" | "1" => Protocol::Icmp,
            "icmpv6" | "58" => Protocol::Icmpv6,
            "tcp" | "6" => Protocol::Tcp,
            "udp" | "17" => Protocol::Udp,
            other => Protocol::Number(other.parse().ok()?),
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstanceSpec {
    pub id: String,
    /// The `Name` tag (the id when untagged); hosts are addressed by it.
    pub name: String,
    pub subnet_id: String,
    pub private_ip: Ipv4Addr,
    pub security_group_ids: Vec<String>,
    pub state: InstanceState,
    pub public_ip: Option<Ipv4Addr>,
    /// The IPv6 addresses of its network interface (global: routed, never NATed).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ipv6_addresses: Vec<Ipv6Addr>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InstanceState {
    Running,
    Stopped,
}

impl LabSpec {
    pub fn vpc(&self, id: &str) -> Option<&VpcSpec> {
        self.vpcs.iter().find(|v| v.id == id)
    }

    pub fn subnet(&self, id: &str) -> Option<&SubnetSpec> {
        self.subnets.iter().find(|s| s.id == id)
    }

    pub fn route_table(&self, id: &str) -> Option<&RouteTableSpec> {
        self.route_tables.iter().find(|t| t.id == id)
    }

    pub fn peering(&self, id: &str) -> Option<&PeeringSpec> {
        self.peerings.iter().find(|p| p.id == id)
    }

    pub fn security_group(&self, id: &str) -> Option<&SecurityGroupSpec> {
        self.security_groups.iter().find(|g| g.id == id)
    }

    /// The instance whose name, id or private IP is `key`.
    pub fn instance(&self, key: &str) -> Option<&InstanceSpec> {
        self.instances
            .iter()
            .find(|i| i.name == key || i.id == key || i.private_ip.to_string() == key)
    }

    pub fn subnets_of<'a>(&'a self, vpc_id: &'a str) -> impl Iterator<Item = &'a SubnetSpec> {
        self.subnets.iter().filter(move |s| s.vpc_id == vpc_id)
    }

    pub fn instances_in<'a>(
        &'a self,
        subnet_id: &'a str,
    ) -> impl Iterator<Item = &'a InstanceSpec> {
        self.instances
            .iter()
            .filter(move |i| i.subnet_id == subnet_id)
    }

    /// The route table that decides for `subnet`: its explicit one, else the
    /// main table of its VPC.
    pub fn table_of(&self, subnet: &SubnetSpec) -> Option<&RouteTableSpec> {
        match &subnet.route_table_id {
            Some(id) => self.route_table(id),
            None => self
                .route_tables
                .iter()
                .find(|t| t.main && t.vpc_id == subnet.vpc_id),
        }
    }

    /// The peer VPC a route into `peering_id` reaches from `vpc_id`: only
    /// while the peering is active and both sides are in the lab.
    pub fn live_peer(&self, vpc_id: &str, peering_id: &str) -> Option<&VpcSpec> {
        let peering = self.peering(peering_id).filter(|p| p.is_active())?;
        self.vpc(peering.other_side(vpc_id)?)
    }

    /// Active peerings whose two VPCs are both in the lab.
    pub fn live_peerings(&self) -> impl Iterator<Item = &PeeringSpec> {
        self.peerings.iter().filter(|p| {
            p.is_active()
                && self.vpc(&p.requester_vpc_id).is_some()
                && self.vpc(&p.accepter_vpc_id).is_some()
        })
    }

    /// The link address of the router of `vpc_id` (see [`super::names::ROUTER_IPS_FROM`]).
    pub fn router_ip(&self, vpc_id: &str) -> Ipv4Addr {
        let n = self.vpcs.iter().filter(|v| v.id.as_str() < vpc_id).count() as u32;
        Ipv4Addr::from_bits(super::names::ROUTER_IPS_FROM.to_bits() + n + 1)
    }

    /// The router's IPv6 link-local address on its peering and gateway links
    /// (see [`super::names::ROUTER_IP6S_FROM`]), numbered as [`LabSpec::router_ip`].
    pub fn router_ip6(&self, vpc_id: &str) -> Ipv6Addr {
        let n = self.vpcs.iter().filter(|v| v.id.as_str() < vpc_id).count() as u128;
        Ipv6Addr::from_bits(super::names::ROUTER_IP6S_FROM.to_bits() + n + 1)
    }

    pub fn gateway_attached(&self, gateway_id: &str, vpc_id: &str) -> bool {
        self.internet_gateways
            .iter()
            .any(|g| g.id == gateway_id && g.vpc_id.as_deref() == Some(vpc_id))
    }

    pub fn has_gateway(&self, vpc_id: &str) -> bool {
        self.internet_gateways
            .iter()
            .any(|g| g.vpc_id.as_deref() == Some(vpc_id))
    }

    /// The public IP the internet gateway maps to `instance`: it has one and
    /// its subnet's table sends 0.0.0.0/0 to a gateway attached to its VPC.
    pub fn reachable_public_ip(&self, instance: &InstanceSpec) -> Option<Ipv4Addr> {
        let public_ip = instance.public_ip?;
        let subnet = self.subnet(&instance.subnet_id)?;
        self.default_to_gateway(subnet, false).then_some(public_ip)
    }

    /// The subnet's IPv6 /64 when "the internet" reaches it: its table sends
    /// `::/0` to a gateway attached to its VPC. IPv6 is routed, not NATed.
    pub fn public_ipv6_block(&self, subnet: &SubnetSpec) -> Option<Ipv6Net> {
        let block = subnet.ipv6_cidr?;
        self.default_to_gateway(subnet, true).then_some(block)
    }

    /// Whether the subnet's table sends the default route of one family
    /// (`0.0.0.0/0`, or `::/0` when `ipv6`) to a gateway attached to its VPC.
    fn default_to_gateway(&self, subnet: &SubnetSpec, ipv6: bool) -> bool {
        let Some(table) = self.table_of(subnet) else {
            return false;
        };
        table.routes.iter().any(|r| {
            r.destination.prefix_len() == 0
                && matches!(r.destination, IpNet::V6(_)) == ipv6
                && matches!(&r.target, RouteTarget::InternetGateway(g)
                    if self.gateway_attached(g, &subnet.vpc_id))
        })
    }
}
