//! Dual-stack meshes through the resource: plan, apply (two rounds in one apply),
//! refresh, import, turning IPv6 off, and the validation of `ipv6_index`.

use tfplugin::value::Value;

use super::values::{at, mesh_config, seed_config, seed_vpcs, set, text};
use super::Harness;
use crate::ec2::{Action, Ec2};

/// The seed mesh with `ipv6` on production and development, and development's subnet
/// on /64 number 7.
fn dual_stack_config() -> Value {
    let mut vpcs = seed_vpcs();
    for (name, vpc) in vpcs.iter_mut() {
        if matches!(*name, "production" | "development") {
            set(vpc, &["ipv6"], Value::from(true));
        }
        if *name == "development" {
            set(vpc, &["subnets", "private", "ipv6_index"], Value::from(7));
        }
    }
    mesh_config(&vpcs, &[])
}

#[tokio::test]
async fn a_dual_stack_mesh_plans_applies_refreshes_and_imports() {
    let mut h = Harness::new();
    let config = dual_stack_config();
    let plan = h.plan(&config).await;
    assert!(plan.errors().is_empty(), "{:?}", plan.errors());
    let p = &plan.value.planned;
    assert!(at(p, &["vpcs", "production", "ipv6_cidr_block"]).is_unknown());
    assert!(at(
        p,
        &["vpcs", "production", "subnets", "public", "ipv6_cidr_block"]
    )
    .is_unknown());
    assert!(at(p, &["vpcs", "testing", "ipv6_cidr_block"]).is_null());

    let state = h.converge(&config).await;
    let prod = text(&state, &["vpcs", "production", "ipv6_cidr_block"]);
    let prod_block: ipnet::Ipv6Net = prod.parse().unwrap();
    assert_eq!(prod_block.prefix_len(), 56);
    let dev: ipnet::Ipv6Net = text(&state, &["vpcs", "development", "ipv6_cidr_block"])
        .parse()
        .unwrap();
    assert_eq!(
        text(
            &state,
            &[
                "vpcs",
                "development",
                "subnets",
                "private",
                "ipv6_cidr_block"
            ]
        ),
        crate::mesh::desired::subnet_ipv6_cidr(dev, 7).to_string()
    );
    assert_eq!(
        text(
            &state,
            &["vpcs", "production", "subnets", "public", "ipv6_cidr_block"]
        ),
        crate::mesh::desired::subnet_ipv6_cidr(prod_block, 1).to_string(),
        "public is second in name order"
    );
    assert!(at(&state, &["vpcs", "testing", "ipv6_cidr_block"]).is_null());
    assert_eq!(h.fake.count(Action::AssociateVpcCidrBlock), 2);
    assert_eq!(h.fake.count(Action::AssociateSubnetCidrBlock), 3);

    let refreshed = h.refresh().await;
    assert!(refreshed.diags.is_empty(), "{:?}", refreshed.diags);
    assert_eq!(refreshed.value, state);
    let again = h.plan(&config).await;
    assert!(again.diags.is_empty(), "{:?}", again.diags);
    assert_eq!(again.value.planned, h.state, "a second plan is empty");

    let mut imported = h.sibling();
    let answer = imported.import(&text(&state, &["id"])).await;
    assert!(answer.diags.is_empty(), "{:?}", answer.diags);
    assert_eq!(
        at(&answer.value, &["vpcs", "production", "ipv6"]),
        &Value::from(true)
    );
    assert_eq!(
        at(
            &answer.value,
            &["vpcs", "development", "subnets", "private", "ipv6_index"]
        ),
        &Value::from(7)
    );
    assert_eq!(
        at(&answer.value, &["vpcs", "testing", "ipv6"]),
        &Value::from(false)
    );
}

#[tokio::test]
async fn turning_ipv6_off_plans_null_blocks_and_removes_them() {
    let mut h = Harness::new();
    let state = h.converge(&dual_stack_config()).await;
    let vpc_id = text(&state, &["vpcs", "production", "vpc_id"]);
    let plan = h.plan(&seed_config()).await;
    assert!(plan.errors().is_empty(), "{:?}", plan.errors());
    assert!(at(
        &plan.value.planned,
        &["vpcs", "production", "ipv6_cidr_block"]
    )
    .is_null());
    let state = h.converge(&seed_config()).await;
    assert!(at(&state, &["vpcs", "production", "ipv6_cidr_block"]).is_null());
    assert!(at(
        &state,
        &[
            "vpcs",
            "development",
            "subnets",
            "private",
            "ipv6_cidr_block"
        ]
    )
    .is_null());
    assert_eq!(text(&state, &["vpcs", "production", "vpc_id"]), vpc_id);
    assert_eq!(h.fake.count(Action::DisassociateVpcCidrBlock), 2);
    let again = h.plan(&seed_config()).await;
    assert_eq!(again.value.planned, h.state, "then nothing to do");
}

#[tokio::test]
async fn ipv6_index_is_checked_with_its_path() {
    let h = Harness::new();
    let mut config = dual_stack_config();
    set(
        &mut config,
        &["vpcs", "testing", "subnets", "private", "ipv6_index"],
        Value::from(1),
    );
    set(
        &mut config,
        &["vpcs", "production", "subnets", "public", "ipv6_index"],
        Value::from(0),
    );
    set(
        &mut config,
        &["vpcs", "development", "subnets", "private", "ipv6_index"],
        Value::from(256),
    );
    let diags = h.validate(&config).await;
    let text = format!("{diags:?}");
    for needle in [
        "IPv6 index without IPv6",
        "Duplicate IPv6 index",
        "IPv6 index out of range",
    ] {
        assert!(text.contains(needle), "{needle} in {text}");
    }
    let paths: Vec<String> = diags
        .iter()
        .filter_map(|d| d.attribute.as_ref().map(|a| format!("{a:?}")))
        .collect();
    assert!(
        paths
            .iter()
            .any(|p| p.contains("testing") && p.contains("ipv6_index")),
        "{paths:?}"
    );
}

#[tokio::test]
async fn a_lost_subnet_block_shows_in_the_plan_and_apply_restores_it() {
    let mut h = Harness::new();
    let config = dual_stack_config();
    let state = h.converge(&config).await;
    let subnet = text(&state, &["vpcs", "production", "subnets", "private", "id"]);
    h.refresh().await;
    let inv = h
        .fake
        .inventory("eu-west-2", &text(&state, &["id"]), &[])
        .await
        .unwrap();
    let association = inv
        .subnets
        .iter()
        .find(|s| s.id == subnet)
        .and_then(|s| s.ipv6_association_id.clone())
        .unwrap();
    h.fake
        .disassociate_subnet_cidr("eu-west-2", &association)
        .await
        .unwrap();
    h.refresh().await;
    let plan = h.plan(&config).await;
    let p = &plan.value.planned;
    let path = ["vpcs", "production", "subnets", "private"];
    assert!(at(p, &[&path[..], &["ipv6_cidr_block"]].concat()).is_unknown());
    assert_eq!(
        at(p, &[&path[..], &["id"]].concat()),
        &Value::from(subnet.as_str())
    );
    let repaired = h.converge(&config).await;
    assert_eq!(repaired, state);
}
