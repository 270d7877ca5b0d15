//! Terraform 1.0.0 to 1.0.5 crash on a planned `vpcs` that differs from both the
//! configuration and the prior state: with them, `vpcs` is planned as written (or as it
//! was), saved as written, and completed by the next refresh.

use tfplugin::value::Value;

use super::values::{at, conform, five_vpc_config, seed_config, text};
use super::Harness;
use crate::mesh_resource::legacy_nested_plans;

/// What Terraform 1.0.3 can validate without crashing.
fn assert_legacy_safe(h: &Harness, config: &Value, planned: &Value) {
    let vpcs = at(planned, &["vpcs"]);
    let ok = vpcs == at(&conform(config), &["vpcs"])
        || (!h.state.is_null() && vpcs == at(&h.state, &["vpcs"]));
    assert!(ok, "planned vpcs equals neither config nor prior: {vpcs:?}");
}

fn legacy() -> Harness {
    let h = Harness::new();
    h.res.set_terraform_version("1.0.3");
    h
}

#[test]
fn only_terraform_1_0_0_to_1_0_5_is_legacy() {
    for v in ["1.0.0", "1.0.3", "1.0.5", "v1.0.3", "1.0.4-beta1"] {
        assert!(legacy_nested_plans(v), "{v}");
    }
    for v in [
        "1.0.6", "1.0.11", "1.1.0", "1.11.4", "1.15.5", "0.15.5", "", "garbage",
    ] {
        assert!(!legacy_nested_plans(v), "{v}");
    }
}

#[tokio::test]
async fn vpcs_are_planned_as_written_and_completed_by_a_refresh() {
    let mut h = legacy();
    let plan = h.plan(&seed_config()).await;
    assert_legacy_safe(&h, &seed_config(), &plan.value.planned);
    assert_eq!(
        at(&plan.value.planned, &["peering_count"]).as_i64(),
        Some(6),
        "the rest is planned as usual"
    );
    let applied = h.apply(&seed_config(), &plan.value).await;
    assert!(applied.errors().is_empty(), "{:?}", applied.errors());
    assert!(
        at(&applied.value, &["vpcs", "production", "vpc_id"]).is_null(),
        "saved as written"
    );
    assert!(text(
        &applied.value,
        &["peerings", "development:production", "id"]
    )
    .starts_with("pcx-"));

    h.refresh().await;
    assert!(
        text(&h.state, &["vpcs", "production", "vpc_id"]).starts_with("vpc-"),
        "the refresh reads the ids"
    );
    let again = h.plan(&seed_config()).await;
    assert_legacy_safe(&h, &seed_config(), &again.value.planned);
    assert_eq!(again.value.planned, h.state, "no changes");

    let grow = h.plan(&five_vpc_config()).await;
    assert_legacy_safe(&h, &five_vpc_config(), &grow.value.planned);
    let peering = text(&h.state, &["peerings", "development:production", "id"]);
    assert_eq!(
        text(
            &grow.value.planned,
            &["peerings", "development:production", "id"]
        ),
        peering
    );
    let applied = h.apply(&five_vpc_config(), &grow.value).await;
    assert!(applied.errors().is_empty(), "{:?}", applied.errors());
    h.refresh().await;
    assert_eq!(at(&h.state, &["vpcs"]).as_map().map(|m| m.len()), Some(5));
    assert_eq!(h.plan(&five_vpc_config()).await.value.planned, h.state);
}

#[tokio::test]
async fn drift_still_makes_a_change() {
    let mut h = legacy();
    h.converge(&seed_config()).await;
    h.refresh().await;
    let table = text(
        &h.state,
        &["vpcs", "testing", "subnets", "private", "route_table_id"],
    );
    h.fake
        .remove_route(&table, "10.4.0.0/16".parse().expect("CIDR"));
    h.refresh().await;
    let plan = h.plan(&seed_config()).await;
    assert_legacy_safe(&h, &seed_config(), &plan.value.planned);
    assert_ne!(plan.value.planned, h.state);
    assert_eq!(plan.warnings().len(), 1);
    h.apply(&seed_config(), &plan.value).await;
    h.refresh().await;
    let again = h.plan(&seed_config()).await;
    assert!(again.diags.is_empty(), "{:?}", again.diags);
    assert_eq!(again.value.planned, h.state);
}
