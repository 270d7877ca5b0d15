//! What EC2 holds at one moment, in plain types the scenarios can compare:
//! every VPC, subnet, route table, internet gateway, security group and
//! peering, with its tags, and queries by the mesh's own tags.
//!
//! Everything is read unfiltered and filtered here, because moto ignores
//! `Filters` on DescribeVpcPeeringConnections (see ec2.md) and a check must not
//! depend on which filters an emulator honours.

use std::collections::{BTreeMap, BTreeSet};

/// The tag every object of a mesh carries: the mesh id.
pub const TAG_MESH: &str = "peering:mesh";
/// The tag naming an object's stable component key, e.g. `vpc/production`.
pub const TAG_COMPONENT: &str = "peering:component";

pub type Tags = BTreeMap<String, String>;

/// An EC2 object with an id and tags.
pub trait Tagged {
    fn id(&self) -> &str;
    fn tags(&self) -> &Tags;

    /// The `peering:component` tag, e.g. `pcx/development:production`.
    fn component(&self) -> Option<&str> {
        self.tags().get(TAG_COMPONENT).map(String::as_str)
    }

    /// True when the object carries a `peering:mesh` tag (of any mesh).
    fn is_mesh_object(&self) -> bool {
        self.tags().contains_key(TAG_MESH)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vpc {
    pub id: String,
    pub cidr_block: String,
    /// The IPv6 blocks associated with the VPC (not those disassociated, which EC2 keeps
    /// listing for a while).
    pub ipv6_cidr_blocks: Vec<String>,
    /// The account that owns the VPC.
    pub owner_id: String,
    pub tags: Tags,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subnet {
    pub id: String,
    pub vpc_id: String,
    pub cidr_block: String,
    /// The IPv6 blocks associated with the subnet.
    pub ipv6_cidr_blocks: Vec<String>,
    pub tags: Tags,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Route {
    /// The IPv4 or IPv6 destination block.
    pub destination: Option<String>,
    pub peering_id: Option<String>,
    pub gateway_id: Option<String>,
    pub state: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteTable {
    pub id: String,
    pub vpc_id: String,
    pub main: bool,
    pub subnet_ids: BTreeSet<String>,
    pub routes: Vec<Route>,
    pub tags: Tags,
}

impl RouteTable {
    /// Routes that send traffic into a peering, as destination -> peering id.
    pub fn peering_routes(&self) -> BTreeMap<String, String> {
        self.routes
            .iter()
            .filter_map(|r| Some((r.destination.clone()?, r.peering_id.clone()?)))
            .collect()
    }

    /// The route for `destination`, if any.
    pub fn route_to(&self, destination: &str) -> Option<&Route> {
        self.routes
            .iter()
            .find(|r| r.destination.as_deref() == Some(destination))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InternetGateway {
    pub id: String,
    /// (VPC id, attachment state) per attachment.
    pub attachments: Vec<(String, String)>,
    pub tags: Tags,
}

/// One ingress permission for one IPv4 or IPv6 source (EC2 groups several sources
/// under one permission; here each source is its own rule).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct IngressRule {
    /// As EC2 reports it: `icmp`, `tcp`, `-1`, or a protocol number.
    pub protocol: String,
    pub from_port: Option<i32>,
    pub to_port: Option<i32>,
    pub cidr: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecurityGroup {
    pub id: String,
    pub vpc_id: String,
    pub name: String,
    pub ingress: BTreeSet<IngressRule>,
    pub tags: Tags,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Peering {
    pub id: String,
    pub requester_vpc_id: String,
    pub accepter_vpc_id: String,
    /// The account and region of each side, as EC2 reports them.
    pub requester_owner_id: String,
    pub accepter_owner_id: String,
    pub requester_region: String,
    pub accepter_region: String,
    /// `active`, `pending-acceptance`, `deleted`, ...
    pub status: String,
    /// AllowDnsResolutionFromRemoteVpc of each side (None: not reported).
    pub requester_dns: Option<bool>,
    pub accepter_dns: Option<bool>,
    pub tags: Tags,
}

impl Peering {
    /// False for the terminal states, in which EC2 keeps showing a peering
    /// for a while after it is gone.
    pub fn is_live(&self) -> bool {
        !matches!(
            self.status.as_str(),
            "deleted" | "deleting" | "rejected" | "failed" | "expired"
        )
    }

    /// The two VPC ids, sorted.
    pub fn vpc_pair(&self) -> (String, String) {
        let (a, b) = (self.requester_vpc_id.clone(), self.accepter_vpc_id.clone());
        if a <= b {
            (a, b)
        } else {
            (b, a)
        }
    }
}

impl<T: Tagged> Tagged for &T {
    fn id(&self) -> &str {
        (**self).id()
    }
    fn tags(&self) -> &Tags {
        (**self).tags()
    }
}

macro_rules! tagged {
    ($($ty:ty),*) => {$(
        impl Tagged for $ty {
            fn id(&self) -> &str { &self.id }
            fn tags(&self) -> &Tags { &self.tags }
        }
    )*};
}
tagged!(
    Vpc,
    Subnet,
    RouteTable,
    InternetGateway,
    SecurityGroup,
    Peering
);

/// Everything EC2 holds in one region.
#[derive(Debug, Clone, Default)]
pub struct Ec2Snapshot {
    pub vpcs: Vec<Vpc>,
    pub subnets: Vec<Subnet>,
    pub route_tables: Vec<RouteTable>,
    pub internet_gateways: Vec<InternetGateway>,
    pub security_groups: Vec<SecurityGroup>,
    pub peerings: Vec<Peering>,
    pub instances: Vec<super::Instance>,
}

/// One object of a mesh, of any kind, for whole-mesh checks.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct MeshObject {
    /// `vpc`, `subnet`, `route-table`, `internet-gateway`, `security-group`, `peering`.
    pub kind: &'static str,
    pub id: String,
    pub mesh: String,
    pub component: Option<String>,
}

fn mesh_objects_of<'a, T: Tagged + 'a>(
    kind: &'static str,
    items: impl IntoIterator<Item = &'a T>,
) -> Vec<MeshObject> {
    items
        .into_iter()
        .filter_map(|item| {
            Some(MeshObject {
                kind,
                id: item.id().to_string(),
                mesh: item.tags().get(TAG_MESH)?.clone(),
                component: item.component().map(str::to_string),
            })
        })
        .collect()
}

impl Ec2Snapshot {
    /// Every object carrying a `peering:mesh` tag, peerings only while live.
    pub fn mesh_objects(&self) -> Vec<MeshObject> {
        let live_peerings = self.peerings.iter().filter(|p| p.is_live());
        let mut all: Vec<MeshObject> = [
            mesh_objects_of("vpc", &self.vpcs),
            mesh_objects_of("subnet", &self.subnets),
            mesh_objects_of("route-table", &self.route_tables),
            mesh_objects_of("internet-gateway", &self.internet_gateways),
            mesh_objects_of("security-group", &self.security_groups),
            mesh_objects_of("peering", live_peerings),
        ]
        .concat();
        all.sort();
        all
    }

    /// (kind, component) keys held by more than one live mesh object.
    pub fn duplicate_components(&self) -> Vec<(&'static str, String, Vec<String>)> {
        let mut ids: BTreeMap<(&'static str, String), Vec<String>> = BTreeMap::new();
        for object in self.mesh_objects() {
            if let Some(component) = object.component {
                ids.entry((object.kind, component))
                    .or_default()
                    .push(object.id);
            }
        }
        ids.into_iter()
            .filter(|(_, ids)| ids.len() > 1)
            .map(|((kind, component), ids)| (kind, component, ids))
            .collect()
    }

    /// Live peerings tagged with a `peering:mesh` tag.
    pub fn live_mesh_peerings(&self) -> Vec<&Peering> {
        self.peerings
            .iter()
            .filter(|p| p.is_live() && p.is_mesh_object())
            .collect()
    }

    /// VPCs tagged with a `peering:mesh` tag.
    pub fn mesh_vpcs(&self) -> Vec<&Vpc> {
        self.vpcs.iter().filter(|v| v.is_mesh_object()).collect()
    }

    pub fn vpc(&self, id: &str) -> Option<&Vpc> {
        self.vpcs.iter().find(|v| v.id == id)
    }

    pub fn peering(&self, id: &str) -> Option<&Peering> {
        self.peerings.iter().find(|p| p.id == id)
    }

    pub fn route_table(&self, id: &str) -> Option<&RouteTable> {
        self.route_tables.iter().find(|t| t.id == id)
    }

    pub fn security_group(&self, id: &str) -> Option<&SecurityGroup> {
        self.security_groups.iter().find(|g| g.id == id)
    }

    pub fn internet_gateway(&self, id: &str) -> Option<&InternetGateway> {
        self.internet_gateways.iter().find(|g| g.id == id)
    }

    pub fn subnet(&self, id: &str) -> Option<&Subnet> {
        self.subnets.iter().find(|s| s.id == id)
    }

    /// The live object of `items` tagged with component `key`; panics unless
    /// exactly one exists.
    #[track_caller]
    pub fn only_component<'a, T: Tagged + std::fmt::Debug>(items: &'a [T], key: &str) -> &'a T {
        let found: Vec<&T> = items
            .iter()
            .filter(|item| item.component() == Some(key))
            .collect();
        assert_eq!(
            found.len(),
            1,
            "exactly one object tagged {TAG_COMPONENT}={key}: {found:#?}"
        );
        found[0]
    }
}
