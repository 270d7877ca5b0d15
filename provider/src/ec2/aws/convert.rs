//! SDK types to domain observations (`flatten_*`) and back (`expand_*`). Objects
//! missing an id or a parseable CIDR are skipped: the mesh cannot manage them anyway.

use std::collections::BTreeMap;

use aws_sdk_ec2::types::{
    Filter, InternetGateway, IpPermission, IpRange, Ipv6Range, ResourceType, Route, RouteTable,
    SecurityGroup, Subnet, Tag, TagSpecification, Vpc, VpcPeeringConnection,
};
use ipnet::{IpNet, Ipv4Net, Ipv6Net};

use crate::ec2::types::{
    IngressRule, InternetGatewayObs, PeeringObs, PeeringStatus, Protocol, RouteObs, RouteTableObs,
    RouteTarget, SecurityGroupObs, SubnetObs, Tags, VpcObs,
};

pub fn filter(name: &str, values: impl IntoIterator<Item = impl Into<String>>) -> Filter {
    Filter::builder()
        .name(name)
        .set_values(Some(values.into_iter().map(Into::into).collect()))
        .build()
}

/// Tags for a create call; None when there are none (an empty specification is invalid).
pub fn tag_spec(resource_type: ResourceType, tags: &Tags) -> Option<TagSpecification> {
    (!tags.is_empty()).then(|| {
        TagSpecification::builder()
            .resource_type(resource_type)
            .set_tags(Some(expand_tags(tags)))
            .build()
    })
}

pub fn expand_tags(tags: &Tags) -> Vec<Tag> {
    tags.iter()
        .map(|(k, v)| Tag::builder().key(k).value(v).build())
        .collect()
}

pub fn flatten_tags(tags: &[Tag]) -> Tags {
    tags.iter()
        .filter_map(|t| {
            Some((
                t.key()?.to_string(),
                t.value().unwrap_or_default().to_string(),
            ))
        })
        .collect()
}

fn cidr(s: Option<&str>) -> Option<Ipv4Net> {
    s?.parse().ok()
}

fn cidr6(s: Option<&str>) -> Option<Ipv6Net> {
    s?.parse().ok()
}

/// Whether an IPv6 block association still holds its block. Judged by "not going or
/// gone" rather than `== associated`: EC2 lists a VPC's disassociated blocks for a
/// while, and moto reports a subnet's associated block with a state string of its own
/// (`{'State': 'associated'}`) that is none of EC2's codes.
pub fn ipv6_association_holds(state: Option<&str>) -> bool {
    !matches!(
        state,
        Some("disassociating" | "disassociated" | "failing" | "failed")
    )
}

/// The held IPv6 block of a VPC or a subnet: their association types differ in name
/// only, so a macro reads both.
macro_rules! held_ipv6 {
    ($object:expr) => {
        held_ipv6($object.ipv6_cidr_block_association_set().iter().map(|a| {
            let state = a.ipv6_cidr_block_state().and_then(|s| s.state());
            (
                a.ipv6_cidr_block(),
                a.association_id(),
                state.map(|s| s.as_str()),
            )
        }))
    };
}

/// The first IPv6 block association that still holds, as (block, association id).
fn held_ipv6<'a>(
    associations: impl IntoIterator<Item = (Option<&'a str>, Option<&'a str>, Option<&'a str>)>,
) -> (Option<Ipv6Net>, Option<String>) {
    associations
        .into_iter()
        .filter(|(_, _, state)| ipv6_association_holds(*state))
        .find_map(|(block, id, _)| Some((cidr6(block)?, id.map(str::to_string))))
        .map_or((None, None), |(block, id)| (Some(block), id))
}

pub fn flatten_vpc(v: &Vpc, region: &str) -> Option<VpcObs> {
    let (ipv6_cidr, ipv6_association_id) = held_ipv6!(v);
    Some(VpcObs {
        id: v.vpc_id()?.to_string(),
        region: region.to_string(),
        cidr: cidr(v.cidr_block())?,
        state: v
            .state()
            .map(|s| s.as_str().to_string())
            .unwrap_or_default(),
        tags: flatten_tags(v.tags()),
        dns_hostnames: None,
        ipv6_cidr,
        ipv6_association_id,
    })
}

pub fn flatten_subnet(s: &Subnet, region: &str) -> Option<SubnetObs> {
    let (ipv6_cidr, ipv6_association_id) = held_ipv6!(s);
    Some(SubnetObs {
        id: s.subnet_id()?.to_string(),
        region: region.to_string(),
        vpc_id: s.vpc_id()?.to_string(),
        cidr: cidr(s.cidr_block())?,
        availability_zone: s.availability_zone().unwrap_or_default().to_string(),
        tags: flatten_tags(s.tags()),
        ipv6_cidr,
        ipv6_association_id,
    })
}

fn route_target(r: &Route) -> RouteTarget {
    match (r.gateway_id(), r.vpc_peering_connection_id()) {
        (Some("local"), _) => RouteTarget::Local,
        (_, Some(pcx)) => RouteTarget::Peering(pcx.to_string()),
        (Some(igw), _) if igw.starts_with("igw-") => RouteTarget::Gateway(igw.to_string()),
        (Some(other), _) => RouteTarget::Other(other.to_string()),
        (None, None) => {
            let other = [
                r.nat_gateway_id(),
                r.instance_id(),
                r.network_interface_id(),
                r.transit_gateway_id(),
            ]
            .into_iter()
            .flatten()
            .next();
            RouteTarget::Other(other.unwrap_or("unknown").to_string())
        }
    }
}

pub fn flatten_route_table(t: &RouteTable, region: &str) -> Option<RouteTableObs> {
    let routes = t
        .routes()
        .iter()
        .filter_map(|r| {
            let destination = cidr(r.destination_cidr_block())
                .map(IpNet::V4)
                .or_else(|| cidr6(r.destination_ipv6_cidr_block()).map(IpNet::V6))?;
            Some(RouteObs {
                destination,
                target: route_target(r),
                state: r
                    .state()
                    .map(|s| s.as_str().to_string())
                    .unwrap_or_else(|| "active".to_string()),
            })
        })
        .collect();
    let associations = t
        .associations()
        .iter()
        .filter_map(|a| {
            Some((
                a.route_table_association_id()?.to_string(),
                a.subnet_id()?.to_string(),
            ))
        })
        .collect();
    Some(RouteTableObs {
        id: t.route_table_id()?.to_string(),
        region: region.to_string(),
        vpc_id: t.vpc_id()?.to_string(),
        main: t.associations().iter().any(|a| a.main() == Some(true)),
        associations,
        routes,
        tags: flatten_tags(t.tags()),
    })
}

pub fn flatten_internet_gateway(g: &InternetGateway, region: &str) -> Option<InternetGatewayObs> {
    let attached_vpc_ids = g
        .attachments()
        .iter()
        .filter(|a| {
            !matches!(
                a.state().map(|s| s.as_str()),
                Some("detached" | "detaching")
            )
        })
        .filter_map(|a| a.vpc_id().map(str::to_string))
        .collect();
    Some(InternetGatewayObs {
        id: g.internet_gateway_id()?.to_string(),
        region: region.to_string(),
        attached_vpc_ids,
        tags: flatten_tags(g.tags()),
    })
}

/// ICMP and ICMPv6 (all types) and TCP port ranges from CIDRs are mesh rules; everything
/// else (other protocols, single ICMP types, group references, prefix lists) is foreign.
/// ICMPv6 is read as `58` and as `icmpv6` (moto keeps the spelling it was given).
pub fn flatten_permissions(permissions: &[IpPermission]) -> (Vec<IngressRule>, usize) {
    let mut rules = Vec::new();
    let mut foreign = 0;
    for p in permissions {
        let from = p.from_port().unwrap_or(-1);
        let to = p.to_port().unwrap_or(-1);
        let protocol = match p.ip_protocol() {
            Some("icmp" | "1") if from == -1 && to == -1 => Some(Protocol::Icmp),
            Some("58" | "icmpv6") if from == -1 && to == -1 => Some(Protocol::Icmpv6),
            Some("tcp" | "6") => match (u16::try_from(from), u16::try_from(to)) {
                (Ok(from), Ok(to)) if from <= to => Some(Protocol::Tcp { from, to }),
                _ => None,
            },
            _ => None,
        };
        foreign += p.user_id_group_pairs().len() + p.prefix_list_ids().len();
        let v4 = p
            .ip_ranges()
            .iter()
            .map(|r| cidr(r.cidr_ip()).map(IpNet::V4));
        let v6 = p
            .ipv6_ranges()
            .iter()
            .map(|r| cidr6(r.cidr_ipv6()).map(IpNet::V6));
        for block in v4.chain(v6) {
            match (protocol.clone(), block) {
                (Some(protocol), Some(cidr)) => rules.push(IngressRule { protocol, cidr }),
                _ => foreign += 1,
            }
        }
    }
    rules.sort();
    rules.dedup();
    (rules, foreign)
}

/// One IpPermission per protocol and port range, holding all of its CIDRs (IPv4 ones in
/// IpRanges, IPv6 ones in Ipv6Ranges, written canonical: EC2 emulators compare them as
/// text). ICMPv6 goes as protocol `58` with ports -1 (moto fails without ports).
pub fn expand_rules(rules: &[IngressRule]) -> Vec<IpPermission> {
    let mut by_protocol: BTreeMap<&Protocol, Vec<IpNet>> = BTreeMap::new();
    for r in rules {
        by_protocol.entry(&r.protocol).or_default().push(r.cidr);
    }
    by_protocol
        .into_iter()
        .map(|(protocol, cidrs)| {
            let (name, from, to) = match protocol {
                Protocol::Icmp => ("icmp", -1, -1),
                Protocol::Icmpv6 => ("58", -1, -1),
                Protocol::Tcp { from, to } => ("tcp", i32::from(*from), i32::from(*to)),
            };
            let v4: Vec<IpRange> = cidrs
                .iter()
                .filter_map(|c| match c {
                    IpNet::V4(c) => Some(IpRange::builder().cidr_ip(c.to_string()).build()),
                    IpNet::V6(_) => None,
                })
                .collect();
            let v6: Vec<Ipv6Range> = cidrs
                .iter()
                .filter_map(|c| match c {
                    IpNet::V6(c) => Some(Ipv6Range::builder().cidr_ipv6(c.to_string()).build()),
                    IpNet::V4(_) => None,
                })
                .collect();
            IpPermission::builder()
                .ip_protocol(name)
                .from_port(from)
                .to_port(to)
                .set_ip_ranges((!v4.is_empty()).then_some(v4))
                .set_ipv6_ranges((!v6.is_empty()).then_some(v6))
                .build()
        })
        .collect()
}

pub fn flatten_security_group(g: &SecurityGroup, region: &str) -> Option<SecurityGroupObs> {
    let (rules, foreign_rules) = flatten_permissions(g.ip_permissions());
    Some(SecurityGroupObs {
        id: g.group_id()?.to_string(),
        region: region.to_string(),
        vpc_id: g.vpc_id()?.to_string(),
        name: g.group_name().unwrap_or_default().to_string(),
        rules,
        foreign_rules,
        tags: flatten_tags(g.tags()),
    })
}

/// `region` is where we asked; a side without a region of its own is in that region.
pub fn flatten_peering(p: &VpcPeeringConnection, region: &str) -> Option<PeeringObs> {
    let requester = p.requester_vpc_info()?;
    let accepter = p.accepter_vpc_info()?;
    let status = p
        .status()
        .and_then(|s| s.code())
        .and_then(|c| PeeringStatus::parse(c.as_str()))?;
    let dns = |side: &aws_sdk_ec2::types::VpcPeeringConnectionVpcInfo| {
        side.peering_options()
            .and_then(|o| o.allow_dns_resolution_from_remote_vpc())
            .unwrap_or(false)
    };
    Some(PeeringObs {
        id: p.vpc_peering_connection_id()?.to_string(),
        requester_vpc_id: requester.vpc_id()?.to_string(),
        requester_region: requester.region().unwrap_or(region).to_string(),
        accepter_vpc_id: accepter.vpc_id()?.to_string(),
        accepter_region: accepter.region().unwrap_or(region).to_string(),
        status,
        requester_dns: dns(requester),
        accepter_dns: dns(accepter),
        tags: flatten_tags(p.tags()),
        status_message: p
            .status()
            .and_then(|s| s.message())
            .filter(|m| !m.is_empty())
            .map(str::to_string),
        requester_owner_id: requester.owner_id().map(str::to_string),
        accepter_owner_id: accepter.owner_id().map(str::to_string),
    })
}

#[cfg(test)]
mod tests;
