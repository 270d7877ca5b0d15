//! Two accounts and IPv6 in the mesh lab, read from moto the way `meshlab up
//! --role-arn` reads it: VPC A in the own account, VPC B in another one
//! reached through STS AssumeRole, both dual-stack, joined by a peering that A's
//! account requests and B's accepts. Objects are made with raw Query API calls
//! (meshlab's own client), each with the keys of the account that owns it.

use std::net::IpAddr;

use acceptance_tests::{MeshLab, MotoServer};
use ipnet::Ipv6Net;
use meshlab::query::{find_text, Ec2Api};
use meshlab::LabSpec;

use crate::meshlab_support::{all_pairs, without, Pairs};

const REGION: &str = "us-east-1";
const OTHER_ACCOUNT: &str = "222222222222";
const ROLE: &str = "arn:aws:iam::222222222222:role/meshlab";

/// One call; panics with EC2's error (a test that cannot build its world fails).
#[track_caller]
fn call(api: &Ec2Api, action: &str, params: &[(&str, &str)]) -> String {
    api.call(action, params)
        .unwrap_or_else(|e| panic!("{action}: {e}"))
}

/// The first `tag` of a call's answer.
#[track_caller]
fn id(api: &Ec2Api, action: &str, params: &[(&str, &str)], tag: &str) -> String {
    let answer = call(api, action, params);
    find_text(&answer, tag).unwrap_or_else(|| panic!("{action} answered no {tag}:\n{answer}"))
}

struct Vpc {
    id: String,
    ipv6: Ipv6Net,
    subnet: String,
    table: String,
    group: String,
}

/// A dual-stack VPC (EC2 picks the /56) with one subnet on its first /64, its
/// main route table and an empty security group.
fn dual_stack_vpc(api: &Ec2Api, cidr: &str, subnet_cidr: &str, name: &str) -> Vpc {
    let answer = call(
        api,
        "CreateVpc",
        &[("CidrBlock", cidr), ("AmazonProvidedIpv6CidrBlock", "true")],
    );
    let vpc = find_text(&answer, "vpcId").expect("vpc id");
    let ipv6: Ipv6Net = find_text(&answer, "ipv6CidrBlock")
        .and_then(|b| b.parse().ok())
        .unwrap_or_else(|| panic!("CreateVpc gave no IPv6 block:\n{answer}"));
    let subnet_ipv6 = Ipv6Net::new(ipv6.network(), 64).expect("a /64").to_string();
    let subnet = id(
        api,
        "CreateSubnet",
        &[
            ("VpcId", &vpc),
            ("CidrBlock", subnet_cidr),
            ("Ipv6CidrBlock", &subnet_ipv6),
        ],
        "subnetId",
    );
    let table = id(
        api,
        "DescribeRouteTables",
        &[("Filter.1.Name", "vpc-id"), ("Filter.1.Value.1", &vpc)],
        "routeTableId",
    );
    let group = id(
        api,
        "CreateSecurityGroup",
        &[
            ("GroupName", name),
            ("GroupDescription", name),
            ("VpcId", &vpc),
        ],
        "groupId",
    );
    Vpc {
        id: vpc,
        ipv6,
        subnet,
        table,
        group,
    }
}

/// ICMP from `v4` and ICMPv6 (protocol "58", ports -1) from `v6` into `group`.
fn allow_pings(api: &Ec2Api, group: &str, v4: &str, v6: &str) {
    call(
        api,
        "AuthorizeSecurityGroupIngress",
        &[
            ("GroupId", group),
            ("IpPermissions.1.IpProtocol", "icmp"),
            ("IpPermissions.1.FromPort", "-1"),
            ("IpPermissions.1.ToPort", "-1"),
            ("IpPermissions.1.IpRanges.1.CidrIp", v4),
            ("IpPermissions.2.IpProtocol", "58"),
            ("IpPermissions.2.FromPort", "-1"),
            ("IpPermissions.2.ToPort", "-1"),
            ("IpPermissions.2.Ipv6Ranges.1.CidrIpv6", v6),
        ],
    );
}

/// A running instance called `name` with one IPv6 address EC2 picks.
fn instance(api: &Ec2Api, vpc: &Vpc, ip: &str, name: &str) {
    call(
        api,
        "RunInstances",
        &[
            ("ImageId", "ami-12345678"),
            ("MinCount", "1"),
            ("MaxCount", "1"),
            ("SubnetId", &vpc.subnet),
            ("PrivateIpAddress", ip),
            ("SecurityGroupId.1", &vpc.group),
            ("Ipv6AddressCount", "1"),
            ("TagSpecification.1.ResourceType", "instance"),
            ("TagSpecification.1.Tag.1.Key", "Name"),
            ("TagSpecification.1.Tag.1.Value", name),
        ],
    );
}

fn route(api: &Ec2Api, action: &str, table: &str, destination: &str, target: (&str, &str)) {
    let family = if destination.contains(':') {
        "DestinationIpv6CidrBlock"
    } else {
        "DestinationCidrBlock"
    };
    let mut params = vec![("RouteTableId", table), (family, destination)];
    if action == "CreateRoute" {
        params.push(target);
    }
    call(api, action, &params);
}

#[track_caller]
fn assert_pairs(what: &str, observed: Pairs, expected: &Pairs, lab: &MeshLab) {
    assert_eq!(&observed, expected, "{what}\n{}", lab.status());
}

#[test]
fn two_accounts_dual_stack_peering_mirrored_from_moto() {
    const TEST: &str = "two_accounts_dual_stack_peering_mirrored_from_moto";
    if let Some(reason) = MeshLab::unavailable_reason() {
        return acceptance_tests::missing_prerequisite(TEST, &reason);
    }
    let Some(moto) = MotoServer::require(TEST) else {
        return;
    };
    let endpoint = moto.endpoint();
    let own = Ec2Api::new(&endpoint, REGION);
    let other = Ec2Api::assume_role(&endpoint, REGION, ROLE).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(other.account_id().unwrap(), OTHER_ACCOUNT);
    assert_ne!(own.account_id().unwrap(), OTHER_ACCOUNT);

    let a = dual_stack_vpc(&own, "10.1.0.0/16", "10.1.1.0/24", "alpha");
    let b = dual_stack_vpc(&other, "10.2.0.0/16", "10.2.1.0/24", "beta");
    let pcx = id(
        &own,
        "CreateVpcPeeringConnection",
        &[
            ("VpcId", &a.id),
            ("PeerVpcId", &b.id),
            ("PeerOwnerId", OTHER_ACCOUNT),
        ],
        "vpcPeeringConnectionId",
    );
    call(
        &other,
        "AcceptVpcPeeringConnection",
        &[("VpcPeeringConnectionId", &pcx)],
    );
    let via_pcx = ("VpcPeeringConnectionId", pcx.as_str());
    for (api, from, to, v4) in [
        (&own, &a, &b, "10.2.0.0/16"),
        (&other, &b, &a, "10.1.0.0/16"),
    ] {
        route(api, "CreateRoute", &from.table, v4, via_pcx);
        route(
            api,
            "CreateRoute",
            &from.table,
            &to.ipv6.to_string(),
            via_pcx,
        );
    }
    // A is public over IPv6: ::/0 to its internet gateway, ICMPv6 from anywhere.
    let igw = id(&own, "CreateInternetGateway", &[], "internetGatewayId");
    call(
        &own,
        "AttachInternetGateway",
        &[("InternetGatewayId", &igw), ("VpcId", &a.id)],
    );
    route(&own, "CreateRoute", &a.table, "::/0", ("GatewayId", &igw));
    allow_pings(&own, &a.group, "10.0.0.0/8", "::/0");
    let a_block = a.ipv6.to_string();
    allow_pings(&other, &b.group, "10.1.0.0/16", &a_block);
    // And SSH from A over IPv6 only.
    call(
        &other,
        "AuthorizeSecurityGroupIngress",
        &[
            ("GroupId", &b.group),
            ("IpPermissions.1.IpProtocol", "tcp"),
            ("IpPermissions.1.FromPort", "22"),
            ("IpPermissions.1.ToPort", "22"),
            ("IpPermissions.1.Ipv6Ranges.1.CidrIpv6", &a_block),
        ],
    );
    instance(&own, &a, "10.1.1.10", "alpha");
    instance(&other, &b, "10.2.1.10", "beta");

    let read = || {
        LabSpec::from_ec2_accounts_vpcs(&endpoint, REGION, &[ROLE.to_string()], |id| {
            id == a.id || id == b.id
        })
        .unwrap_or_else(|e| panic!("reading the lab's spec: {e}"))
    };
    let spec = read();
    assert_eq!(spec.vpcs.len(), 2, "{spec:#?}");
    assert_eq!(
        spec.vpc(&b.id).and_then(|v| v.owner_id.as_deref()),
        Some(OTHER_ACCOUNT)
    );
    assert_eq!(
        spec.peerings.len(),
        1,
        "one peering, listed by both accounts"
    );
    let mut lab = MeshLab::up(spec).unwrap_or_else(|e| panic!("{e}"));
    let both = all_pairs(&["alpha", "beta"]);
    assert_pairs("IPv4 over the peering", lab.ping_matrix(), &both, &lab);
    assert_pairs("IPv6 over the peering", lab.ping_matrix_ipv6(), &both, &lab);

    // The runner ("the internet") reaches A's global IPv6 address, routed
    // without NAT, and not B's (no gateway).
    let v6 = |name: &str| IpAddr::V6(lab.host(name).ipv6_addresses[0]);
    assert!(
        lab.ping_addr_from(lab.runner(), v6("alpha")),
        "{}",
        lab.status()
    );
    assert!(!lab.ping_addr_from(lab.runner(), v6("beta")));
    let alpha_ns = lab.host("alpha").namespace.clone();
    lab.ssh_from(&alpha_ns, v6("beta"), &["true"])
        .expect_success();
    let beta_v4 = lab.host("beta").private_ip;
    assert!(
        !lab.ssh_from(&alpha_ns, beta_v4, &["true"]).success(),
        "B admits SSH from A's IPv6 block only"
    );

    // B's IPv6 route back to A is deleted: IPv6 fails both ways (asymmetric
    // routes fail, as in AWS), IPv4 is untouched.
    route(&other, "DeleteRoute", &b.table, &a_block, via_pcx);
    lab.sync(read())
        .expect("sync after the IPv6 route is deleted");
    assert_pairs(
        "IPv4 without B's IPv6 route",
        lab.ping_matrix(),
        &both,
        &lab,
    );
    assert_pairs(
        "IPv6 without B's IPv6 route",
        lab.ping_matrix_ipv6(),
        &Pairs::new(),
        &lab,
    );
    route(&other, "CreateRoute", &b.table, &a_block, via_pcx);
    lab.sync(read()).expect("sync after the IPv6 route is back");
    assert_pairs(
        "IPv6 with the route back",
        lab.ping_matrix_ipv6(),
        &both,
        &lab,
    );

    // B's group no longer admits ICMPv6 from A: only B -> A answers over IPv6.
    call(
        &other,
        "RevokeSecurityGroupIngress",
        &[
            ("GroupId", &b.group),
            ("IpPermissions.1.IpProtocol", "58"),
            ("IpPermissions.1.FromPort", "-1"),
            ("IpPermissions.1.ToPort", "-1"),
            ("IpPermissions.1.Ipv6Ranges.1.CidrIpv6", &a_block),
        ],
    );
    lab.sync(read())
        .expect("sync after the ICMPv6 rule is revoked");
    assert_pairs("IPv4 without ICMPv6", lab.ping_matrix(), &both, &lab);
    assert_pairs(
        "IPv6 without B's ICMPv6 rule",
        lab.ping_matrix_ipv6(),
        &without(&both, &[("alpha", "beta")]),
        &lab,
    );

    // The accepter's account deletes the peering: both families go, though
    // moto keeps the routes through it active.
    call(
        &other,
        "DeleteVpcPeeringConnection",
        &[("VpcPeeringConnectionId", &pcx)],
    );
    lab.sync(read()).expect("sync after the peering is deleted");
    assert_pairs(
        "IPv4, peering deleted",
        lab.ping_matrix(),
        &Pairs::new(),
        &lab,
    );
    assert_pairs(
        "IPv6, peering deleted",
        lab.ping_matrix_ipv6(),
        &Pairs::new(),
        &lab,
    );
}
