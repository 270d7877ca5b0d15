//! SDK types to domain observations (`flatten_*`) and back (`expand_*`). Objects
//! missing an id or a parseable CIDR are skipped: the mesh cannot manage them anyway.

use std::collections::BTreeMap;

use aws_sdk_ec2::types::{
    Filter, InternetGateway, IpPermission, IpRange, ResourceType, Route, RouteTable, SecurityGroup,
    Subnet, Tag, TagSpecification, Vpc, VpcPeeringConnection,
};
use ipnet::Ipv4Net;

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

pub fn flatten_vpc(v: &Vpc, region: &str) -> Option<VpcObs> {
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
    })
}

pub fn flatten_subnet(s: &Subnet, region: &str) -> Option<SubnetObs> {
    Some(SubnetObs {
        id: s.subnet_id()?.to_string(),
        region: region.to_string(),
        vpc_id: s.vpc_id()?.to_string(),
        cidr: cidr(s.cidr_block())?,
        availability_zone: s.availability_zone().unwrap_or_default().to_string(),
        tags: flatten_tags(s.tags()),
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
            Some(RouteObs {
                destination: cidr(r.destination_cidr_block())?,
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

/// ICMP (all types) and TCP port ranges from IPv4 CIDRs are mesh rules; everything else
/// (other protocols, ICMP types, IPv6, group references, prefix lists) is foreign.
pub fn flatten_permissions(permissions: &[IpPermission]) -> (Vec<IngressRule>, usize) {
    let mut rules = Vec::new();
    let mut foreign = 0;
    for p in permissions {
        let from = p.from_port().unwrap_or(-1);
        let to = p.to_port().unwrap_or(-1);
        let protocol = match p.ip_protocol() {
            Some("icmp" | "1") if from == -1 && to == -1 => Some(Protocol::Icmp),
            Some("tcp" | "6") => match (u16::try_from(from), u16::try_from(to)) {
                (Ok(from), Ok(to)) if from <= to => Some(Protocol::Tcp { from, to }),
                _ => None,
            },
            _ => None,
        };
        foreign +=
            p.ipv6_ranges().len() + p.user_id_group_pairs().len() + p.prefix_list_ids().len();
        for range in p.ip_ranges() {
            match (protocol.clone(), cidr(range.cidr_ip())) {
                (Some(protocol), Some(cidr)) => rules.push(IngressRule { protocol, cidr }),
                _ => foreign += 1,
            }
        }
    }
    rules.sort();
    rules.dedup();
    (rules, foreign)
}

/// One IpPermission per protocol and port range, holding all of its CIDRs.
pub fn expand_rules(rules: &[IngressRule]) -> Vec<IpPermission> {
    let mut by_protocol: BTreeMap<&Protocol, Vec<Ipv4Net>> = BTreeMap::new();
    for r in rules {
        by_protocol.entry(&r.protocol).or_default().push(r.cidr);
    }
    by_protocol
        .into_iter()
        .map(|(protocol, cidrs)| {
            let (name, from, to) = match protocol {
                Protocol::Icmp => ("icmp", -1, -1),
                Protocol::Tcp { from, to } => ("tcp", i32::from(*from), i32::from(*to)),
            };
            let ranges = cidrs
                .iter()
                .map(|c| IpRange::builder().cidr_ip(c.to_string()).build())
                .collect();
            IpPermission::builder()
                .ip_protocol(name)
                .from_port(from)
                .to_port(to)
                .set_ip_ranges(Some(ranges))
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
mod tests {
    use super::*;
    use aws_sdk_ec2::types::{Ipv6Range, UserIdGroupPair};

    fn net(s: &str) -> Ipv4Net {
        s.parse().unwrap()
    }

    #[test]
    fn rules_round_trip_and_foreign_rules_are_counted() {
        let rules = vec![
            IngressRule {
                protocol: Protocol::Icmp,
                cidr: net("10.2.0.0/16"),
            },
            IngressRule {
                protocol: Protocol::Icmp,
                cidr: net("10.3.0.0/16"),
            },
            IngressRule {
                protocol: Protocol::Tcp { from: 22, to: 22 },
                cidr: net("10.1.1.0/24"),
            },
        ];
        let permissions = expand_rules(&rules);
        assert_eq!(permissions.len(), 2);
        assert_eq!(flatten_permissions(&permissions), (rules.clone(), 0));

        let icmp_echo_only = IpPermission::builder()
            .ip_protocol("icmp")
            .from_port(8)
            .to_port(-1)
            .ip_ranges(IpRange::builder().cidr_ip("10.9.0.0/16").build())
            .build();
        let all_traffic_from_group = IpPermission::builder()
            .ip_protocol("-1")
            .user_id_group_pairs(UserIdGroupPair::builder().group_id("sg-1").build())
            .build();
        let tcp_v6 = IpPermission::builder()
            .ip_protocol("tcp")
            .from_port(443)
            .to_port(443)
            .ipv6_ranges(Ipv6Range::builder().cidr_ipv6("::/0").build())
            .build();
        let mixed = [
            permissions,
            vec![icmp_echo_only, all_traffic_from_group, tcp_v6],
        ]
        .concat();
        assert_eq!(flatten_permissions(&mixed), (rules, 3));
    }

    #[test]
    fn a_peerings_status_message_is_kept() {
        use aws_sdk_ec2::types::{
            VpcPeeringConnectionStateReason, VpcPeeringConnectionStateReasonCode,
            VpcPeeringConnectionVpcInfo,
        };
        let side = |vpc: &str| VpcPeeringConnectionVpcInfo::builder().vpc_id(vpc).build();
        let with = |message: &str| {
            let status = VpcPeeringConnectionStateReason::builder()
                .code(VpcPeeringConnectionStateReasonCode::Failed)
                .message(message)
                .build();
            let p = VpcPeeringConnection::builder()
                .vpc_peering_connection_id("pcx-1")
                .requester_vpc_info(side("vpc-1"))
                .accepter_vpc_info(side("vpc-2"))
                .status(status)
                .build();
            flatten_peering(&p, "eu-west-2").unwrap()
        };
        let failed = with("Overlapping CIDR range");
        assert_eq!(failed.status, PeeringStatus::Failed);
        assert_eq!(
            failed.status_message.as_deref(),
            Some("Overlapping CIDR range")
        );
        assert_eq!(with("").status_message, None);
    }

    #[test]
    fn tag_specs_skip_empty_tags() {
        assert!(tag_spec(ResourceType::Vpc, &Tags::new()).is_none());
        let tags = Tags::from([("peering:mesh".to_string(), "m".to_string())]);
        let spec = tag_spec(ResourceType::Vpc, &tags).unwrap();
        assert_eq!(flatten_tags(spec.tags()), tags);
    }
}
