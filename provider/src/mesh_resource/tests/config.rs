//! Validation and parsing: errors on attribute paths, and unknown values tolerated.

use tfplugin::value::Value;

use super::values::{at, map, mesh_config, obj, s, seed_config, seed_vpcs, set, vpc};
use super::Harness;

fn error_paths(diags: &tfplugin::diag::Diagnostics) -> Vec<String> {
    diags
        .iter()
        .map(|d| {
            d.attribute
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default()
        })
        .collect()
}

#[tokio::test]
async fn the_seed_configuration_is_valid() {
    let h = Harness::new();
    let diags = h.validate(&seed_config()).await;
    assert!(diags.is_empty(), "{diags}");
}

#[tokio::test]
async fn bad_text_is_reported_on_its_path() {
    let h = Harness::new();
    let mut config = seed_config();
    set(
        &mut config,
        &["vpcs", "production", "cidr_block"],
        s("10.1.0.0/33"),
    );
    set(
        &mut config,
        &["vpcs", "shared", "subnets", "private", "cidr_block"],
        s("ten"),
    );
    set(
        &mut config,
        &["ssh_ingress_cidrs"],
        Value::List(vec![s("10.1.1.0/24"), s("bastion")]),
    );
    let diags = h.validate(&mesh_config(&[], &[])).await;
    assert!(diags.has_errors(), "an empty mesh is too small");
    let diags = h.validate(&config).await;
    let paths = error_paths(&diags);
    assert!(
        paths.contains(&"vpcs[\"production\"].cidr_block".to_string()),
        "{paths:?}"
    );
    assert!(
        paths.contains(&"vpcs[\"shared\"].subnets[\"private\"].cidr_block".to_string()),
        "{paths:?}"
    );
    assert!(
        paths.contains(&"ssh_ingress_cidrs[1]".to_string()),
        "{paths:?}"
    );
    // A block that does not parse is reported once, not again as a bad prefix.
    assert_eq!(
        paths.iter().filter(|p| p.contains("production")).count(),
        1,
        "{diags}"
    );
}

#[tokio::test]
async fn topology_and_timeouts_are_checked() {
    let h = Harness::new();
    let config = mesh_config(
        &seed_vpcs(),
        &[
            ("topology", s("ring")),
            ("timeouts", obj(&[("create", s("soon"))])),
        ],
    );
    let paths = error_paths(&h.validate(&config).await);
    assert_eq!(paths, ["topology", "timeouts.create"]);
    let config = mesh_config(
        &seed_vpcs(),
        &[("topology", s("hub_and_spoke")), ("hub", s("nowhere"))],
    );
    assert_eq!(error_paths(&h.validate(&config).await), ["hub"]);
}

#[tokio::test]
async fn overlapping_peered_vpcs_fail_at_plan_naming_both() {
    let h = Harness::new();
    let mut config = seed_config();
    set(&mut config, &["vpcs", "testing"], vpc("10.1.0.0/16", &[]));
    let plan = h.plan(&config).await;
    let errors = plan.errors();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].contains("production")
            && errors[0].contains("testing")
            && errors[0].contains("10.1.0.0/16"),
        "{errors:?}"
    );
}

#[tokio::test]
async fn a_vpc_needs_a_block_or_an_id() {
    let h = Harness::new();
    let mut config = seed_config();
    set(
        &mut config,
        &["vpcs", "testing"],
        obj(&[("region", s("eu-west-2"))]),
    );
    assert_eq!(
        error_paths(&h.validate(&config).await),
        ["vpcs[\"testing\"].cidr_block"]
    );
    set(
        &mut config,
        &["vpcs", "testing"],
        obj(&[("vpc_id", s("vpc-0123456789abcdef0"))]),
    );
    assert!(h.validate(&config).await.is_empty());
}

#[tokio::test]
async fn unknown_values_are_checked_once_known() {
    let h = Harness::new();
    let mut config = seed_config();
    set(
        &mut config,
        &["vpcs", "testing", "cidr_block"],
        Value::Unknown,
    );
    set(
        &mut config,
        &["vpcs", "shared", "subnets", "private", "cidr_block"],
        Value::Unknown,
    );
    set(
        &mut config,
        &["vpcs", "development", "region"],
        Value::Unknown,
    );
    set(&mut config, &["ssh_ingress_cidrs"], Value::Unknown);
    assert!(h.validate(&config).await.is_empty());
    let plan = h.plan(&config).await;
    assert!(plan.errors().is_empty(), "{:?}", plan.errors());
    let p = &plan.value.planned;
    assert_eq!(
        at(p, &["peering_count"]).as_i64(),
        Some(6),
        "the pairs do not depend on the unknown values"
    );
    assert!(at(p, &["vpcs", "testing", "cidr_block"]).is_unknown());
    assert!(at(p, &["vpcs", "development", "region"]).is_unknown());

    let unknown_topology = mesh_config(&seed_vpcs(), &[("topology", Value::Unknown)]);
    assert!(h.validate(&unknown_topology).await.is_empty());
    let plan = h.plan(&unknown_topology).await;
    assert!(at(&plan.value.planned, &["reachability"]).is_unknown());
    assert!(at(&plan.value.planned, &["peering_count"]).is_unknown());
    assert!(at(&plan.value.planned, &["topology"]).is_unknown());

    let unknown_vpc = mesh_config(
        &[("a", vpc("10.1.0.0/16", &[])), ("b", Value::Unknown)],
        &[],
    );
    assert!(h.validate(&unknown_vpc).await.is_empty());
    let plan = h.plan(&unknown_vpc).await;
    assert!(plan.errors().is_empty(), "{:?}", plan.errors());
    assert!(at(&plan.value.planned, &["vpcs", "b"]).is_unknown());
    assert!(at(&plan.value.planned, &["peerings", "a:b", "id"]).is_unknown());
}

#[tokio::test]
async fn subnets_default_to_private_and_tags_stay_as_written() {
    let h = Harness::new();
    let config = mesh_config(
        &seed_vpcs(),
        &[("tags", Value::Null), ("ssh_ingress_cidrs", Value::Null)],
    );
    let plan = h.plan(&config).await;
    let p = &plan.value.planned;
    assert!(at(p, &["tags"]).is_null());
    assert!(at(p, &["ssh_ingress_cidrs"]).is_null());
    assert_eq!(
        at(p, &["vpcs", "testing", "subnets", "private", "public"]),
        &Value::from(false)
    );
    let no_subnets = mesh_config(
        &[
            ("a", vpc("10.1.0.0/16", &[])),
            ("b", vpc("10.2.0.0/16", &[])),
        ],
        &[("tags", map(&[]))],
    );
    let plan = h.plan(&no_subnets).await;
    assert!(at(&plan.value.planned, &["vpcs", "a", "subnets"]).is_null());
    assert!(at(&plan.value.planned, &["vpcs", "a", "route_table_ids"]).is_unknown());
}
