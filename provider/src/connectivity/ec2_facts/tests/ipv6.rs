//! IPv6 facts: hosts matched to instances by their IPv6 addresses, and the VPCs' IPv6
//! blocks, IPv6 routes and ICMPv6 rules read into the snapshot. The mesh engine on the
//! fake gives the lab no IPv6 yet, so the blocks, routes and rules are added to the
//! inventory as EC2 would report them; the instances' addresses are assigned on the fake.

use std::net::Ipv6Addr;

use ipnet::IpNet;

use super::*;
use crate::ec2::types::{RouteObs, RouteTarget};
use crate::mesh::discover::discover;

fn block6(n: usize) -> IpNet {
    format!("2001:db8:0:{n}00::/56").parse().unwrap()
}

fn address6(n: usize) -> Ipv6Addr {
    format!("2001:db8:0:{n}00::{n}").parse().unwrap()
}

/// The lab made dual-stack: the inventory with every VPC's /56, routes to every peer's
/// /56 through its peering and ICMPv6 rules from every /56; the instances with an IPv6
/// address each, and the hosts by it.
async fn dual_stack(lab: &Lab) -> (Inventory, Vec<crate::ec2::types::InstanceObs>, Hosts) {
    let mut inventory = discover(lab.fake.as_ref(), MESH_ID, REGION).await.unwrap();
    let mut hosts = Hosts::new();
    for (i, (name, _)) in LAB.iter().enumerate() {
        let n = i + 1;
        let vpc_id = lab.id(&format!("vpc/{name}"));
        let vpc = inventory.vpcs.iter_mut().find(|v| v.id == vpc_id).unwrap();
        let IpNet::V6(block) = block6(n) else {
            unreachable!()
        };
        vpc.ipv6_cidr = Some(block);
        let table_id = lab.id(&format!("rtb/{name}/private"));
        let table = inventory
            .route_tables
            .iter_mut()
            .find(|t| t.id == table_id)
            .unwrap();
        for (m, (peer, _)) in LAB.iter().enumerate().filter(|(m, _)| *m != i) {
            let (a, b) = if name < peer {
                (name, peer)
            } else {
                (peer, name)
            };
            table.routes.push(RouteObs {
                destination: block6(m + 1),
                target: RouteTarget::Peering(lab.id(&format!("pcx/{a}:{b}"))),
                state: "active".to_string(),
            });
        }
        let group_id = lab.id(&format!("sg/{name}"));
        let group = inventory
            .security_groups
            .iter_mut()
            .find(|g| g.id == group_id)
            .unwrap();
        group.rules.extend((1..=LAB.len()).map(|m| IngressRule {
            protocol: Protocol::Icmpv6,
            cidr: block6(m),
        }));
        lab.fake
            .assign_ipv6_addresses(&lab.instances[*name], 0, &[address6(n)]);
        hosts.insert(name.to_string(), IpAddr::V6(address6(n)));
    }
    let vpc_ids: Vec<String> = inventory.vpcs.iter().map(|v| v.id.clone()).collect();
    let instances = lab.fake.instances(REGION, &vpc_ids).await.unwrap();
    (inventory, instances, hosts)
}

type Hosts = BTreeMap<String, IpAddr>;

#[tokio::test]
async fn hosts_are_matched_by_their_ipv6_addresses() {
    let lab = Lab::new().await;
    let (inventory, instances, hosts) = dual_stack(&lab).await;
    let s = super::super::build::snapshot(&inventory, &instances, MESH_ID, &hosts);
    for (i, (name, ip)) in LAB.iter().enumerate() {
        let host = s.host(name).expect("matched by its IPv6 address");
        assert_eq!(host.instance_id, lab.instances[*name]);
        assert_eq!(host.address, IpAddr::V6(address6(i + 1)));
        assert_eq!(host.ipv6, Some(address6(i + 1)));
        assert_eq!(host.private_ip.to_string(), *ip, "its IPv4 address too");
    }
    let vpc = s.vpc(&lab.id("vpc/shared")).unwrap();
    assert_eq!(vpc.ipv6_cidr.map(IpNet::V6), Some(block6(4)));
    let e = run(&matrix(&[]), &full_mesh(), Some(&s));
    assert!(e.diagnosis.is_empty(), "{:?}", e.diagnosis);

    // By IPv4, the same instance, with its IPv6 address for IPv6 probes from it.
    let s = super::super::build::snapshot(&inventory, &instances, MESH_ID, &super::hosts());
    let host = s.host("shared").unwrap();
    assert_eq!(
        (host.address.is_ipv4(), host.ipv6),
        (true, Some(address6(4)))
    );
}

#[tokio::test]
async fn deleted_ipv6_route_and_revoked_icmpv6_rule_are_named() {
    let lab = Lab::new().await;
    let (mut inventory, instances, hosts) = dual_stack(&lab).await;
    let table_id = lab.id("rtb/testing/private");
    let table = inventory
        .route_tables
        .iter_mut()
        .find(|t| t.id == table_id)
        .unwrap();
    table.routes.retain(|r| r.destination != block6(4));
    let group_id = lab.id("sg/development");
    let group = inventory
        .security_groups
        .iter_mut()
        .find(|g| g.id == group_id)
        .unwrap();
    group.rules.retain(|r| r.cidr != block6(1));
    let s = super::super::build::snapshot(&inventory, &instances, MESH_ID, &hosts);
    let failing = [
        ("testing", "shared"),
        ("shared", "testing"),
        ("production", "development"),
    ];
    let results = matrix(&failing);
    let e = run(&results, &full_mesh(), Some(&s));
    let pcx = lab.id("pcx/shared:testing");
    assert_eq!(
        e.diagnosis,
        [
            format!("security group {group_id} (sg/development) of VPC development (host development) has no inbound rule for ICMPv6 echo from 2001:db8:0:100::1 (VPC production, 2001:db8:0:100::/56)"),
            format!("route table {table_id} (rtb/testing/private) has no route to 2001:db8:0:400::/56 (VPC shared) through peering {pcx} (pcx/shared:testing)"),
        ]
    );
}
