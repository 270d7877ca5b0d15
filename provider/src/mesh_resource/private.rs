//! The resource's private state: the inventory last observed (by ReadResource,
//! ApplyResourceChange or ImportResourceState) and the region it defaulted to.
//! PlanResourceChange runs the pure planner against it, so a plan knows which
//! components exist and what drifted without calling EC2.
//!
//! The EC2 domain types carry no serde derives; the mirror types here are the stored
//! form. Unknown or unreadable bytes (another provider version) read as "nothing
//! observed", which only makes a plan show more values as known after apply.

use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use serde::{Deserialize, Serialize};

use crate::ec2::types::{
    IngressRule, InternetGatewayObs, Inventory, PeeringObs, PeeringStatus, Protocol, RouteObs,
    RouteTableObs, RouteTarget, SecurityGroupObs, SubnetObs, Tags, VpcObs,
};

const VERSION: u32 = 1;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Private {
    /// The region VPCs without `region` were placed in.
    pub default_region: Option<String>,
    pub inventory: Option<Inventory>,
}

impl Private {
    pub fn decode(bytes: &[u8]) -> Private {
        let stored: Option<Stored> = serde_json::from_slice(bytes).ok();
        match stored {
            Some(s) if s.version == VERSION => Private {
                default_region: s.default_region,
                inventory: Some(s.inventory.into()),
            },
            _ => Private::default(),
        }
    }

    pub fn encode(&self) -> Vec<u8> {
        let Some(inventory) = &self.inventory else {
            return Vec::new();
        };
        let stored = Stored {
            version: VERSION,
            default_region: self.default_region.clone(),
            inventory: inventory.into(),
        };
        serde_json::to_vec(&stored).unwrap_or_default()
    }
}

#[derive(Serialize, Deserialize)]
struct Stored {
    version: u32,
    default_region: Option<String>,
    inventory: Inv,
}

#[derive(Serialize, Deserialize)]
struct Inv {
    vpcs: Vec<Vpc>,
    subnets: Vec<Subnet>,
    route_tables: Vec<Table>,
    gateways: Vec<Gateway>,
    groups: Vec<Group>,
    peerings: Vec<Peering>,
}

/// The last fields (DNS hostnames, IPv6 block and its association id) are absent from
/// states written by older versions.
#[derive(Serialize, Deserialize)]
struct Vpc(
    String,
    String,
    Ipv4Net,
    String,
    Tags,
    #[serde(default)] Option<bool>,
    #[serde(default)] Option<(Ipv6Net, String)>,
);

/// The last field (IPv6 block and its association id) is absent from older states.
#[derive(Serialize, Deserialize)]
struct Subnet(
    String,
    String,
    String,
    Ipv4Net,
    String,
    Tags,
    #[serde(default)] Option<(Ipv6Net, String)>,
);

#[derive(Serialize, Deserialize)]
struct Table {
    id: String,
    region: String,
    vpc_id: String,
    main: bool,
    associations: Vec<(String, String)>,
    /// (destination, target kind, target id, state); older states hold IPv4 ones only,
    /// which read as `IpNet` all the same.
    routes: Vec<(IpNet, char, String, String)>,
    tags: Tags,
}

#[derive(Serialize, Deserialize)]
struct Gateway(String, String, Vec<String>, Tags);

#[derive(Serialize, Deserialize)]
struct Group {
    id: String,
    region: String,
    vpc_id: String,
    name: String,
    /// ICMP sources, then TCP (from, to, source) rules, then ICMPv6 sources (absent
    /// from older states).
    icmp: Vec<IpNet>,
    tcp: Vec<(u16, u16, IpNet)>,
    #[serde(default)]
    icmpv6: Vec<IpNet>,
    foreign_rules: usize,
    tags: Tags,
}

#[derive(Serialize, Deserialize)]
struct Peering {
    id: String,
    requester: (String, String),
    accepter: (String, String),
    status: String,
    dns: (bool, bool),
    tags: Tags,
}

/// An IPv6 block is stored with its association id (an empty one when it was not read).
fn ipv6_pair(block: Option<Ipv6Net>, association_id: &Option<String>) -> Option<(Ipv6Net, String)> {
    block.map(|b| (b, association_id.clone().unwrap_or_default()))
}

fn ipv6_unpair(stored: Option<(Ipv6Net, String)>) -> (Option<Ipv6Net>, Option<String>) {
    match stored {
        Some((block, id)) => (Some(block), Some(id).filter(|id| !id.is_empty())),
        None => (None, None),
    }
}

fn target_parts(t: &RouteTarget) -> (char, String) {
    match t {
        RouteTarget::Local => ('l', String::new()),
        RouteTarget::Gateway(id) => ('g', id.clone()),
        RouteTarget::Peering(id) => ('p', id.clone()),
        RouteTarget::Other(id) => ('o', id.clone()),
    }
}

fn target_from(kind: char, id: String) -> RouteTarget {
    match kind {
        'l' => RouteTarget::Local,
        'g' => RouteTarget::Gateway(id),
        'p' => RouteTarget::Peering(id),
        _ => RouteTarget::Other(id),
    }
}

impl From<&Inventory> for Inv {
    fn from(inv: &Inventory) -> Self {
        Inv {
            vpcs: inv
                .vpcs
                .iter()
                .map(|v| {
                    Vpc(
                        v.id.clone(),
                        v.region.clone(),
                        v.cidr,
                        v.state.clone(),
                        v.tags.clone(),
                        v.dns_hostnames,
                        ipv6_pair(v.ipv6_cidr, &v.ipv6_association_id),
                    )
                })
                .collect(),
            subnets: inv
                .subnets
                .iter()
                .map(|s| {
                    Subnet(
                        s.id.clone(),
                        s.region.clone(),
                        s.vpc_id.clone(),
                        s.cidr,
                        s.availability_zone.clone(),
                        s.tags.clone(),
                        ipv6_pair(s.ipv6_cidr, &s.ipv6_association_id),
                    )
                })
                .collect(),
            route_tables: inv
                .route_tables
                .iter()
                .map(|t| Table {
                    id: t.id.clone(),
                    region: t.region.clone(),
                    vpc_id: t.vpc_id.clone(),
                    main: t.main,
                    associations: t.associations.clone(),
                    routes: t
                        .routes
                        .iter()
                        .map(|r| {
                            let (kind, id) = target_parts(&r.target);
                            (r.destination, kind, id, r.state.clone())
                        })
                        .collect(),
                    tags: t.tags.clone(),
                })
                .collect(),
            gateways: inv
                .internet_gateways
                .iter()
                .map(|g| {
                    Gateway(
                        g.id.clone(),
                        g.region.clone(),
                        g.attached_vpc_ids.clone(),
                        g.tags.clone(),
                    )
                })
                .collect(),
            groups: inv.security_groups.iter().map(Group::from).collect(),
            peerings: inv
                .peerings
                .iter()
                .map(|p| Peering {
                    id: p.id.clone(),
                    requester: (p.requester_vpc_id.clone(), p.requester_region.clone()),
                    accepter: (p.accepter_vpc_id.clone(), p.accepter_region.clone()),
                    status: p.status.as_str().to_string(),
                    dns: (p.requester_dns, p.accepter_dns),
                    tags: p.tags.clone(),
                })
                .collect(),
        }
    }
}

impl From<&SecurityGroupObs> for Group {
    fn from(g: &SecurityGroupObs) -> Self {
        let mut icmp = Vec::new();
        let mut tcp = Vec::new();
        let mut icmpv6 = Vec::new();
        for r in &g.rules {
            match r.protocol {
                Protocol::Icmp => icmp.push(r.cidr),
                Protocol::Tcp { from, to } => tcp.push((from, to, r.cidr)),
                Protocol::Icmpv6 => icmpv6.push(r.cidr),
            }
        }
        Group {
            id: g.id.clone(),
            region: g.region.clone(),
            vpc_id: g.vpc_id.clone(),
            name: g.name.clone(),
            icmp,
            tcp,
            icmpv6,
            foreign_rules: g.foreign_rules,
            tags: g.tags.clone(),
        }
    }
}

impl From<Inv> for Inventory {
    fn from(inv: Inv) -> Self {
        let groups = inv.groups.into_iter().map(|g| {
            let icmp = g.icmp.into_iter().map(|cidr| IngressRule {
                protocol: Protocol::Icmp,
                cidr,
            });
            let tcp = g.tcp.into_iter().map(|(from, to, cidr)| IngressRule {
                protocol: Protocol::Tcp { from, to },
                cidr,
            });
            let icmpv6 = g.icmpv6.into_iter().map(|cidr| IngressRule {
                protocol: Protocol::Icmpv6,
                cidr,
            });
            SecurityGroupObs {
                id: g.id,
                region: g.region,
                vpc_id: g.vpc_id,
                name: g.name,
                rules: icmp.chain(tcp).chain(icmpv6).collect(),
                foreign_rules: g.foreign_rules,
                tags: g.tags,
            }
        });
        Inventory {
            vpcs: inv
                .vpcs
                .into_iter()
                .map(|Vpc(id, region, cidr, state, tags, dns_hostnames, ipv6)| {
                    let (ipv6_cidr, ipv6_association_id) = ipv6_unpair(ipv6);
                    VpcObs {
                        id,
                        region,
                        cidr,
                        state,
                        tags,
                        dns_hostnames,
                        ipv6_cidr,
                        ipv6_association_id,
                    }
                })
                .collect(),
            subnets: inv
                .subnets
                .into_iter()
                .map(
                    |Subnet(id, region, vpc_id, cidr, availability_zone, tags, ipv6)| {
                        let (ipv6_cidr, ipv6_association_id) = ipv6_unpair(ipv6);
                        SubnetObs {
                            id,
                            region,
                            vpc_id,
                            cidr,
                            availability_zone,
                            tags,
                            ipv6_cidr,
                            ipv6_association_id,
                        }
                    },
                )
                .collect(),
            route_tables: inv
                .route_tables
                .into_iter()
                .map(|t| RouteTableObs {
                    id: t.id,
                    region: t.region,
                    vpc_id: t.vpc_id,
                    main: t.main,
                    associations: t.associations,
                    routes: t
                        .routes
                        .into_iter()
                        .map(|(destination, kind, id, state)| RouteObs {
                            destination,
                            target: target_from(kind, id),
                            state,
                        })
                        .collect(),
                    tags: t.tags,
                })
                .collect(),
            internet_gateways: inv
                .gateways
                .into_iter()
                .map(
                    |Gateway(id, region, attached_vpc_ids, tags)| InternetGatewayObs {
                        id,
                        region,
                        attached_vpc_ids,
                        tags,
                    },
                )
                .collect(),
            security_groups: groups.collect(),
            peerings: inv
                .peerings
                .into_iter()
                .map(|p| PeeringObs {
                    id: p.id,
                    requester_vpc_id: p.requester.0,
                    requester_region: p.requester.1,
                    accepter_vpc_id: p.accepter.0,
                    accepter_region: p.accepter.1,
                    // An unknown status name (a newer EC2) is treated as not active.
                    status: PeeringStatus::parse(&p.status)
                        .unwrap_or(PeeringStatus::PendingAcceptance),
                    requester_dns: p.dns.0,
                    accepter_dns: p.dns.1,
                    tags: p.tags,
                    requester_owner_id: None,
                    accepter_owner_id: None,
                    status_message: None,
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests;
