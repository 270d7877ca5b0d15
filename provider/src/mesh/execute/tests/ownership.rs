//! Ownership: what is not the mesh's is never changed, and what stands in the mesh's way
//! is reported as blocked with the object, its target or tags, and the fix.

use std::collections::BTreeSet;

use crate::ec2::types::{PeeringStatus, RouteTarget, Tags, TAG_COMPONENT, TAG_MESH};
use crate::ec2::{Ec2, FakeEc2};
use crate::mesh::desired::Desired;
use crate::mesh::fixtures::{desired_of, net, seed_mesh, MESH_ID, REGION};
use crate::mesh::plan::{plan, render, Op, Plan};
use crate::mesh::testkit::{converge, id_of, plan_now, read};

async fn seeded() -> (FakeEc2, Desired) {
    let fake = FakeEc2::new();
    let desired = desired_of(&seed_mesh());
    converge(&fake, &desired, 1).await;
    (fake, desired)
}

/// Does any step of `plan` name `id` (as the object it deletes, retags or routes in)?
fn touches(plan: &Plan, id: &str) -> bool {
    plan.steps
        .iter()
        .any(|s| format!("{:?}", s.op).contains(&format!("\"{id}\"")))
        || plan.known.values().any(|k| k == id)
}

fn copied(component: &str) -> Tags {
    Tags::from([
        (TAG_MESH.to_string(), MESH_ID.to_string()),
        (TAG_COMPONENT.to_string(), component.to_string()),
        ("Name".to_string(), format!("seed-lab-{component}")),
    ])
}

#[tokio::test]
async fn a_foreign_peering_between_mesh_vpcs_blocks_the_pair_and_is_left_alone() {
    let (fake, desired) = seeded().await;
    let inv = read(&fake, &desired).await;
    fake.delete_peering_out_of_band(&id_of(&inv, "pcx/development:production"));
    let (dev, prod) = (
        id_of(&inv, "vpc/development"),
        id_of(&inv, "vpc/production"),
    );
    let foreign = fake
        .create_peering(REGION, &prod, &dev, REGION, &Tags::new())
        .await
        .unwrap();
    fake.accept_peering(REGION, &foreign).await.unwrap();

    let plan = plan_now(&fake, &desired).await;
    assert_eq!(plan.blocked.len(), 1, "{:?}", plan.blocked);
    let b = &plan.blocked[0];
    assert_eq!(b.component, "pcx/development:production");
    for words in [
        foreign.as_str(),
        "carries no tags",
        "delete-vpc-peering-connection",
    ] {
        assert!(b.message.contains(words), "{words}: {}", b.message);
    }
    assert!(!touches(&plan, &foreign), "{}", render(&plan));
    assert!(
        !plan
            .steps
            .iter()
            .any(|s| matches!(&s.op, Op::CreatePeering { pair, .. } if pair.key() == "development:production")),
        "AWS allows one peering per pair: none is requested"
    );
    converge(&fake, &desired, 2).await;
    let after = fake.peering(&foreign).expect("still there");
    assert_eq!(after.status, PeeringStatus::Active);
    assert!(after.tags.is_empty(), "never tagged: {:?}", after.tags);
}

#[tokio::test]
async fn a_foreign_route_where_the_mesh_needs_one_blocks_it_and_is_left_alone() {
    let (fake, desired) = seeded().await;
    let inv = read(&fake, &desired).await;
    let table = id_of(&inv, "rtb/production/private");
    let development = net("10.2.0.0/16");
    let tgw = RouteTarget::Other("tgw-0feed".to_string());
    fake.set_route_out_of_band(&table, ipnet::IpNet::V4(development), tgw.clone());

    let plan = plan_now(&fake, &desired).await;
    assert_eq!(plan.blocked.len(), 1, "{:?}", plan.blocked);
    let b = &plan.blocked[0];
    assert_eq!(b.component, "rtb/production/private>10.2.0.0/16");
    for words in [table.as_str(), "tgw-0feed", "delete-route"] {
        assert!(b.message.contains(words), "{words}: {}", b.message);
    }
    assert!(plan.is_empty(), "nothing else to do: {}", render(&plan));
    converge(&fake, &desired, 1).await;
    let routes = read(&fake, &desired).await;
    let kept = routes
        .route_tables
        .iter()
        .find(|t| t.id == table)
        .and_then(|t| {
            t.routes
                .iter()
                .find(|r| r.destination == ipnet::IpNet::V4(development))
        })
        .map(|r| r.target.clone());
    assert_eq!(kept, Some(tgw));
}

#[tokio::test]
async fn copied_tags_outside_the_mesh_and_unknown_names_are_never_touched() {
    let (fake, desired) = seeded().await;
    let elsewhere = fake.add_vpc(REGION, net("10.9.0.0/16"), &Tags::new());
    let impostor = fake
        .create_subnet(
            REGION,
            &elsewhere,
            net("10.9.2.0/24"),
            None,
            &copied("subnet/production/private"),
        )
        .await
        .unwrap();
    let ghost = fake.add_vpc(REGION, net("10.8.0.0/16"), &copied("vpc/ghost"));
    // Straight from the inventory: "ghost" is no VPC name of this mesh.
    let inv = read(&fake, &desired).await;
    let apply = plan(&desired, &inv);
    assert!(apply.is_empty(), "{}", render(&apply));
    for id in [&impostor, &ghost, &elsewhere] {
        assert!(!touches(&apply, id), "{id}: {}", render(&apply));
    }
    // Destroy claims every VPC name, but a subnet only inside the mesh's VPCs.
    let destroy = plan(&Desired::nothing(MESH_ID, BTreeSet::new()), &inv);
    assert!(!destroy.is_empty());
    for id in [&impostor, &elsewhere] {
        assert!(!touches(&destroy, id), "{id}: {}", render(&destroy));
    }
}

#[tokio::test]
async fn tags_others_add_are_kept_and_the_meshs_former_tags_go() {
    let (fake, mut desired) = seeded().await;
    let inv = read(&fake, &desired).await;
    let vpc = id_of(&inv, "vpc/production");
    let extra = Tags::from([
        ("cost-center".to_string(), "netops-7".to_string()),
        ("stage".to_string(), "old".to_string()),
    ]);
    fake.set_tags(REGION, std::slice::from_ref(&vpc), &extra, &[])
        .await
        .unwrap();
    assert!(
        plan_now(&fake, &desired).await.is_empty(),
        "others' tags kept"
    );
    // "stage" was a tag of the mesh's former configuration: it goes, "owner" stays.
    desired.ownership.tag_keys.insert("stage".to_string());
    let plan = plan_now(&fake, &desired).await;
    let removed: Vec<&Vec<String>> = plan
        .steps
        .iter()
        .filter_map(|s| match &s.op {
            Op::SetTags { remove, .. } => Some(remove),
            _ => None,
        })
        .collect();
    assert_eq!(removed, [&vec!["stage".to_string()]], "{}", render(&plan));
    converge(&fake, &desired, 1).await;
    let tags = read(&fake, &desired)
        .await
        .vpcs
        .into_iter()
        .find(|v| v.id == vpc)
        .map(|v| v.tags)
        .unwrap_or_default();
    assert_eq!(
        tags.get("cost-center").map(String::as_str),
        Some("netops-7")
    );
    assert!(!tags.contains_key("stage"));
}
