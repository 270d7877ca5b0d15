//! The diagnosis's EC2 facts of a mesh across accounts, read through the account router.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::connectivity::ec2_facts::read_snapshot;
use crate::ec2::fake::accounts::{router, FakeAccount};
use crate::ec2::types::PeeringStatus;
use crate::ec2::FakeEc2;
use crate::mesh::fixtures::{desired_of, seed_mesh, MESH_ID, REGION};
use crate::mesh::testkit::apply;

#[tokio::test]
async fn facts_cover_the_vpcs_and_peerings_of_every_account() {
    let world = Arc::new(FakeEc2::new());
    let own = Arc::new(FakeAccount::new(world.clone(), "111111111111"));
    let dev = Arc::new(FakeAccount::new(world, "222222222222"));
    let ec2 = router(&own, &[("dev", &dev)]);
    // `development` sorts first: its three peerings are requested from account dev.
    let mut mesh = seed_mesh();
    mesh.vpcs.get_mut("development").unwrap().account = Some("dev".into());
    let desired = desired_of(&mesh);
    for _ in 0..3 {
        if apply(&ec2, &desired).await.0.is_empty() {
            break;
        }
    }
    let accounts = ["dev".to_string()];
    let facts = read_snapshot(&ec2, REGION, &accounts, MESH_ID, &BTreeMap::new())
        .await
        .expect("read")
        .expect("the mesh is found");
    let mut names: Vec<&str> = facts.vpcs.iter().map(|v| v.name.as_str()).collect();
    names.sort();
    assert_eq!(names, ["development", "production", "shared", "testing"]);
    assert_eq!(facts.peerings.len(), 6);
    assert!(facts
        .peerings
        .iter()
        .all(|p| p.status == PeeringStatus::Active));
}
