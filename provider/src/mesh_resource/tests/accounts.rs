//! `vpcs[x].account`: checked against the provider's accounts at plan time; a mesh
//! across accounts created, refreshed and imported through the account router.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::values::{at, s, seed_config, set};
use super::{provider_config, Harness, REGION};
use crate::config::{AccountAccess, AssumeRole};
use crate::ec2::fake::accounts::{router, router_with_unassumable, FakeAccount};
use crate::ec2::FakeEc2;

const ROLE: &str = "arn:aws:iam::222222222222:role/mesh";

fn across_accounts() -> (Harness, Arc<FakeAccount>) {
    let world = Arc::new(FakeEc2::new());
    let own = Arc::new(FakeAccount::new(world.clone(), "111111111111"));
    let dev = Arc::new(FakeAccount::new(world.clone(), "222222222222"));
    let mut config = provider_config();
    config.aws.accounts = dev_accounts();
    let ec2 = Arc::new(router(&own, &[("dev", &dev)]));
    (Harness::with_client(world, ec2, config), dev)
}

/// `accounts = { dev = { assume_role = { role_arn = ROLE } } }`.
fn dev_accounts() -> BTreeMap<String, AccountAccess> {
    let role = AssumeRole {
        role_arn: ROLE.into(),
        session_name: None,
        external_id: None,
    };
    BTreeMap::from([("dev".to_string(), AccountAccess::AssumeRole(role))])
}

fn production_in(account: &str) -> tfplugin::value::Value {
    let mut config = seed_config();
    set(&mut config, &["vpcs", "production", "account"], s(account));
    config
}

#[tokio::test]
async fn an_account_missing_from_the_providers_accounts_is_refused_at_plan_on_its_path() {
    let (h, _) = across_accounts();
    let plan = h.plan(&production_in("ops")).await;
    let errors: Vec<_> = plan.diags.iter().collect();
    assert_eq!(errors.len(), 1, "{:?}", plan.errors());
    assert_eq!(
        errors[0]
            .attribute
            .as_ref()
            .map(ToString::to_string)
            .as_deref(),
        Some("vpcs[\"production\"].account")
    );
    assert!(
        errors[0].detail.contains("\"ops\"") && errors[0].detail.contains("its keys are \"dev\""),
        "{}",
        errors[0].detail
    );
    assert!(
        errors[0]
            .detail
            .contains("accounts in the provider \"peering\" block"),
        "{}",
        errors[0].detail
    );
}

#[tokio::test]
async fn a_mesh_across_accounts_is_created_refreshed_and_imported_with_bare_regions() {
    let (mut h, dev) = across_accounts();
    let config = production_in("dev");
    let state = h.converge(&config).await;
    assert_eq!(at(&state, &["vpcs", "production", "region"]), &s(REGION));
    assert_eq!(at(&state, &["vpcs", "production", "account"]), &s("dev"));
    assert!(at(&state, &["vpcs", "shared", "account"]).is_null());
    assert!(dev.log().contains(&"create_vpc 10.1.0.0/16".to_string()));
    assert!(dev.log().iter().any(|l| l.starts_with("accept_peering")));
    assert_eq!(
        at(&state, &["peerings", "development:production", "status"]),
        &s("active")
    );

    let refreshed = h.refresh().await;
    assert!(refreshed.errors().is_empty(), "{:?}", refreshed.errors());
    assert_eq!(refreshed.value, state, "nothing drifted");
    let again = h.plan(&config).await;
    assert!(
        again.errors().is_empty() && again.warnings().is_empty(),
        "{:?}",
        again.diags
    );

    let id = at(&state, &["id"]).as_str().unwrap().to_string();
    // As `terraform import` into an empty state, from the provider's own account.
    h.state = tfplugin::value::Value::Null;
    h.private = Vec::new();
    let imported = h.import(&id).await;
    assert!(imported.errors().is_empty(), "{:?}", imported.errors());
    assert_eq!(
        at(&imported.value, &["vpcs", "production", "account"]),
        &s("dev")
    );
    assert_eq!(
        at(&imported.value, &["vpcs", "production", "region"]),
        &s(REGION)
    );
    assert_eq!(
        at(&imported.value, &["peering_count"]),
        at(&state, &["peering_count"])
    );
}

#[tokio::test]
async fn import_finds_a_vpc_whose_peerings_are_all_requested_from_another_account() {
    // `development` sorts first: it requests all three of its peerings, from account
    // dev, so the provider's own account lists none of them.
    let (mut h, _) = across_accounts();
    let mut config = seed_config();
    set(&mut config, &["vpcs", "development", "account"], s("dev"));
    let state = h.converge(&config).await;
    let id = at(&state, &["id"]).as_str().unwrap().to_string();
    h.state = tfplugin::value::Value::Null;
    h.private = Vec::new();
    let imported = h.import(&id).await;
    assert!(imported.errors().is_empty(), "{:?}", imported.errors());
    assert_eq!(
        at(&imported.value, &["vpcs", "development", "account"]),
        &s("dev")
    );
    assert_eq!(at(&imported.value, &["peering_count"]).as_i64(), Some(6));
}

#[tokio::test]
async fn a_new_account_whose_role_cannot_be_assumed_fails_only_its_components_at_apply() {
    let world = Arc::new(FakeEc2::new());
    let own = Arc::new(FakeAccount::new(world.clone(), "111111111111"));
    let (ec2, _) = router_with_unassumable(own, "dev", "222222222222");
    let mut config = provider_config();
    config.aws.accounts = dev_accounts();
    let mut h = Harness::with_client(world, Arc::new(ec2), config);
    let config = production_in("dev");
    let plan = h.plan(&config).await;
    assert!(plan.errors().is_empty(), "{:?}", plan.errors());
    let applied = h.apply(&config, &plan.value).await;
    let errors = applied.errors();
    assert!(!errors.is_empty());
    assert!(
        errors.iter().all(|e| e.contains("production")),
        "{errors:#?}"
    );
    assert!(
        errors
            .iter()
            .any(|e| e.contains("account \"dev\"") && e.contains(ROLE)),
        "{errors:#?}"
    );
    for made in ["development", "shared", "testing"] {
        assert!(
            at(&applied.value, &["vpc_ids", made])
                .as_str()
                .is_some_and(|id| id.starts_with("vpc-")),
            "{made} was made"
        );
    }
}
