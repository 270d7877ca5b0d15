//! EC2 states moto never shows: a peering that fails, a gateway that takes its time to
//! detach, DNS hostnames turned off.

use std::collections::{BTreeMap, BTreeSet};

use crate::ec2::types::Tags;
use crate::ec2::Action;
use crate::ec2::FakeEc2;
use crate::mesh::desired::Desired;
use crate::mesh::execute::execute;
use crate::mesh::fixtures::{desired_of, desired_with, net, seed_mesh, vpc, MESH_ID, REGION};
use crate::mesh::model::{Mesh, VpcSpec};
use crate::mesh::plan::{render, Op};
use crate::mesh::testkit::{converge, id_of, injected, options, plan_now, read};

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
        ["creating EC2 VPC Peering Connection (left:right): waiting for pending-acceptance: VPC peering connection pcx-0001 is failed: Failed due to incorrect VPC-ID, Account ID, or overlapping CIDR range. A failed peering never becomes active. The next apply requests a new peering; fix the cause first."]
    );
}

#[tokio::test(start_paused = true)]
async fn an_internet_gateway_is_deleted_once_ec2_shows_it_detached() {
    let fake = FakeEc2::new();
    converge(&fake, &desired_of(&seed_mesh()), 1).await;
    fake.set_detach_lag(3);
    fake.clear_calls();
    let nothing = Desired::nothing(MESH_ID, BTreeSet::new());
    let plan = plan_now(&fake, &nothing).await;
    let outcome = execute(&fake, &plan, &options()).await;
    assert!(outcome.is_complete(), "{:?}", outcome.errors);
    assert!(fake.live_ids().is_empty());
    let calls = fake.calls();
    let at = |action: Action| calls.iter().position(|(a, _)| *a == action).unwrap();
    let (detach, delete) = (
        at(Action::DetachInternetGateway),
        at(Action::DeleteInternetGateway),
    );
    let igw = &calls[delete].1;
    let looks = calls[detach..delete]
        .iter()
        .filter(|(a, target)| *a == Action::DescribeInternetGateways && target == igw)
        .count();
    assert_eq!(
        looks, 3,
        "described until detached, then deleted: {calls:?}"
    );
    assert_eq!(
        fake.count(Action::DeleteInternetGateway),
        1,
        "deleted at the first try"
    );
}

#[tokio::test]
async fn dns_hostnames_turned_off_in_a_mesh_vpc_are_turned_on_again() {
    let fake = FakeEc2::new();
    let mut mesh = seed_mesh();
    let adopted = fake.add_vpc(REGION, net("10.9.0.0/16"), &Tags::new());
    mesh.vpcs.insert(
        "legacy".to_string(),
        VpcSpec {
            cidr: None,
            vpc_id: Some(adopted.clone()),
            ..vpc("10.9.0.0/16", &[])
        },
    );
    let adopted_cidrs = BTreeMap::from([("legacy".to_string(), net("10.9.0.0/16"))]);
    let desired = desired_with(&mesh, &adopted_cidrs);
    converge(&fake, &desired, 1).await;
    let inv = read(&fake, &desired).await;
    let shared = id_of(&inv, "vpc/shared");
    let dns = |inv: &crate::ec2::types::Inventory, id: &str| {
        inv.vpcs
            .iter()
            .find(|v| v.id == id)
            .and_then(|v| v.dns_hostnames)
    };
    assert_eq!(dns(&inv, &shared), Some(true), "read for the mesh's VPCs");
    assert_eq!(dns(&inv, &adopted), None, "not read for adopted VPCs");

    fake.set_dns_hostnames_out_of_band(&shared, false);
    fake.set_dns_hostnames_out_of_band(&adopted, false);
    let plan = plan_now(&fake, &desired).await;
    assert_eq!(
        render(&plan).lines().skip(1).collect::<Vec<_>>(),
        ["   1. modify       vpc/shared                               enable DNS hostnames in eu-west-2"],
        "only the mesh's own VPC is repaired"
    );
    assert!(matches!(&plan.steps[0].op, Op::EnableDnsHostnames { vpc, .. } if vpc == "shared"));
    converge(&fake, &desired, 1).await;
    assert_eq!(fake.dns_hostnames(&shared), Some(true));
    assert_eq!(
        fake.dns_hostnames(&adopted),
        Some(false),
        "the owner's choice stays"
    );
    assert!(plan_now(&fake, &desired).await.is_empty());

    fake.set_dns_hostnames_out_of_band(&shared, false);
    fake.fail_always_on(Action::ModifyVpcAttribute, injected());
    let plan = plan_now(&fake, &desired).await;
    let outcome = execute(&fake, &plan, &options()).await;
    assert_eq!(
        outcome
            .errors
            .iter()
            .map(|e| e.message.as_str())
            .collect::<Vec<_>>(),
        ["enabling DNS hostnames of EC2 VPC (vpc/shared): InjectedFault: injected fault. EC2 made no change; the next apply tries again."]
    );
}
