//! Drift and change: what others did to the account, or what the configuration changed,
//! shows up as the smallest plan, and applying it converges to what a fresh apply of the
//! configuration gives.

use std::collections::BTreeMap;

use crate::ec2::types::{
    IngressRule, Inventory, PeeringStatus, Protocol, RouteTarget, Tags, TAG_COMPONENT, TAG_MESH,
};
use crate::ec2::{Ec2, FakeEc2};
use crate::mesh::desired::Desired;
use crate::mesh::fixtures::{desired_of, net, seed_mesh, subnet, vpc, MESH_ID, REGION};
use crate::mesh::model::Mesh;
use crate::mesh::plan::{plan, render, Op, Plan};
use crate::mesh::testkit::{converge, id_of, picture, plan_now, read};

/// The ops of a plan as short names, counted.
fn summary(plan: &Plan) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for step in &plan.steps {
        let name = format!("{:?}", step.op);
        let kind = name
            .split([' ', '(', '{'])
            .next()
            .unwrap_or_default()
            .to_string();
        *out.entry(kind).or_default() += 1;
    }
    out
}

fn counts(pairs: &[(&str, usize)]) -> BTreeMap<String, usize> {
    pairs.iter().map(|(k, n)| (k.to_string(), *n)).collect()
}

async fn seeded() -> (FakeEc2, Desired, Inventory) {
    let fake = FakeEc2::new();
    let desired = desired_of(&seed_mesh());
    converge(&fake, &desired, 1).await;
    let inv = read(&fake, &desired).await;
    (fake, desired, inv)
}

/// Applying `mesh` on `fake` gives the same account as applying it on an empty one.
async fn converges_like_fresh(fake: &FakeEc2, mesh: &Mesh) {
    let desired = desired_of(mesh);
    converge(fake, &desired, 2).await;
    let fresh = FakeEc2::new();
    converge(&fresh, &desired, 1).await;
    assert_eq!(
        picture(&read(fake, &desired).await, MESH_ID),
        picture(&read(&fresh, &desired).await, MESH_ID)
    );
    assert_eq!(
        fake.live_ids().len(),
        fresh.live_ids().len(),
        "nothing left over"
    );
}

#[tokio::test]
async fn a_peering_deleted_out_of_band_is_recreated_with_its_routes() {
    let (fake, desired, inv) = seeded().await;
    fake.delete_peering_out_of_band(&id_of(&inv, "pcx/development:production"));
    let plan = plan_now(&fake, &desired).await;
    // production has two tables, development one.
    let want = counts(&[
        ("CreatePeering", 1),
        ("AcceptPeering", 1),
        ("WaitPeeringActive", 1),
        ("PutRoute", 3),
    ]);
    assert_eq!(summary(&plan), want, "{}", render(&plan));
    converges_like_fresh(&fake, &seed_mesh()).await;
}

#[tokio::test]
async fn small_drift_gives_small_plans() {
    let (fake, desired, inv) = seeded().await;
    let public = id_of(&inv, "rtb/production/public");
    fake.remove_route(&public, ipnet::IpNet::V4(net("10.3.0.0/16")));
    assert_eq!(
        summary(&plan_now(&fake, &desired).await),
        counts(&[("PutRoute", 1)])
    );
    converge(&fake, &desired, 1).await;

    let wrong = RouteTarget::Peering(id_of(&inv, "pcx/production:shared"));
    fake.set_route_out_of_band(&public, ipnet::IpNet::V4(net("10.2.0.0/16")), wrong);
    assert_eq!(
        summary(&plan_now(&fake, &desired).await),
        counts(&[("PutRoute", 1)])
    );
    converge(&fake, &desired, 1).await;

    let icmp = IngressRule {
        protocol: Protocol::Icmp,
        cidr: ipnet::IpNet::V4(net("10.1.0.0/16")),
    };
    fake.revoke_rule(&id_of(&inv, "sg/shared"), &icmp);
    let plan = plan_now(&fake, &desired).await;
    assert_eq!(plan.steps.len(), 1);
    assert!(
        matches!(&plan.steps[0].op, Op::AuthorizeIngress { vpc, rules, .. } if vpc == "shared" && rules == std::slice::from_ref(&icmp))
    );
    converge(&fake, &desired, 1).await;

    fake.remove_tag_out_of_band(&id_of(&inv, "subnet/testing/private"), "team");
    let plan = plan_now(&fake, &desired).await;
    assert_eq!(
        render(&plan)
            .lines()
            .nth(1)
            .map(str::split_whitespace)
            .map(|w| w.collect::<Vec<_>>()),
        Some(vec!["1.", "tag", "subnet/testing/private", "+team=net"])
    );
    converge(&fake, &desired, 1).await;

    fake.set_peering_status(
        &id_of(&inv, "pcx/shared:testing"),
        PeeringStatus::PendingAcceptance,
    );
    assert_eq!(
        summary(&plan_now(&fake, &desired).await),
        counts(&[("AcceptPeering", 1), ("WaitPeeringActive", 1)])
    );
    converges_like_fresh(&fake, &seed_mesh()).await;
}

#[tokio::test]
async fn a_failed_peering_is_replaced() {
    let (fake, desired, inv) = seeded().await;
    fake.set_peering_status(&id_of(&inv, "pcx/shared:testing"), PeeringStatus::Failed);
    let want = counts(&[
        ("CreatePeering", 1),
        ("AcceptPeering", 1),
        ("WaitPeeringActive", 1),
        ("PutRoute", 2),
    ]);
    assert_eq!(summary(&plan_now(&fake, &desired).await), want);
    converges_like_fresh(&fake, &seed_mesh()).await;
}

#[tokio::test]
async fn duplicates_are_deleted_keeping_the_one_in_use_and_unknown_keys_are_left_alone() {
    let (fake, desired, inv) = seeded().await;
    let tags = |component: &str| {
        Tags::from([
            (TAG_MESH.to_string(), MESH_ID.to_string()),
            (TAG_COMPONENT.to_string(), component.to_string()),
        ])
    };
    let original = id_of(&inv, "vpc/production");
    let duplicate = fake.add_vpc(REGION, net("10.1.0.0/16"), &tags("vpc/production"));
    let unknown = fake.add_vpc(REGION, net("10.9.0.0/16"), &tags("vpc/Bogus"));
    let plan = plan_now(&fake, &desired).await;
    let deleted: Vec<&str> = plan
        .steps
        .iter()
        .filter_map(|s| {
            if let Op::DeleteVpc(d) = &s.op {
                Some(d.id.as_str())
            } else {
                None
            }
        })
        .collect();
    assert_eq!(deleted, [duplicate.as_str()], "{}", render(&plan));
    assert_eq!(plan.steps.len(), 1);
    assert!(original < duplicate);
    converge(&fake, &desired, 2).await;
    assert!(
        fake.live_ids().contains(&unknown),
        "a copied tag with an unknown component is not the mesh's: never deleted"
    );
    fake.delete_vpc(REGION, &unknown).await.unwrap();
    converges_like_fresh(&fake, &seed_mesh()).await;
}

#[tokio::test]
async fn a_new_cidr_replaces_the_vpc_and_what_depends_on_it() {
    let (fake, _, _) = seeded().await;
    let mut mesh = seed_mesh();
    mesh.vpcs.insert(
        "development".into(),
        vpc(
            "10.20.0.0/16",
            &[("private", subnet("10.20.1.0/24", false))],
        ),
    );
    let plan = plan_now(&fake, &desired_of(&mesh)).await;
    let s = summary(&plan);
    assert_eq!(
        (
            s["CreateVpc"],
            s["DeleteVpc"],
            s["CreatePeering"],
            s["DeletePeering"]
        ),
        (1, 1, 3, 3),
        "{}",
        render(&plan)
    );
    // Old routes to 10.2/16 go from the 4 other tables, new ones to 10.20/16 come in them
    // and 3 into the new VPC's table; the other groups swap one ICMP rule.
    assert_eq!(
        (
            s["DeleteRoute"],
            s["PutRoute"],
            s["RevokeIngress"],
            s["AuthorizeIngress"]
        ),
        (4, 7, 3, 4)
    );
    converges_like_fresh(&fake, &mesh).await;
}

#[tokio::test]
async fn removing_a_vpc_or_a_public_subnet_removes_only_their_parts() {
    let (fake, _, _) = seeded().await;
    let mut mesh = seed_mesh();
    mesh.vpcs.remove("testing");
    let s = summary(&plan_now(&fake, &desired_of(&mesh)).await);
    assert_eq!(s["DeleteVpc"], 1);
    assert_eq!(s["DeletePeering"], 3);
    assert_eq!(s.get("CreateVpc"), None);
    converges_like_fresh(&fake, &mesh).await;

    mesh.vpcs
        .get_mut("production")
        .unwrap()
        .subnets
        .get_mut("public")
        .unwrap()
        .public = false;
    let plan = plan_now(&fake, &desired_of(&mesh)).await;
    let want = counts(&[
        ("DeleteRoute", 1),
        ("DetachInternetGateway", 1),
        ("DeleteInternetGateway", 1),
    ]);
    assert_eq!(summary(&plan), want, "{}", render(&plan));
    converges_like_fresh(&fake, &mesh).await;
}

#[tokio::test]
async fn turning_dns_resolution_on_only_modifies_the_peerings() {
    let (fake, _, _) = seeded().await;
    let mut mesh = seed_mesh();
    mesh.dns_resolution = true;
    assert_eq!(
        summary(&plan_now(&fake, &desired_of(&mesh)).await),
        counts(&[("SetPeeringDns", 6)])
    );
    converges_like_fresh(&fake, &mesh).await;
}

#[tokio::test]
async fn the_plan_does_not_depend_on_inventory_order() {
    let (fake, desired, _) = seeded().await;
    let mut mesh = seed_mesh();
    mesh.vpcs.remove("shared");
    mesh.dns_resolution = true;
    let changed = desired_of(&mesh);
    fake.delete_peering_out_of_band(&id_of(
        &read(&fake, &desired).await,
        "pcx/development:testing",
    ));
    let inv = read(&fake, &desired).await;
    let mut reversed = inv.clone();
    reversed.vpcs.reverse();
    reversed.subnets.reverse();
    reversed.route_tables.reverse();
    for t in &mut reversed.route_tables {
        t.routes.reverse();
        t.associations.reverse();
    }
    reversed.security_groups.reverse();
    reversed.peerings.reverse();
    assert_eq!(plan(&changed, &inv), plan(&changed, &reversed));
}

#[tokio::test]
async fn turning_icmp_off_only_revokes_the_icmp_rules() {
    let (fake, _, _) = seeded().await;
    let mut mesh = seed_mesh();
    mesh.allow_icmp = false;
    let plan = plan_now(&fake, &desired_of(&mesh)).await;
    // One revoke per group (of the four), each of the ICMP rules from its three peers.
    let shown = render(&plan);
    assert_eq!(summary(&plan), counts(&[("RevokeIngress", 4)]), "{shown}");
    assert_eq!(shown.matches("icmp from").count(), 12, "{shown}");
    assert!(!shown.contains("tcp"), "the SSH rules stay: {shown}");
    converges_like_fresh(&fake, &mesh).await;
}

#[tokio::test]
async fn new_ssh_sources_only_swap_the_ssh_rules() {
    let (fake, _, _) = seeded().await;
    let mut mesh = seed_mesh();
    mesh.ssh_ingress_cidrs = vec![net("10.1.2.0/24").into()];
    let plan = plan_now(&fake, &desired_of(&mesh)).await;
    assert_eq!(
        summary(&plan),
        counts(&[("AuthorizeIngress", 4), ("RevokeIngress", 4)]),
        "{}",
        render(&plan)
    );
    converges_like_fresh(&fake, &mesh).await;
}

#[tokio::test]
async fn new_tags_only_retag() {
    let (fake, _, _) = seeded().await;
    let mut mesh = seed_mesh();
    mesh.tags.insert("team".into(), "network".into());
    let desired = desired_of(&mesh);
    let plan = plan_now(&fake, &desired).await;
    // Every object the mesh creates carries the tags: as many as a fresh plan creates.
    let fresh = summary(&crate::mesh::plan::plan(&desired, &Inventory::default()));
    let made: usize = fresh
        .iter()
        .filter(|(op, _)| op.starts_with("Create"))
        .map(|(_, n)| n)
        .sum();
    assert_eq!(
        summary(&plan),
        counts(&[("SetTags", made)]),
        "every object the mesh made is retagged, nothing else:\n{}",
        render(&plan)
    );
    converges_like_fresh(&fake, &mesh).await;
}
