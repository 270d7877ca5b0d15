//! Dual-stack meshes against the fake: each round plans from what the last one reached
//! (as apply does), since a VPC's /56 is known only once EC2 gave it.

use std::collections::BTreeMap;

use ipnet::{IpNet, Ipv6Net};

use super::*;
use crate::ec2::types::{Inventory, TAG_COMPONENT, TAG_MESH};
use crate::mesh::desired::add_ipv6;
use crate::mesh::model::Mesh;
use crate::mesh::testkit::id_of;

/// The blocks the inventory holds for the mesh's VPCs, by name.
fn blocks(inv: &Inventory) -> BTreeMap<String, Ipv6Net> {
    inv.vpcs
        .iter()
        .filter(|v| v.tags.get(TAG_MESH).map(String::as_str) == Some(MESH_ID))
        .filter_map(|v| {
            let name = v.tags.get(TAG_COMPONENT)?.strip_prefix("vpc/")?;
            Some((name.to_string(), v.ipv6_cidr?))
        })
        .collect()
}

async fn desired_now(fake: &FakeEc2, mesh: &Mesh) -> Desired {
    let mut d = desired_of(mesh);
    let inv = read(fake, &d).await;
    add_ipv6(&mut d, mesh, &blocks(&inv));
    d
}

/// Rounds of plan and apply, desired re-derived each round; returns how many ran.
async fn converge_rounds(fake: &FakeEc2, mesh: &Mesh) -> usize {
    for round in 1..=4 {
        let d = desired_now(fake, mesh).await;
        let (plan, outcome) = apply(fake, &d).await;
        if plan.is_empty() {
            return round - 1;
        }
        let errors: Vec<String> = outcome.errors.iter().map(|e| e.message.clone()).collect();
        assert!(errors.is_empty(), "{}", errors.join("; "));
    }
    panic!("not converged in 4 rounds");
}

fn dual_stack(on: &[&str]) -> Mesh {
    let mut mesh = seed_mesh();
    for name in on {
        mesh.vpcs.get_mut(*name).unwrap().ipv6 = true;
    }
    mesh.ssh_ingress_cidrs
        .push("2001:db8::/32".parse().unwrap());
    mesh
}

fn v6_routes(inv: &Inventory, table: &str) -> Vec<(IpNet, RouteTarget)> {
    let id = id_of(inv, table);
    let t = inv.route_tables.iter().find(|t| t.id == id).unwrap();
    t.routes
        .iter()
        .filter(|r| matches!(r.destination, IpNet::V6(_)) && r.target != RouteTarget::Local)
        .map(|r| (r.destination, r.target.clone()))
        .collect()
}

fn rules(inv: &Inventory, group: &str) -> Vec<IngressRule> {
    let id = id_of(inv, group);
    inv.security_groups
        .iter()
        .find(|g| g.id == id)
        .unwrap()
        .rules
        .clone()
}

#[tokio::test]
async fn a_dual_stack_pair_gets_blocks_ipv6_routes_icmpv6_and_a_default_route() {
    let fake = FakeEc2::new();
    let mesh = dual_stack(&["production", "development"]);
    let rounds = converge_rounds(&fake, &mesh).await;
    assert_eq!(rounds, 2, "round 1 gets the /56s, round 2 the rest");
    let inv = read(&fake, &desired_of(&mesh)).await;
    let b = blocks(&inv);
    let (prod, dev) = (b["production"], b["development"]);
    assert!(!b.contains_key("testing"));

    // Subnets: /64s by position in name order (private 0, public 1).
    let subnet_block = |key: &str| {
        let id = id_of(&inv, key);
        inv.subnets.iter().find(|s| s.id == id).unwrap().ipv6_cidr
    };
    assert_eq!(
        subnet_block("subnet/production/private"),
        Some(crate::mesh::desired::subnet_ipv6_cidr(prod, 0))
    );
    assert_eq!(
        subnet_block("subnet/production/public"),
        Some(crate::mesh::desired::subnet_ipv6_cidr(prod, 1))
    );
    assert_eq!(subnet_block("subnet/testing/private"), None);

    let pcx = id_of(&inv, "pcx/development:production");
    let igw = id_of(&inv, "igw/production");
    let mut public = v6_routes(&inv, "rtb/production/public");
    public.sort();
    let mut want = vec![
        (IpNet::V6(Ipv6Net::default()), RouteTarget::Gateway(igw)),
        (IpNet::V6(dev), RouteTarget::Peering(pcx.clone())),
    ];
    want.sort();
    assert_eq!(public, want);
    assert_eq!(
        v6_routes(&inv, "rtb/development/private"),
        vec![(IpNet::V6(prod), RouteTarget::Peering(pcx))]
    );
    assert!(v6_routes(&inv, "rtb/testing/private").is_empty());

    let icmpv6 = |cidr: Ipv6Net| IngressRule {
        protocol: Protocol::Icmpv6,
        cidr: IpNet::V6(cidr),
    };
    let ssh_v6 = IngressRule {
        protocol: Protocol::Tcp { from: 22, to: 22 },
        cidr: "2001:db8::/32".parse().unwrap(),
    };
    let prod_rules = rules(&inv, "sg/production");
    assert!(prod_rules.contains(&icmpv6(dev)) && prod_rules.contains(&ssh_v6));
    assert!(rules(&inv, "sg/development").contains(&icmpv6(prod)));
    let testing = rules(&inv, "sg/testing");
    assert!(testing.contains(&ssh_v6));
    assert!(!testing.iter().any(|r| r.protocol == Protocol::Icmpv6));
}

#[tokio::test]
async fn turning_ipv6_on_keeps_the_vpc_and_turning_it_off_removes_routes_rules_then_blocks() {
    let fake = FakeEc2::new();
    let plain = seed_mesh();
    converge_rounds(&fake, &plain).await;
    let before = read(&fake, &desired_of(&plain)).await;
    let prod_id = id_of(&before, "vpc/production");

    let on = dual_stack(&["production", "development"]);
    converge_rounds(&fake, &on).await;
    let inv = read(&fake, &desired_of(&on)).await;
    assert_eq!(id_of(&inv, "vpc/production"), prod_id, "not replaced");
    assert_eq!(blocks(&inv).len(), 2);
    assert_eq!(fake.count(Action::AssociateVpcCidrBlock), 2);
    assert_eq!(fake.count(Action::DeleteVpc), 0);

    // Off again: the fake refuses a VPC's block while a subnet holds one, so converging
    // without errors proves the order.
    let off = dual_stack(&[]);
    converge_rounds(&fake, &off).await;
    let inv = read(&fake, &desired_of(&off)).await;
    assert!(blocks(&inv).is_empty());
    assert!(inv.subnets.iter().all(|s| s.ipv6_cidr.is_none()));
    for table in ["rtb/production/public", "rtb/development/private"] {
        assert!(v6_routes(&inv, table).is_empty(), "{table}");
    }
    assert!(!rules(&inv, "sg/production")
        .iter()
        .any(|r| r.protocol == Protocol::Icmpv6));
    assert_eq!(id_of(&inv, "vpc/production"), prod_id);
}

#[tokio::test]
async fn a_deleted_ipv6_route_a_revoked_icmpv6_rule_and_a_lost_block_are_repaired() {
    let fake = FakeEc2::new();
    let mesh = dual_stack(&["production", "development"]);
    converge_rounds(&fake, &mesh).await;
    let inv = read(&fake, &desired_of(&mesh)).await;
    let b = blocks(&inv);
    let table = id_of(&inv, "rtb/development/private");
    fake.remove_route(&table, IpNet::V6(b["production"]));
    fake.revoke_rule(
        &id_of(&inv, "sg/production"),
        &IngressRule {
            protocol: Protocol::Icmpv6,
            cidr: IpNet::V6(b["development"]),
        },
    );
    let subnet = id_of(&inv, "subnet/development/private");
    let association = inv
        .subnets
        .iter()
        .find(|s| s.id == subnet)
        .and_then(|s| s.ipv6_association_id.clone())
        .unwrap();
    fake.disassociate_subnet_cidr(REGION, &association)
        .await
        .unwrap();

    let d = desired_now(&fake, &mesh).await;
    let plan = plan_now(&fake, &d).await;
    let text = render(&plan);
    assert!(
        text.contains("associate") && text.contains("route"),
        "{text}"
    );
    assert_eq!(converge_rounds(&fake, &mesh).await, 1);
    let inv = read(&fake, &desired_of(&mesh)).await;
    assert_eq!(blocks(&inv), b, "the /56s stay");
    assert_eq!(v6_routes(&inv, "rtb/development/private").len(), 1);
    assert!(inv
        .subnets
        .iter()
        .find(|s| s.id == subnet)
        .is_some_and(|s| s.ipv6_cidr.is_some()));
}
