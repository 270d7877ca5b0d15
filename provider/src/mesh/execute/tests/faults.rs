//! Fault injection at every EC2 call in turn, for apply and destroy: the call fails
//! (nothing done) or its response is lost (done, but reported as failed). A new plan from
//! the new inventory must converge to the same account as a clean run: nothing
//! duplicated, nothing left over. And every step repeated on its own changes nothing.

use std::collections::{BTreeMap, BTreeSet};

use crate::ec2::{Action, FakeEc2};
use crate::mesh::desired::Desired;
use crate::mesh::execute::{execute, execute_from, StepStatus};
use crate::mesh::fixtures::{desired_of, seed_mesh, MESH_ID};
use crate::mesh::plan::{Plan, Step};
use crate::mesh::testkit::{
    ambiguous, apply, converge, injected, options, picture, plan_now, read,
};

#[derive(Clone, Copy, Debug)]
enum Fault {
    /// The call fails and does nothing.
    Refused,
    /// The call succeeds but its answer is lost.
    LostResponse,
}

/// Every call a clean execution of `plan` makes, as (action, nth call of that action).
fn numbered(calls: &[(Action, String)]) -> Vec<(Action, usize)> {
    let mut seen: BTreeMap<Action, usize> = BTreeMap::new();
    calls
        .iter()
        .map(|(action, _)| {
            let n = seen.entry(*action).or_default();
            *n += 1;
            (*action, *n)
        })
        .collect()
}

/// Runs `desired` on a fake in state `start`, with `fault` at the nth call of
/// `action` counted from the start of execution; then converges without faults.
async fn faulted_run(
    start: Start,
    desired: &Desired,
    fault: Fault,
    action: Action,
    nth: usize,
) -> FakeEc2 {
    let fake = start.fake().await;
    let plan = plan_now(&fake, desired).await;
    let at = fake.count(action) + nth;
    match fault {
        Fault::Refused => fake.fail_on(action, at, injected()),
        Fault::LostResponse => fake.fail_after_on(action, at, injected()),
    }
    let outcome = execute(&fake, &plan, &options()).await;
    let context = format!("{fault:?} at {action} #{nth}");
    // A refused accept whose first attempt in fact went through is seen accepted
    // when the step looks at the peering: nothing fails.
    let recovered =
        matches!(fault, Fault::LostResponse) && action == Action::AcceptVpcPeeringConnection;
    assert_eq!(
        outcome.errors.len(),
        usize::from(!recovered),
        "{context}: one failed step: {:?}",
        outcome.errors
    );
    if recovered {
        fake.clear_faults();
        converge(&fake, desired, 3).await;
        return fake;
    }
    let error = &outcome.errors[0];
    let name = error
        .component
        .split_once('/')
        .map_or(error.component.as_str(), |(_, name)| name);
    assert!(
        error.message.contains("injected fault") && error.message.contains(name),
        "{context}: {error:?}"
    );
    assert_eq!(outcome.steps[error.step], StepStatus::Failed);
    fake.clear_faults();
    converge(&fake, desired, 3).await;
    fake
}

async fn every_call_in_turn(start: Start, desired: &Desired) {
    let reference = start.fake().await;
    let plan = plan_now(&reference, desired).await;
    reference.clear_calls();
    assert!(execute(&reference, &plan, &options()).await.is_complete());
    let calls = numbered(&reference.calls());
    let want = picture(&read(&reference, desired).await, MESH_ID);
    let want_live = reference.live_ids().len();
    assert!(calls.len() > 20, "a real workload: {} calls", calls.len());
    for fault in [Fault::Refused, Fault::LostResponse] {
        for &(action, nth) in &calls {
            let fake = faulted_run(start, desired, fault, action, nth).await;
            let context = format!("{fault:?} at {action} #{nth}");
            assert_eq!(
                picture(&read(&fake, desired).await, MESH_ID),
                want,
                "{context}"
            );
            assert_eq!(
                fake.live_ids().len(),
                want_live,
                "{context}: nothing leaked: {:?}",
                fake.live_ids()
            );
        }
    }
}

#[tokio::test]
async fn apply_converges_after_a_fault_at_every_call() {
    every_call_in_turn(Start::Empty, &desired_of(&seed_mesh())).await;
}

/// A create whose answer is a 5xx (nothing made) or is lost after EC2 made the object:
/// the same run looks for the object by its tags, adopts it or makes it again, and
/// finishes the whole plan with nothing duplicated. Every create call in turn.
#[tokio::test(start_paused = true)]
async fn an_ambiguous_create_is_resolved_within_the_run() {
    let desired = desired_of(&seed_mesh());
    let reference = FakeEc2::new();
    let plan = plan_now(&reference, &desired).await;
    reference.clear_calls();
    assert!(execute(&reference, &plan, &options()).await.is_complete());
    let want = picture(&read(&reference, &desired).await, MESH_ID);
    let want_live = reference.live_ids().len();
    let creates = [
        Action::CreateVpc,
        Action::CreateSubnet,
        Action::CreateRouteTable,
        Action::CreateInternetGateway,
        Action::CreateSecurityGroup,
        Action::CreateVpcPeeringConnection,
    ];
    let mut checked = 0;
    for action in creates {
        for nth in 1..=reference.count(action) {
            for fault in [Fault::Refused, Fault::LostResponse] {
                let fake = FakeEc2::new();
                let plan = plan_now(&fake, &desired).await;
                match fault {
                    Fault::Refused => fake.fail_on(action, nth, ambiguous()),
                    Fault::LostResponse => fake.fail_after_on(action, nth, ambiguous()),
                }
                let outcome = execute(&fake, &plan, &options()).await;
                let context = format!("{fault:?} at {action} #{nth}");
                assert!(
                    outcome.is_complete() && outcome.errors.is_empty(),
                    "{context}: {:?}",
                    outcome.errors
                );
                let made = match fault {
                    Fault::Refused => reference.count(action) + 1,
                    Fault::LostResponse => reference.count(action),
                };
                assert_eq!(fake.count(action), made, "{context}: made once");
                assert_eq!(
                    picture(&read(&fake, &desired).await, MESH_ID),
                    want,
                    "{context}"
                );
                assert_eq!(fake.live_ids().len(), want_live, "{context}: no duplicate");
                checked += 1;
            }
        }
    }
    assert!(checked > 40, "every create of the seed mesh: {checked}");
}

/// The account a run starts from.
#[derive(Clone, Copy)]
enum Start {
    Empty,
    /// With the seed mesh applied.
    Seed,
}

impl Start {
    async fn fake(self) -> FakeEc2 {
        let fake = FakeEc2::new();
        if let Start::Seed = self {
            converge(&fake, &desired_of(&seed_mesh()), 1).await;
        }
        fake
    }
}

#[tokio::test]
async fn destroy_converges_after_a_fault_at_every_call() {
    let nothing = Desired::nothing(MESH_ID, BTreeSet::new());
    every_call_in_turn(Start::Seed, &nothing).await;
    let fake = Start::Seed.fake().await;
    converge(&fake, &nothing, 1).await;
    assert!(fake.live_ids().is_empty());
}

/// Each step of a finished plan, run again on its own, succeeds and changes nothing;
/// so does the whole plan resumed from the ids it reached.
async fn repeat_each_step(fake: &FakeEc2, desired: &Desired) {
    let (plan, outcome) = apply(fake, desired).await;
    assert!(outcome.is_complete(), "{:?}", outcome.errors);
    let want = picture(&read(fake, desired).await, MESH_ID);
    let live = fake.live_ids();
    for step in &plan.steps {
        let alone = Plan {
            mesh_id: plan.mesh_id.clone(),
            known: outcome.ids.clone(),
            steps: vec![Step {
                op: step.op.clone(),
                after: vec![],
            }],
            blocked: Vec::new(),
        };
        let again = execute(fake, &alone, &options()).await;
        assert!(
            again.is_complete(),
            "repeating {step:?}: {:?}",
            again.errors
        );
        assert_eq!(
            picture(&read(fake, desired).await, MESH_ID),
            want,
            "repeating {step:?}"
        );
        assert_eq!(fake.live_ids(), live, "repeating {step:?}");
    }
    let resumed = execute_from(fake, &plan, &options(), outcome.ids.clone()).await;
    assert!(resumed.is_complete(), "{:?}", resumed.errors);
    assert_eq!(picture(&read(fake, desired).await, MESH_ID), want);
    assert!(plan_now(fake, desired).await.is_empty());
}

#[tokio::test]
async fn every_step_is_idempotent() {
    let fake = FakeEc2::new();
    let mut mesh = seed_mesh();
    mesh.dns_resolution = true;
    mesh.vpcs.get_mut("testing").unwrap().subnets.clear();
    repeat_each_step(&fake, &desired_of(&mesh)).await;
    repeat_each_step(&fake, &Desired::nothing(MESH_ID, BTreeSet::new())).await;
    assert!(fake.live_ids().is_empty());
}
