//! Pairs probed over IPv6: the lab made dual-stack (VPC `n` also has 2001:db8:0:n00::/56,
//! its host `…::h` there, IPv6 routes to every peer's /56 and ICMPv6 rules from every
//! /56), every host probed at its IPv6 address, each case breaking one IPv6 part while
//! the IPv4 parts stay whole.

use std::net::{IpAddr, Ipv6Addr};

use ipnet::IpNet;

use super::*;

const BOTH_WAYS_3_4: [(&str, &str); 2] = [("testing", "shared"), ("shared", "testing")];

fn block6(n: usize) -> IpNet {
    format!("2001:db8:0:{n}00::/56").parse().unwrap()
}

fn address6(n: usize) -> Ipv6Addr {
    format!("2001:db8:0:{n}00::{n}").parse().unwrap()
}

/// The lab, dual-stack and probed over IPv6.
fn dual_stack() -> Snapshot {
    let mut s = lab();
    for n in 1..=4 {
        let name = LAB[n - 1].0;
        let IpNet::V6(block) = block6(n) else {
            unreachable!()
        };
        s.vpcs[n - 1].ipv6_cidr = Some(block);
        let host = host_mut(&mut s, name);
        host.ipv6 = Some(address6(n));
        host.address = IpAddr::V6(address6(n));
        let table = table_mut(&mut s, &format!("rtb-{n}"));
        table.routes.push(route(block6(n), RouteTarget::Local));
        for m in peers(n) {
            let via = RouteTarget::Peering(pcx(n, m));
            table.routes.push(route(block6(m), via));
        }
        let group = group_mut(&mut s, &format!("sg-{n}"));
        group.ingress.extend((1..=4).map(|m| IngressRule {
            traffic: Traffic::Icmpv6 { icmp_type: None },
            source: block6(m),
        }));
    }
    s
}

#[test]
fn ipv6_whole_mesh_has_nothing_to_diagnose() {
    let results = matrix(&[]);
    let e = run(&results, &full_mesh(), Some(&dual_stack()));
    assert!(e.diagnosis.is_empty(), "{:?}", e.diagnosis);
}

#[test]
fn ipv6_missing_route_names_table_block_and_peering() {
    let mut s = dual_stack();
    table_mut(&mut s, "rtb-3")
        .routes
        .retain(|r| r.destination != block6(4));
    let results = matrix(&BOTH_WAYS_3_4);
    let e = run(&results, &full_mesh(), Some(&s));
    let sentence = "route table rtb-3 (rtb/testing/private) has no route to 2001:db8:0:400::/56 (VPC shared) through peering pcx-34 (pcx/shared:testing)";
    assert_eq!(e.diagnosis, [sentence]);
    assert_eq!(
        cause_of(&results, &e, "shared", "testing").as_deref(),
        Some(sentence),
        "the reply from testing needs the same route"
    );
    // The IPv4 route to 10.4.0.0/16 is there, and answers no IPv6 question.
    assert!(table_mut(&mut s, "rtb-3")
        .routes
        .iter()
        .any(|r| r.destination == cidr(4)));
}

#[test]
fn ipv6_default_route_to_the_internet_is_not_a_route_to_the_peer() {
    let mut s = dual_stack();
    let table = table_mut(&mut s, "rtb-3");
    table.routes.retain(|r| r.destination != block6(4));
    table.routes.push(route(
        "::/0".parse().unwrap(),
        RouteTarget::Gateway("igw-3".into()),
    ));
    let e = run(&matrix(&BOTH_WAYS_3_4), &full_mesh(), Some(&s));
    assert_eq!(
        e.diagnosis,
        ["route table rtb-3 (rtb/testing/private) has no route to 2001:db8:0:400::/56 (VPC shared) through peering pcx-34 (pcx/shared:testing)"]
    );
}

#[test]
fn ipv6_blackholed_route_is_named_like_an_ipv4_one() {
    let mut s = dual_stack();
    for r in &mut table_mut(&mut s, "rtb-4").routes {
        r.blackhole |= r.destination == block6(3);
    }
    let e = run(&matrix(&BOTH_WAYS_3_4), &full_mesh(), Some(&s));
    assert_eq!(
        e.diagnosis,
        ["route table rtb-4 (rtb/shared/private) sends 2001:db8:0:300::/56 (VPC testing) to peering pcx-34 (pcx/shared:testing), which EC2 marks as a blackhole"]
    );
}

#[test]
fn ipv6_security_group_without_icmpv6_names_the_group() {
    let mut s = dual_stack();
    // ICMP from VPC testing's IPv4 block stays: it does not admit ICMPv6.
    let sg = group_mut(&mut s, "sg-4");
    sg.ingress.retain(|r| r.source != block6(3));
    let results = matrix(&[("testing", "shared")]);
    let e = run(&results, &full_mesh(), Some(&s));
    let sentence = "security group sg-4 (sg/shared) of VPC shared (host shared) has no inbound rule for ICMPv6 echo from 2001:db8:0:300::3 (VPC testing, 2001:db8:0:300::/56)";
    assert_eq!(e.diagnosis, [sentence]);
    assert_eq!(
        with_cause(&results, &e),
        [("testing".to_string(), "shared".to_string())]
    );
}

#[test]
fn ipv6_covering_rules_admit_echo_and_others_do_not() {
    let admits = |traffic: Traffic, source: &str, from: &str| {
        let rule = IngressRule {
            traffic,
            source: source.parse().unwrap(),
        };
        rule.admits_echo_from(from.parse().unwrap())
    };
    let from = "2001:db8:0:300::3";
    let icmpv6 = |icmp_type| Traffic::Icmpv6 { icmp_type };
    assert!(admits(icmpv6(None), "::/0", from));
    assert!(admits(icmpv6(None), "2001:db8::/32", from));
    assert!(admits(icmpv6(Some(128)), "2001:db8:0:300::/56", from));
    assert!(admits(Traffic::All, "::/0", from));
    assert!(!admits(icmpv6(Some(129)), "::/0", from), "echo reply only");
    assert!(!admits(icmpv6(None), "2001:db8:0:400::/56", from));
    assert!(!admits(Traffic::Icmp { icmp_type: None }, "::/0", from));
    assert!(!admits(Traffic::All, "0.0.0.0/0", from), "an IPv4 block");
    assert!(
        !admits(icmpv6(None), "::/0", "10.3.1.129"),
        "ICMPv6 is not ICMP"
    );
    assert!(admits(
        Traffic::Icmp { icmp_type: Some(8) },
        "10.0.0.0/8",
        "10.3.1.129"
    ));

    // In the lab: VPC shared admitting ICMPv6 from everywhere is enough.
    let mut s = dual_stack();
    let sg = group_mut(&mut s, "sg-4");
    sg.ingress.retain(|r| r.source != block6(3));
    sg.ingress.push(IngressRule {
        traffic: icmpv6(None),
        source: "::/0".parse().unwrap(),
    });
    let e = run(&matrix(&[("testing", "shared")]), &full_mesh(), Some(&s));
    assert_eq!(
        e.diagnosis,
        ["control plane looks right between hosts shared and testing: a data-plane problem (host firewall, network ACL or the network itself)"]
    );
}

#[test]
fn ipv4_and_ipv6_sources_a_group_blocks_are_one_sentence() {
    let mut s = dual_stack();
    // Host shared is also probed at its IPv4 address, as shared-v4; its group admits
    // neither production's ICMP nor testing's ICMPv6.
    let mut v4 = s.host("shared").unwrap().clone();
    v4.name = "shared-v4".to_string();
    v4.address = IpAddr::V4(v4.private_ip);
    s.hosts.push(v4);
    let sg = group_mut(&mut s, "sg-4");
    sg.ingress
        .retain(|r| r.source != cidr(1) && r.source != block6(3));
    let mut results = matrix(&[("testing", "shared")]);
    results.push(result("production", "shared-v4", false));
    let e = run(&results, &full_mesh(), Some(&s));
    assert_eq!(
        e.diagnosis,
        ["security group sg-4 (sg/shared) of VPC shared (hosts shared, shared-v4) has no inbound rule for ICMP echo from 10.1.2.249 (VPC production, 10.1.0.0/16), nor for ICMPv6 echo from 2001:db8:0:300::3 (VPC testing, 2001:db8:0:300::/56)"]
    );
}

#[test]
fn ipv6_source_without_an_address_is_named() {
    let mut s = dual_stack();
    host_mut(&mut s, "testing").ipv6 = None;
    let e = run(&matrix(&[("testing", "shared")]), &full_mesh(), Some(&s));
    assert_eq!(
        e.diagnosis,
        ["instance i-3 (host testing) has no IPv6 address, so it cannot send IPv6 echo requests: give it one in a subnet with an IPv6 block"]
    );
}

#[test]
fn ipv6_source_without_an_address_explains_pairs_it_could_not_ping() {
    // ping6 fails at once without an address to send from: no statistics, not probed.
    let mut s = dual_stack();
    host_mut(&mut s, "testing").ipv6 = None;
    let failing: Vec<(&str, &str)> = LAB
        .iter()
        .filter(|(n, _)| *n != "testing")
        .map(|(n, _)| ("testing", *n))
        .collect();
    let results = matrix(&failing);
    let e = run_unprobed(&results, &full_mesh(), Some(&s), &["testing"]);
    let sentence = "instance i-3 (host testing) has no IPv6 address, so it cannot send IPv6 echo requests: give it one in a subnet with an IPv6 block";
    assert_eq!(e.diagnosis, [sentence]);
    for (from, to) in &failing {
        assert_eq!(cause_of(&results, &e, from, to).as_deref(), Some(sentence));
    }
    // Over IPv4 the same source blames nothing: its pairs were simply not probed.
    for host in &mut s.hosts {
        host.address = IpAddr::V4(host.private_ip);
    }
    let e = run_unprobed(&results, &full_mesh(), Some(&s), &["testing"]);
    assert!(e.diagnosis.is_empty(), "{:?}", e.diagnosis);
}

#[test]
fn ipv6_vpc_without_a_block_is_named() {
    let mut s = dual_stack();
    s.vpcs[3].ipv6_cidr = None;
    let e = run(&matrix(&BOTH_WAYS_3_4), &full_mesh(), Some(&s));
    assert_eq!(
        e.diagnosis,
        ["VPC shared (vpc-4) has no IPv6 CIDR block, so no route leads IPv6 traffic to or from it (ipv6 = true in the mesh)"]
    );
}

#[test]
fn ipv4_pairs_of_a_dual_stack_mesh_ignore_ipv6_faults() {
    let mut s = dual_stack();
    for host in &mut s.hosts {
        host.address = IpAddr::V4(host.private_ip);
    }
    // Broken IPv6 route and rule, intact IPv4 ones: an IPv4 failure is the data plane's.
    table_mut(&mut s, "rtb-3")
        .routes
        .retain(|r| r.destination != block6(4));
    group_mut(&mut s, "sg-4")
        .ingress
        .retain(|r| r.source != block6(3));
    let e = run(&matrix(&[("testing", "shared")]), &full_mesh(), Some(&s));
    assert_eq!(
        e.diagnosis,
        ["control plane looks right between hosts shared and testing: a data-plane problem (host firewall, network ACL or the network itself)"]
    );
}
