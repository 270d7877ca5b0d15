//! Failed and interrupted applies: the state saved is what exists, with one diagnostic
//! per failed component, and the next apply converges without duplicates.

use std::collections::BTreeSet;

use super::values::{at, mesh_config, seed_config, seed_vpcs, vpc};
use super::Harness;
use crate::ec2::Action;
use crate::ec2::Ec2Error;

fn refused(code: &str) -> Ec2Error {
    Ec2Error::Api {
        code: code.to_string(),
        message: "injected".to_string(),
    }
}

/// Ids of the objects a clean apply of the seed mesh leaves, for comparing counts.
async fn clean_object_count() -> usize {
    let mut h = Harness::new();
    h.converge(&seed_config()).await;
    h.fake.live_ids().len()
}

#[tokio::test]
async fn a_failed_peering_leaves_a_partial_state_and_the_next_apply_converges() {
    let mut h = Harness::new();
    h.fake.fail_on(
        Action::CreateVpcPeeringConnection,
        3,
        refused("PeeringLimitExceeded"),
    );
    let plan = h.plan(&seed_config()).await;
    let first = h.apply(&seed_config(), &plan.value).await;
    let errors = first.errors();
    assert!(!errors.is_empty());
    assert!(
        errors
            .iter()
            .any(|e| e.contains("pcx/") && e.contains("PeeringLimitExceeded")),
        "{errors:?}"
    );
    assert!(!first.value.is_null(), "what was made is saved");
    assert_eq!(at(&first.value, &["peering_count"]).as_i64(), Some(5));
    assert_eq!(
        at(&first.value, &["vpcs"]).as_map().map(|m| m.len()),
        Some(4)
    );

    h.refresh().await;
    h.converge(&seed_config()).await;
    assert_eq!(at(&h.state, &["peering_count"]).as_i64(), Some(6));
    assert_eq!(h.fake.count(Action::CreateVpc), 4, "no VPC made twice");
    assert_eq!(
        h.fake.count(Action::CreateVpcPeeringConnection),
        7,
        "six peerings plus the refused attempt"
    );
    assert_eq!(h.fake.live_ids().len(), clean_object_count().await);
}

#[tokio::test]
async fn a_lost_response_is_adopted_within_the_same_apply() {
    let mut h = Harness::new();
    h.fake.fail_after_on(
        Action::CreateVpc,
        2,
        Ec2Error::Transport("the connection to EC2 failed before an answer came back".into()),
    );
    let plan = h.plan(&seed_config()).await;
    let first = h.apply(&seed_config(), &plan.value).await;
    assert!(first.errors().is_empty(), "{:?}", first.errors());
    assert_eq!(
        at(&first.value, &["vpcs"]).as_map().map(|m| m.len()),
        Some(4),
        "the VPC whose answer was lost is found by its tags"
    );
    assert_eq!(
        h.fake.count(Action::CreateVpc),
        4,
        "adopted, not made twice"
    );
    assert_eq!(h.fake.live_ids().len(), clean_object_count().await);
}

#[tokio::test]
async fn an_apply_whose_state_was_lost_adopts_what_it_made() {
    let mut h = Harness::new();
    h.fake.fail_always_on(
        Action::CreateVpcPeeringConnection,
        refused("UnauthorizedOperation"),
    );
    let plan = h.plan(&seed_config()).await;
    let first = h.apply(&seed_config(), &plan.value).await;
    assert!(!first.errors().is_empty());
    let made: BTreeSet<String> = h.fake.live_ids();
    assert!(!made.is_empty());
    h.fake.clear_faults();
    // The provider was killed: Terraform never saved the state.
    let mut again = h.sibling();
    again.converge(&seed_config()).await;
    assert!(
        made.is_subset(&h.fake.live_ids()),
        "everything made the first time is kept"
    );
    assert_eq!(h.fake.count(Action::CreateVpc), 4);
    assert_eq!(h.fake.live_ids().len(), clean_object_count().await);
}

#[tokio::test]
async fn a_create_that_made_little_saves_it_and_one_that_made_nothing_saves_nothing() {
    let mut h = Harness::new();
    h.fake
        .fail_always_on(Action::CreateVpc, refused("VpcLimitExceeded"));
    let plan = h.plan(&seed_config()).await;
    let first = h.apply(&seed_config(), &plan.value).await;
    assert_eq!(
        first.errors().iter().filter(|e| e.contains("vpc/")).count(),
        4,
        "{:?}",
        first.errors()
    );
    // The internet gateway needs no VPC to be made: it is saved, so destroy finds it.
    assert_eq!(
        at(&first.value, &["vpcs"]).as_map().map(|m| m.len()),
        Some(0)
    );
    let mesh_id = super::values::text(&first.value, &["id"]);
    assert!(!h.fake.tagged_ids(&mesh_id).is_empty());
    assert!(h.destroy().await.value.is_null());
    assert!(h.fake.tagged_ids(&mesh_id).is_empty());

    let mut h = Harness::new();
    h.fake
        .fail_always_on(Action::CreateVpc, refused("VpcLimitExceeded"));
    h.fake.fail_always_on(
        Action::CreateInternetGateway,
        refused("InternetGatewayLimitExceeded"),
    );
    let plan = h.plan(&seed_config()).await;
    let first = h.apply(&seed_config(), &plan.value).await;
    assert!(!first.errors().is_empty());
    assert!(first.value.is_null(), "nothing exists, nothing is saved");
}

/// The seed VPCs with `development` moved to other blocks: a different configuration.
fn other_config() -> tfplugin::value::Value {
    let mut vpcs = seed_vpcs();
    for (name, value) in vpcs.iter_mut() {
        if *name == "development" {
            *value = vpc("10.20.0.0/16", &[("private", "10.20.1.0/24", false)]);
        }
    }
    mesh_config(&vpcs, &[])
}

#[tokio::test]
async fn the_same_name_from_another_configuration_is_refused_at_plan() {
    let mut first = Harness::new();
    first.converge(&seed_config()).await;
    let made = first.fake.live_ids();
    // Another working directory, same name, other VPCs: its plan must fail.
    let second = first.sibling();
    let plan = second.plan(&other_config()).await;
    let errors = plan.errors();
    assert_eq!(errors.len(), 1, "{errors:?}");
    let mesh_id = first.state.get("id").as_str().unwrap().to_string();
    for words in [
        "A mesh with this name already exists",
        mesh_id.as_str(),
        "terraform import",
        "another name",
    ] {
        assert!(errors[0].contains(words), "{words}: {}", errors[0]);
    }
    assert_eq!(first.fake.live_ids(), made, "planning changed nothing");
    // Applying anyway (a plan that skipped the check) is refused before any change.
    let mut second = second;
    let planned = tfplugin::provider::PlanResponse {
        planned: plan.value.planned.clone(),
        requires_replace: Vec::new(),
        planned_private: Vec::new(),
    };
    let applied = second.apply(&other_config(), &planned).await;
    assert!(!applied.errors().is_empty());
    assert_eq!(first.fake.live_ids(), made, "apply changed nothing");
    assert!(first.plan(&seed_config()).await.value.planned == first.state);
}

#[tokio::test]
async fn an_interrupted_create_of_the_same_configuration_is_adopted_with_a_warning() {
    let mut h = Harness::new();
    h.fake.fail_always_on(
        Action::CreateVpcPeeringConnection,
        refused("UnauthorizedOperation"),
    );
    let plan = h.plan(&seed_config()).await;
    h.apply(&seed_config(), &plan.value).await;
    h.fake.clear_faults();
    // The state was lost (the provider was killed): a fresh plan sees the objects.
    let mut again = h.sibling();
    let plan = again.plan(&seed_config()).await;
    assert!(plan.errors().is_empty(), "{:?}", plan.errors());
    let warnings = plan.warnings();
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("Objects of an interrupted create will be adopted")),
        "{warnings:?}"
    );
    again.converge(&seed_config()).await;
    assert_eq!(h.fake.count(Action::CreateVpc), 4);
}
