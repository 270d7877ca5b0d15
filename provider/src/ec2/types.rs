//! What EC2 holds, as the planner sees it: domain types, no SDK types.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use ipnet::{IpNet, Ipv4Net, Ipv6Net};

pub type Tags = BTreeMap<String, String>;

/// Tag keys every object the mesh creates carries.
pub const TAG_MESH: &str = "peering:mesh";
pub const TAG_COMPONENT: &str = "peering:component";
pub const TAG_NAME: &str = "Name";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VpcObs {
    pub id: String,
    pub region: String,
    pub cidr: Ipv4Net,
    /// `pending` or `available`.
    pub state: String,
    pub tags: Tags,
    /// The `enableDnsHostnames` attribute; None when it was not read (adopted VPCs,
    /// and VPCs seen outside `inventory`).
    pub dns_hostnames: Option<bool>,
    /// The associated IPv6 block (an Amazon-provided /56), if any.
    pub ipv6_cidr: Option<Ipv6Net>,
    /// Its association id (`vpc-cidr-assoc-...`), needed to disassociate it.
    pub ipv6_association_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubnetObs {
    pub id: String,
    pub region: String,
    pub vpc_id: String,
    pub cidr: Ipv4Net,
    pub availability_zone: String,
    pub tags: Tags,
    /// The associated IPv6 block (a /64 of the VPC's /56), if any.
    pub ipv6_cidr: Option<Ipv6Net>,
    /// Its association id (`subnet-cidr-assoc-...`), needed to disassociate it.
    pub ipv6_association_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RouteTarget {
    /// The VPC's own CIDR.
    Local,
    /// An internet gateway `igw-...`.
    Gateway(String),
    /// A VPC peering connection `pcx-...`.
    Peering(String),
    /// Anything else (NAT gateway, instance, ...): never touched by the mesh.
    Other(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteObs {
    pub destination: IpNet,
    pub target: RouteTarget,
    /// `active` or `blackhole`. Moto keeps routes `active` after their peering is gone,
    /// so callers must also check the peering's status.
    pub state: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteTableObs {
    pub id: String,
    pub region: String,
    pub vpc_id: String,
    pub main: bool,
    /// (association id, subnet id) for explicit subnet associations.
    pub associations: Vec<(String, String)>,
    pub routes: Vec<RouteObs>,
    pub tags: Tags,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InternetGatewayObs {
    pub id: String,
    pub region: String,
    pub attached_vpc_ids: Vec<String>,
    pub tags: Tags,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Protocol {
    /// All ICMP types.
    Icmp,
    /// A TCP port range, inclusive.
    Tcp { from: u16, to: u16 },
    /// All ICMPv6 types (EC2 protocol number 58, ports -1).
    Icmpv6,
}

/// One ingress permission from one CIDR; the unit the planner adds and removes.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct IngressRule {
    pub protocol: Protocol,
    pub cidr: IpNet,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecurityGroupObs {
    pub id: String,
    pub region: String,
    pub vpc_id: String,
    pub name: String,
    /// Ingress rules the mesh understands; other rules are listed in `foreign_rules`
    /// and never touched.
    pub rules: Vec<IngressRule>,
    pub foreign_rules: usize,
    pub tags: Tags,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PeeringStatus {
    InitiatingRequest,
    PendingAcceptance,
    Provisioning,
    Active,
    Deleting,
    Deleted,
    Rejected,
    Failed,
    Expired,
}

impl PeeringStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            PeeringStatus::InitiatingRequest => "initiating-request",
            PeeringStatus::PendingAcceptance => "pending-acceptance",
            PeeringStatus::Provisioning => "provisioning",
            PeeringStatus::Active => "active",
            PeeringStatus::Deleting => "deleting",
            PeeringStatus::Deleted => "deleted",
            PeeringStatus::Rejected => "rejected",
            PeeringStatus::Failed => "failed",
            PeeringStatus::Expired => "expired",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        use PeeringStatus::*;
        [
            InitiatingRequest,
            PendingAcceptance,
            Provisioning,
            Active,
            Deleting,
            Deleted,
            Rejected,
            Failed,
            Expired,
        ]
        .into_iter()
        .find(|p| p.as_str() == s)
    }

    /// A peering in this state will never become active again: treat it as gone.
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            PeeringStatus::Deleting
                | PeeringStatus::Deleted
                | PeeringStatus::Rejected
                | PeeringStatus::Failed
                | PeeringStatus::Expired
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeeringObs {
    pub id: String,
    pub requester_vpc_id: String,
    pub requester_region: String,
    pub accepter_vpc_id: String,
    pub accepter_region: String,
    pub status: PeeringStatus,
    /// AllowDnsResolutionFromRemoteVpc on the requester and accepter side.
    pub requester_dns: bool,
    pub accepter_dns: bool,
    pub tags: Tags,
    /// EC2's explanation of the status (e.g. why a peering `failed`), when it gives one.
    pub status_message: Option<String>,
    /// The account ids owning each side, as EC2 reports them (None when not read, e.g.
    /// a peering kept in private state): how the account router tells places apart.
    pub requester_owner_id: Option<String>,
    pub accepter_owner_id: Option<String>,
}

/// Everything EC2 holds that belongs to one mesh (by its `peering:mesh` tag) plus what
/// lives inside adopted VPCs. Fetched with a constant number of Describe calls per region.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Inventory {
    pub vpcs: Vec<VpcObs>,
    pub subnets: Vec<SubnetObs>,
    pub route_tables: Vec<RouteTableObs>,
    pub internet_gateways: Vec<InternetGatewayObs>,
    pub security_groups: Vec<SecurityGroupObs>,
    pub peerings: Vec<PeeringObs>,
}

impl Inventory {
    /// Appends everything in `other` (e.g. another region's inventory).
    pub fn merge(&mut self, other: Inventory) {
        self.vpcs.extend(other.vpcs);
        self.subnets.extend(other.subnets);
        self.route_tables.extend(other.route_tables);
        self.internet_gateways.extend(other.internet_gateways);
        self.security_groups.extend(other.security_groups);
        self.peerings.extend(other.peerings);
    }
}

/// An instance's lifecycle state, as EC2 names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum InstanceState {
    Pending,
    Running,
    ShuttingDown,
    Stopping,
    Stopped,
    Terminated,
}

impl InstanceState {
    pub const ALL: [InstanceState; 6] = [
        InstanceState::Pending,
        InstanceState::Running,
        InstanceState::ShuttingDown,
        InstanceState::Stopping,
        InstanceState::Stopped,
        InstanceState::Terminated,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            InstanceState::Pending => "pending",
            InstanceState::Running => "running",
            InstanceState::ShuttingDown => "shutting-down",
            InstanceState::Stopping => "stopping",
            InstanceState::Stopped => "stopped",
            InstanceState::Terminated => "terminated",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|state| state.as_str() == s)
    }
}

/// An EC2 instance in a VPC, as the connectivity diagnosis sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstanceObs {
    pub id: String,
    pub region: String,
    pub vpc_id: String,
    pub subnet_id: String,
    /// The primary private IPv4 address.
    pub private_ip: Ipv4Addr,
    pub public_ip: Option<Ipv4Addr>,
    /// Every private IPv4 address of every network interface, the primary one included:
    /// a host may be probed at a secondary interface's address.
    pub private_ips: Vec<Ipv4Addr>,
    /// Every IPv6 address of every network interface, each once (EC2 has no primary one
    /// on the instance): a host may be probed at any of them.
    pub ipv6_addresses: Vec<std::net::Ipv6Addr>,
    /// The instance-level groups and every network interface's groups, each once: EC2
    /// attaches groups per interface, and an instance with several interfaces (or moto)
    /// fills in only the interfaces' lists.
    pub security_group_ids: Vec<String>,
    pub state: InstanceState,
    pub tags: Tags,
}
