//! EC2 states moto never shows: a peering that fails, and DNS hostnames turned off.

use std::collections::BTreeMap;

use crate::ec2::FakeEc2;
use crate::mesh::execute::execute;
use crate::mesh::fixtures::{desired_of, seed_mesh, vpc};
use crate::mesh::model::Mesh;
use crate::mesh::testkit::{options, plan_now};

#[tokio::test]
async fn a_peering_that_fails_is_reported_with_ec2s_reason() {
    // Validation refuses overlapping VPCs; an adopted VPC whose block changed, or a
    // race with another tool, can still make EC2 fail the request.
    let mut mesh: Mesh = seed_mesh();
    mesh.vpcs = BTreeMap::from([
        ("left".to_string(), vpc("10.1.0.0/16", &[])),
        ("right".to_string(), vpc("10.1.0.0/17", &[])),
    ]);
    let desired = desired_of(&mesh);
    let fake = FakeEc2::new();
    let plan = plan_now(&fake, &desired).await;
    let outcome = execute(&fake, &plan, &options()).await;
    let messages: Vec<&str> = outcome.errors.iter().map(|e| e.message.as_str()).collect();
    assert_eq!(
        messages,
        ["creating EC2 VPC Peering Connection (left:right): waiting for pending-acceptance: VPC peering connection pcx-0001 is failed: Failed due to incorrect VPC-ID, Account ID, or overlapping CIDR range. A failed peering never becomes active."]
    );
}
