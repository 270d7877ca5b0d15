use super::*;
use aws_sdk_ec2::types::UserIdGroupPair;

fn net(s: &str) -> IpNet {
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
        IngressRule {
            protocol: Protocol::Tcp { from: 22, to: 22 },
            cidr: net("2001:db8::/32"),
        },
        IngressRule {
            protocol: Protocol::Icmpv6,
            cidr: net("2400:6500:13e1:8000::/56"),
        },
    ];
    let permissions = expand_rules(&rules);
    assert_eq!(permissions.len(), 3);
    let icmpv6 = permissions
        .iter()
        .find(|p| p.ip_protocol() == Some("58"))
        .unwrap();
    assert_eq!((icmpv6.from_port(), icmpv6.to_port()), (Some(-1), Some(-1)));
    assert_eq!(
        icmpv6.ipv6_ranges()[0].cidr_ipv6(),
        Some("2400:6500:13e1:8000::/56")
    );
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
    let icmpv6_echo_only = IpPermission::builder()
        .ip_protocol("icmpv6")
        .from_port(128)
        .to_port(-1)
        .ipv6_ranges(Ipv6Range::builder().cidr_ipv6("::/0").build())
        .build();
    let mixed = [
        permissions,
        vec![icmp_echo_only, all_traffic_from_group, icmpv6_echo_only],
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

#[test]
fn ipv6_blocks_count_while_held_and_ipv6_routes_are_read() {
    use aws_sdk_ec2::types::{
        SubnetCidrBlockState, SubnetCidrBlockStateCode, SubnetIpv6CidrBlockAssociation,
        VpcCidrBlockState, VpcCidrBlockStateCode, VpcIpv6CidrBlockAssociation,
    };
    let vpc_assoc = |block: &str, id: &str, state: VpcCidrBlockStateCode| {
        VpcIpv6CidrBlockAssociation::builder()
            .ipv6_cidr_block(block)
            .association_id(id)
            .ipv6_cidr_block_state(VpcCidrBlockState::builder().state(state).build())
            .build()
    };
    let vpc = Vpc::builder()
        .vpc_id("vpc-1")
        .cidr_block("10.1.0.0/16")
        .ipv6_cidr_block_association_set(vpc_assoc(
            "2400:6500:1::/56",
            "vpc-cidr-assoc-old",
            VpcCidrBlockStateCode::Disassociated,
        ))
        .ipv6_cidr_block_association_set(vpc_assoc(
            "2400:6500:2::/56",
            "vpc-cidr-assoc-new",
            VpcCidrBlockStateCode::Associated,
        ))
        .build();
    let obs = flatten_vpc(&vpc, "us-east-1").unwrap();
    assert_eq!(obs.ipv6_cidr, Some("2400:6500:2::/56".parse().unwrap()));
    assert_eq!(
        obs.ipv6_association_id.as_deref(),
        Some("vpc-cidr-assoc-new")
    );

    // Moto's subnet state is none of EC2's codes; it still holds the block.
    let moto_state = SubnetCidrBlockStateCode::from("{'State': 'associated'}");
    let subnet = Subnet::builder()
        .subnet_id("subnet-1")
        .vpc_id("vpc-1")
        .cidr_block("10.1.1.0/24")
        .ipv6_cidr_block_association_set(
            SubnetIpv6CidrBlockAssociation::builder()
                .ipv6_cidr_block("2400:6500:2:1::/64")
                .association_id("subnet-cidr-assoc-1")
                .ipv6_cidr_block_state(SubnetCidrBlockState::builder().state(moto_state).build())
                .build(),
        )
        .build();
    let obs = flatten_subnet(&subnet, "us-east-1").unwrap();
    assert_eq!(obs.ipv6_cidr, Some("2400:6500:2:1::/64".parse().unwrap()));

    let table = RouteTable::builder()
        .route_table_id("rtb-1")
        .vpc_id("vpc-1")
        .routes(
            Route::builder()
                .destination_ipv6_cidr_block("::/0")
                .gateway_id("igw-1")
                .build(),
        )
        .build();
    let routes = flatten_route_table(&table, "us-east-1").unwrap().routes;
    assert_eq!(routes[0].destination, net("::/0"));
    assert_eq!(routes[0].target, RouteTarget::Gateway("igw-1".into()));
}
