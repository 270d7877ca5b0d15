//! From aws-sdk-ec2's types to the snapshot's plain ones.

use aws_sdk_ec2::types as sdk;

use super::snapshot::{
    IngressRule, InternetGateway, Peering, Route, RouteTable, SecurityGroup, Subnet, Tags, Vpc,
};

fn text(value: Option<&str>) -> String {
    value.unwrap_or_default().to_string()
}

fn tags(tags: &[sdk::Tag]) -> Tags {
    tags.iter()
        .filter_map(|t| {
            Some((
                t.key()?.to_string(),
                t.value().unwrap_or_default().to_string(),
            ))
        })
        .collect()
}

/// An IPv6 block association in force. Moto reports a subnet's state as the text
/// `{'State': 'associated'}` rather than `associated`, so the word is looked for.
fn associated(state: Option<&str>) -> bool {
    state.is_some_and(|s| s.contains("associated") && !s.contains("disassociat"))
}

pub fn vpc(v: &sdk::Vpc) -> Vpc {
    Vpc {
        id: text(v.vpc_id()),
        cidr_block: text(v.cidr_block()),
        ipv6_cidr_blocks: v
            .ipv6_cidr_block_association_set()
            .iter()
            .filter(|a| {
                associated(
                    a.ipv6_cidr_block_state()
                        .and_then(|s| s.state())
                        .map(|s| s.as_str()),
                )
            })
            .filter_map(|a| a.ipv6_cidr_block().map(str::to_string))
            .collect(),
        owner_id: text(v.owner_id()),
        tags: tags(v.tags()),
    }
}

pub fn subnet(s: &sdk::Subnet) -> Subnet {
    Subnet {
        id: text(s.subnet_id()),
        vpc_id: text(s.vpc_id()),
        cidr_block: text(s.cidr_block()),
        ipv6_cidr_blocks: s
            .ipv6_cidr_block_association_set()
            .iter()
            .filter(|a| {
                associated(
                    a.ipv6_cidr_block_state()
                        .and_then(|s| s.state())
                        .map(|s| s.as_str()),
                )
            })
            .filter_map(|a| a.ipv6_cidr_block().map(str::to_string))
            .collect(),
        tags: tags(s.tags()),
    }
}

pub fn route_table(t: &sdk::RouteTable) -> RouteTable {
    RouteTable {
        id: text(t.route_table_id()),
        vpc_id: text(t.vpc_id()),
        main: t.associations().iter().any(|a| a.main() == Some(true)),
        subnet_ids: t
            .associations()
            .iter()
            .filter_map(|a| a.subnet_id().map(str::to_string))
            .collect(),
        routes: t
            .routes()
            .iter()
            .map(|r| Route {
                destination: r
                    .destination_cidr_block()
                    .or(r.destination_ipv6_cidr_block())
                    .map(str::to_string),
                peering_id: r.vpc_peering_connection_id().map(str::to_string),
                gateway_id: r.gateway_id().map(str::to_string),
                state: r.state().map(|s| s.as_str().to_string()),
            })
            .collect(),
        tags: tags(t.tags()),
    }
}

pub fn internet_gateway(g: &sdk::InternetGateway) -> InternetGateway {
    InternetGateway {
        id: text(g.internet_gateway_id()),
        attachments: g
            .attachments()
            .iter()
            .map(|a| {
                (
                    text(a.vpc_id()),
                    a.state()
                        .map(|s| s.as_str().to_string())
                        .unwrap_or_default(),
                )
            })
            .collect(),
        tags: tags(g.tags()),
    }
}

pub fn security_group(g: &sdk::SecurityGroup) -> SecurityGroup {
    let ingress = g
        .ip_permissions()
        .iter()
        .flat_map(|p| {
            let v4 = p.ip_ranges().iter().map(|range| text(range.cidr_ip()));
            let v6 = p.ipv6_ranges().iter().map(|range| text(range.cidr_ipv6()));
            v4.chain(v6).map(move |cidr| IngressRule {
                protocol: text(p.ip_protocol()),
                from_port: p.from_port(),
                to_port: p.to_port(),
                cidr,
            })
        })
        .collect();
    SecurityGroup {
        id: text(g.group_id()),
        vpc_id: text(g.vpc_id()),
        name: text(g.group_name()),
        ingress,
        tags: tags(g.tags()),
    }
}

pub fn peering(p: &sdk::VpcPeeringConnection) -> Peering {
    let side = |info: Option<&sdk::VpcPeeringConnectionVpcInfo>| {
        (
            text(info.and_then(|i| i.vpc_id())),
            info.and_then(|i| i.peering_options())
                .and_then(|o| o.allow_dns_resolution_from_remote_vpc()),
            text(info.and_then(|i| i.owner_id())),
            text(info.and_then(|i| i.region())),
        )
    };
    let (requester_vpc_id, requester_dns, requester_owner_id, requester_region) =
        side(p.requester_vpc_info());
    let (accepter_vpc_id, accepter_dns, accepter_owner_id, accepter_region) =
        side(p.accepter_vpc_info());
    Peering {
        id: text(p.vpc_peering_connection_id()),
        requester_vpc_id,
        accepter_vpc_id,
        requester_owner_id,
        accepter_owner_id,
        requester_region,
        accepter_region,
        status: p
            .status()
            .and_then(|s| s.code())
            .map(|c| c.as_str().to_string())
            .unwrap_or_default(),
        requester_dns,
        accepter_dns,
        tags: tags(p.tags()),
    }
}
