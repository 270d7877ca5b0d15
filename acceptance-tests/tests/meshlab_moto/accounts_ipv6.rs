//! Two accounts and IPv6 in the mesh lab, read from moto the way `meshlab up
//! --role-arn` reads it: VPC A in the own account, VPC B in another one
//! reached through STS AssumeRole, both dual-stack, joined by a peering that A's
//! account requests and B's accepts. Objects are made with raw Query API calls
//! (meshlab's own client), each with the keys of the account that owns it.

use std::net::IpAddr;

use acceptance_tests::{MeshLab, MotoServer};
use meshlab::query::Ec2Api;
use meshlab::LabSpec;

use crate::meshlab_support::{all_pairs, without, Pairs};
use crate::query_world::{allow_pings, call, dual_stack_vpc, id, instance, route};

const REGION: &str = "us-east-1";
const OTHER_ACCOUNT: &str = "222222222222";
const ROLE: &str = "arn:aws:iam::222222222222:role/meshlab";

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
