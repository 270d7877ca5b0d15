//! Deletes refused while something still uses the object are retried, backing off,
//! until the delete timeout (tokio's paused clock: no real waiting).

use std::collections::BTreeSet;
use std::time::Duration;

use tokio::time::Instant;

use crate::ec2::Action;
use crate::ec2::{Ec2Error, FakeEc2};
use crate::mesh::desired::Desired;
use crate::mesh::execute::dependency::retry_in_use;
use crate::mesh::execute::{execute, Timeouts};
use crate::mesh::fixtures::{desired_of, seed_mesh, MESH_ID};
use crate::mesh::testkit::{converge, injected, options, plan_now};

fn refused(code: &str) -> Ec2Error {
    Ec2Error::Api {
        code: code.to_string(),
        message: "resource has a dependent object".to_string(),
    }
}

async fn seeded() -> FakeEc2 {
    let fake = FakeEc2::new();
    converge(&fake, &desired_of(&seed_mesh()), 1).await;
    fake
}

#[tokio::test(start_paused = true)]
async fn destroy_outlasts_lingering_dependencies() {
    let fake = seeded().await;
    let nothing = Desired::nothing(MESH_ID, BTreeSet::new());
    let plan = plan_now(&fake, &nothing).await;
    let before: Vec<usize> = [
        Action::DeleteVpc,
        Action::DeleteSubnet,
        Action::DeleteSecurityGroup,
        Action::DeleteInternetGateway,
    ]
    .iter()
    .map(|&a| fake.count(a))
    .collect();
    fake.fail_next(Action::DeleteVpc, 4, refused("DependencyViolation"));
    fake.fail_next(Action::DeleteSubnet, 2, refused("DependencyViolation"));
    fake.fail_next(
        Action::DeleteSecurityGroup,
        3,
        refused("InvalidGroup.InUse"),
    );
    fake.fail_next(
        Action::DeleteInternetGateway,
        1,
        refused("DependencyViolation"),
    );
    let start = Instant::now();
    let outcome = execute(&fake, &plan, &options()).await;
    assert!(outcome.is_complete(), "{:?}", outcome.errors);
    assert!(fake.live_ids().is_empty(), "{:?}", fake.live_ids());
    let deletes = |plan_ops: &str| {
        plan.steps
            .iter()
            .filter(|s| format!("{:?}", s.op).starts_with(plan_ops))
            .count()
    };
    let after: Vec<usize> = [
        Action::DeleteVpc,
        Action::DeleteSubnet,
        Action::DeleteSecurityGroup,
        Action::DeleteInternetGateway,
    ]
    .iter()
    .map(|&a| fake.count(a))
    .collect();
    let made: Vec<usize> = after.iter().zip(&before).map(|(a, b)| a - b).collect();
    let planned = [
        deletes("DeleteVpc") + 4,
        deletes("DeleteSubnet") + 2,
        deletes("DeleteSecurityGroup") + 3,
        deletes("DeleteInternetGateway") + 1,
    ];
    assert_eq!(made, planned, "each refusal costs one more call");
    // Refusals are shared among the objects of a kind; each refused one waited 2 s
    // before trying again, and VPCs waited for their subnets and groups first.
    assert!(
        start.elapsed() >= Duration::from_secs(4),
        "{:?}",
        start.elapsed()
    );
}

#[tokio::test(start_paused = true)]
async fn a_dependency_that_outlives_the_delete_timeout_is_reported() {
    let fake = seeded().await;
    let nothing = Desired::nothing(MESH_ID, BTreeSet::new());
    let plan = plan_now(&fake, &nothing).await;
    fake.fail_always_on(Action::DeleteVpc, refused("DependencyViolation"));
    let mut opts = options();
    let limit = Duration::from_secs(5 * 60);
    opts.timeouts = Timeouts {
        delete: limit,
        ..Timeouts::default()
    };
    let start = Instant::now();
    let outcome = execute(&fake, &plan, &opts).await;
    let vpcs = seed_mesh().vpcs.len();
    assert_eq!(outcome.errors.len(), vpcs, "{:?}", outcome.errors);
    for e in &outcome.errors {
        assert!(
            e.message.starts_with("deleting EC2 VPC (vpc/")
                && e.message.contains("DependencyViolation: resource has a dependent object (still refused after retrying for")
                && e.message.contains("the next apply tries again"),
            "{}",
            e.message
        );
    }
    assert!(
        start.elapsed() < limit,
        "gave up before the step's own timeout"
    );
    assert!(start.elapsed() >= limit / 2, "{:?}", start.elapsed());
}

#[tokio::test(start_paused = true)]
async fn only_in_use_refusals_are_retried() {
    let calls = std::sync::atomic::AtomicUsize::new(0);
    let other = retry_in_use(Duration::from_secs(600), || {
        calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        async { Err(injected()) }
    })
    .await;
    assert_eq!(other, Err(injected()));
    assert_eq!(calls.load(std::sync::atomic::Ordering::SeqCst), 1);

    let left = std::sync::atomic::AtomicUsize::new(2);
    let start = Instant::now();
    let ok = retry_in_use(Duration::from_secs(600), || {
        let busy = left
            .fetch_update(
                std::sync::atomic::Ordering::SeqCst,
                std::sync::atomic::Ordering::SeqCst,
                |n| n.checked_sub(1),
            )
            .is_ok();
        async move {
            if busy {
                Err(refused("InvalidGroup.InUse"))
            } else {
                Ok(())
            }
        }
    })
    .await;
    assert_eq!(ok, Ok(()));
    assert_eq!(
        start.elapsed(),
        Duration::from_secs(2 + 4),
        "backs off 2 s, then 4 s"
    );
}
