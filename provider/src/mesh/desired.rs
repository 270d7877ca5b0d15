//! The desired components of a validated mesh, each under its stable key, with every
//! CIDR, region, rule and tag decided: the planner compares this with the inventory and
//! leaves nothing to guess.

use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv4Addr;

use ipnet::{IpNet, Ipv4Net, Ipv6Net};

use super::key::{Key, RouteVia};
use super::model::{Mesh, Pair, Topology};
use super::problem::quote;
use crate::ec2::place::place;
use crate::ec2::types::{IngressRule, Protocol, Tags, TAG_COMPONENT, TAG_MESH, TAG_NAME};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DesiredVpc {
    pub region: String,
    pub cidr: Ipv4Net,
    /// Set when the VPC is adopted: it is neither created, tagged nor deleted.
    pub adopted_id: Option<String>,
    pub tags: Tags,
    /// An Amazon-provided IPv6 /56 is wanted.
    pub ipv6: bool,
    /// That block, once EC2 has given it (see [`add_ipv6`]): everything derived from it
    /// is desired only then.
    pub ipv6_cidr: Option<Ipv6Net>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DesiredSubnet {
    pub region: String,
    pub cidr: Ipv4Net,
    pub availability_zone: Option<String>,
    pub public: bool,
    pub tags: Tags,
    /// Its /64, once the VPC's IPv6 block is known.
    pub ipv6_cidr: Option<Ipv6Net>,
}

/// A route table, an internet gateway: only a region and tags to decide.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DesiredTagged {
    pub region: String,
    pub tags: Tags,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DesiredGroup {
    pub region: String,
    pub group_name: String,
    pub description: String,
    pub rules: BTreeSet<IngressRule>,
    pub tags: Tags,
}

/// Requester is `pair.a`, accepter `pair.b`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DesiredPeering {
    pub requester_region: String,
    pub accepter_region: String,
    pub dns_resolution: bool,
    pub tags: Tags,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Desired {
    pub mesh_id: String,
    pub vpcs: BTreeMap<String, DesiredVpc>,
    /// By (VPC, subnet); each subnet's route table and association share its key.
    pub subnets: BTreeMap<(String, String), DesiredSubnet>,
    pub route_tables: BTreeMap<(String, String), DesiredTagged>,
    /// By VPC: only VPCs with a public subnet.
    pub internet_gateways: BTreeMap<String, DesiredTagged>,
    /// By VPC: one group per VPC.
    pub security_groups: BTreeMap<String, DesiredGroup>,
    pub peerings: BTreeMap<Pair, DesiredPeering>,
    /// Per route table key (`RouteTable` or `MainRouteTable`): destination -> target.
    pub routes: BTreeMap<Key, BTreeMap<IpNet, RouteVia>>,
    /// VPC ids never deleted even when they carry this mesh's tags (adopted ones).
    pub protected_vpc_ids: BTreeSet<String>,
    /// What the mesh may claim besides the desired components (see `plan::index`).
    pub ownership: Ownership,
}

/// What tells the mesh's own objects from objects that only look like them (tags
/// copied by hand or by a tool). An object is the mesh's when it carries the mesh's id
/// and a component key that parses and belongs: a VPC whose name is one of `names`, and
/// anything else inside (or, for a peering, between) such VPCs or adopted ones.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ownership {
    /// VPC names of the mesh: the configured ones and those of the prior state (their
    /// objects may still have to go). None: any name (destroy, which has no
    /// configuration: everything the mesh's tags and structure claim goes).
    pub names: Option<BTreeSet<String>>,
    /// AWS ids the prior state recorded: routes to them are the mesh's routes, even
    /// blackholed after their peering went.
    pub known_ids: BTreeSet<String>,
    /// Tag keys the mesh set before (the prior `tags` and the provider's `default_tags`)
    /// that it may remove; every other tag someone added is kept.
    pub tag_keys: BTreeSet<String>,
}

/// What `desired` needs besides the mesh.
#[derive(Debug, Clone, Copy)]
pub struct DesiredContext<'a> {
    /// The `peering:mesh` tag value of every object.
    pub mesh_id: &'a str,
    /// Region of VPCs that name none.
    pub default_region: &'a str,
    /// CIDRs of adopted VPCs read from EC2, by VPC name.
    pub adopted_cidrs: &'a BTreeMap<String, Ipv4Net>,
    /// The provider's `default_tags`; the mesh's `tags` override them.
    pub default_tags: &'a Tags,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DesiredError {
    #[error("the CIDR block of adopted VPC {q} is not known: set vpcs[{q}].cidr_block or check that vpc_id exists in its region", q = quote(.vpc))]
    MissingCidr { vpc: String },
}

impl Desired {
    /// Nothing desired: the plan deletes every object tagged with `mesh_id` except the
    /// `protected_vpc_ids` (VPCs that were adopted).
    pub fn nothing(mesh_id: &str, protected_vpc_ids: BTreeSet<String>) -> Desired {
        Desired {
            mesh_id: mesh_id.to_string(),
            protected_vpc_ids,
            ownership: Ownership {
                names: None,
                ..Ownership::default()
            },
            ..Desired::default()
        }
    }

    /// The regions to read an inventory from, each with the adopted VPC ids in it.
    pub fn regions(&self) -> BTreeMap<String, Vec<String>> {
        let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for vpc in self.vpcs.values() {
            let ids = out.entry(vpc.region.clone()).or_default();
            ids.extend(vpc.adopted_id.clone());
        }
        out
    }
}

/// The peerings a topology asks for. Names that are not VPCs of the mesh and self-pairs
/// are left out here; validation reports them.
pub fn pairs(mesh: &Mesh) -> BTreeSet<Pair> {
    let names: Vec<&String> = mesh.vpcs.keys().collect();
    match &mesh.topology {
        Topology::FullMesh => names
            .iter()
            .enumerate()
            .flat_map(|(i, a)| names[i + 1..].iter().map(move |b| Pair::new(a, b)))
            .collect(),
        Topology::HubAndSpoke { hub } if mesh.vpcs.contains_key(hub) => names
            .iter()
            .filter(|n| **n != hub)
            .map(|n| Pair::new(hub, n))
            .collect(),
        Topology::HubAndSpoke { .. } => BTreeSet::new(),
        Topology::Explicit { connections } => connections
            .iter()
            .filter(|(x, y)| x != y && mesh.vpcs.contains_key(x) && mesh.vpcs.contains_key(y))
            .map(|(x, y)| Pair::new(x, y))
            .collect(),
    }
}

/// Which VPCs each VPC reaches: its direct peers only, since peering is not transitive.
/// Every VPC of the mesh is a key; the lists are sorted.
pub fn reachability(mesh: &Mesh) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> =
        mesh.vpcs.keys().map(|n| (n.clone(), Vec::new())).collect();
    for pair in pairs(mesh) {
        out.entry(pair.a.clone()).or_default().push(pair.b.clone());
        out.entry(pair.b.clone()).or_default().push(pair.a.clone());
    }
    for peers in out.values_mut() {
        peers.sort();
    }
    out
}

/// The desired components of `mesh`, which must have passed validation.
pub fn desired(mesh: &Mesh, ctx: &DesiredContext<'_>) -> Result<Desired, DesiredError> {
    let mut d = Desired {
        mesh_id: ctx.mesh_id.to_string(),
        ownership: Ownership {
            names: Some(mesh.vpcs.keys().cloned().collect()),
            known_ids: BTreeSet::new(),
            tag_keys: ctx.default_tags.keys().cloned().collect(),
        },
        ..Desired::default()
    };
    let tags = |key: &Key, name: String| component_tags(mesh, ctx, key, name);
    let prefix = &mesh.name;

    for (name, spec) in &mesh.vpcs {
        let cidr = spec
            .cidr
            .or_else(|| ctx.adopted_cidrs.get(name).copied())
            .ok_or_else(|| DesiredError::MissingCidr { vpc: name.clone() })?;
        // Where the VPC and everything in it lives: its account and region.
        let region = place(
            spec.account.as_deref(),
            spec.region.as_deref().unwrap_or(ctx.default_region),
        );
        let vpc_tags = if spec.vpc_id.is_some() {
            Tags::new()
        } else {
            tags(&Key::Vpc(name.clone()), format!("{prefix}-{name}"))
        };
        d.protected_vpc_ids.extend(spec.vpc_id.clone());
        d.vpcs.insert(
            name.clone(),
            DesiredVpc {
                region: region.clone(),
                cidr,
                adopted_id: spec.vpc_id.clone(),
                tags: vpc_tags,
                ipv6: spec.ipv6,
                ipv6_cidr: None,
            },
        );

        for (sub, s) in &spec.subnets {
            let id = (name.clone(), sub.clone());
            let subnet_tags = tags(
                &Key::Subnet(name.clone(), sub.clone()),
                format!("{prefix}-{name}-{sub}"),
            );
            let table_tags = tags(
                &Key::RouteTable(name.clone(), sub.clone()),
                format!("{prefix}-{name}-{sub}-rt"),
            );
            d.subnets.insert(
                id.clone(),
                DesiredSubnet {
                    region: region.clone(),
                    cidr: s.cidr,
                    availability_zone: s.availability_zone.clone(),
                    public: s.public,
                    tags: subnet_tags,
                    ipv6_cidr: None,
                },
            );
            d.route_tables.insert(
                id,
                DesiredTagged {
                    region: region.clone(),
                    tags: table_tags,
                },
            );
            if s.public {
                let default_route =
                    Ipv4Net::new(Ipv4Addr::UNSPECIFIED, 0).expect("/0 is a valid prefix");
                d.routes
                    .entry(Key::RouteTable(name.clone(), sub.clone()))
                    .or_default()
                    .insert(
                        IpNet::V4(default_route),
                        RouteVia::InternetGateway(name.clone()),
                    );
            }
        }
        if spec.subnets.values().any(|s| s.public) {
            let igw_tags = tags(
                &Key::InternetGateway(name.clone()),
                format!("{prefix}-{name}-igw"),
            );
            d.internet_gateways.insert(
                name.clone(),
                DesiredTagged {
                    region: region.clone(),
                    tags: igw_tags,
                },
            );
        }
        let rules = mesh.ssh_ingress_cidrs.iter().map(|&cidr| IngressRule {
            protocol: Protocol::Tcp { from: 22, to: 22 },
            cidr,
        });
        d.security_groups.insert(
            name.clone(),
            DesiredGroup {
                region,
                group_name: format!("mesh-{prefix}-{name}"),
                description: format!("Peering mesh {prefix}: members of VPC {name}"),
                rules: rules.collect(),
                tags: tags(
                    &Key::SecurityGroup(name.clone()),
                    format!("{prefix}-{name}-sg"),
                ),
            },
        );
    }

    for pair in pairs(mesh) {
        let (a, b) = (&d.vpcs[&pair.a], &d.vpcs[&pair.b]);
        let (a_cidr, b_cidr) = (a.cidr, b.cidr);
        d.peerings.insert(
            pair.clone(),
            DesiredPeering {
                requester_region: a.region.clone(),
                accepter_region: b.region.clone(),
                dns_resolution: mesh.dns_resolution,
                tags: tags(
                    &Key::Peering(pair.clone()),
                    format!("{prefix}-{}-{}", pair.a, pair.b),
                ),
            },
        );
        for (here, peer_cidr) in [(&pair.a, b_cidr), (&pair.b, a_cidr)] {
            for table in route_tables_of(mesh, here) {
                d.routes
                    .entry(table)
                    .or_default()
                    .insert(IpNet::V4(peer_cidr), RouteVia::Peering(pair.clone()));
            }
            if mesh.allow_icmp {
                let group = d
                    .security_groups
                    .get_mut(here)
                    .expect("every VPC has a group");
                group.rules.insert(IngressRule {
                    protocol: Protocol::Icmp,
                    cidr: IpNet::V4(peer_cidr),
                });
            }
        }
    }
    Ok(d)
}

/// The tables that carry a VPC's peer routes: one per subnet, or the main table of a
/// VPC without subnets.
pub(super) fn route_tables_of(mesh: &Mesh, vpc: &str) -> Vec<Key> {
    let subnets = &mesh.vpcs[vpc].subnets;
    if subnets.is_empty() {
        return vec![Key::MainRouteTable(vpc.to_string())];
    }
    subnets
        .keys()
        .map(|s| Key::RouteTable(vpc.to_string(), s.clone()))
        .collect()
}

/// default_tags, then the mesh's tags, then the tags the mesh relies on (which win).
fn component_tags(mesh: &Mesh, ctx: &DesiredContext<'_>, key: &Key, name: String) -> Tags {
    let mut tags = ctx.default_tags.clone();
    tags.extend(mesh.tags.iter().map(|(k, v)| (k.clone(), v.clone())));
    tags.insert(TAG_NAME.to_string(), name);
    tags.insert(TAG_MESH.to_string(), ctx.mesh_id.to_string());
    tags.insert(TAG_COMPONENT.to_string(), key.to_string());
    tags
}

mod ipv6;
pub use ipv6::{add_ipv6, subnet_indexes, subnet_ipv6_cidr};

#[cfg(test)]
mod tests;
