//! Drift: a change made outside Terraform shows in the next plan (unknown values and a
//! warning naming the repair) and apply repairs it.

use ipnet::Ipv4Net;
use tfplugin::value::Value;

use super::rules::unknown_paths;
use super::values::{at, seed_config, text};
use super::Harness;
use crate::ec2::types::{IngressRule, PeeringStatus, Protocol};

async fn seeded() -> (Harness, Value) {
    let mut h = Harness::new();
    let state = h.converge(&seed_config()).await;
    (h, state)
}

fn net(s: &str) -> Ipv4Net {
    s.parse().expect("test CIDR")
}

/// Refresh, plan: the plan must show exactly `expect_unknown` as unknown and warn with
/// `expect_words`; then apply and check that the next plan is empty.
async fn repaired(h: &mut Harness, expect_unknown: &[&str], expect_words: &str) {
    let refreshed = h.refresh().await;
    assert!(refreshed.errors().is_empty(), "{:?}", refreshed.errors());
    let plan = h.plan(&seed_config()).await;
    assert!(plan.errors().is_empty(), "{:?}", plan.errors());
    assert_eq!(unknown_paths(&plan.value.planned), expect_unknown);
    let warnings = plan.warnings();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].contains(expect_words), "{warnings:?}");
    let applied = h.apply(&seed_config(), &plan.value).await;
    assert!(applied.errors().is_empty(), "{:?}", applied.errors());
    h.refresh().await;
    let again = h.plan(&seed_config()).await;
    assert!(again.diags.is_empty(), "{:?}", again.diags);
    assert_eq!(
        again.value.planned, h.state,
        "repaired: the next plan is empty"
    );
}

#[tokio::test]
async fn a_deleted_peering_is_planned_back_and_restored() {
    let (mut h, state) = seeded().await;
    let old = text(&state, &["peerings", "shared:testing", "id"]);
    h.fake.delete_peering_out_of_band(&old);
    let refreshed = h.refresh().await;
    assert!(
        at(&refreshed.value, &["peerings", "shared:testing"]).is_null(),
        "a deleted peering leaves the state"
    );
    assert_eq!(at(&refreshed.value, &["peering_count"]).as_i64(), Some(5));
    let expect = [
        "peerings.shared:testing.id",
        "route_table_ids.shared/private",
        "route_table_ids.testing/private",
        "vpcs.shared.route_table_ids",
        "vpcs.shared.subnets.private.route_table_id",
        "vpcs.testing.route_table_ids",
        "vpcs.testing.subnets.private.route_table_id",
    ];
    repaired(&mut h, &expect, "peering shared:testing is missing").await;
    let new = text(&h.state, &["peerings", "shared:testing", "id"]);
    assert_ne!(new, old);
    assert_eq!(
        h.fake.peering(&new).map(|p| p.status),
        Some(PeeringStatus::Active)
    );
}

#[tokio::test]
async fn a_peering_that_is_not_active_shows_its_status_and_is_accepted() {
    let (mut h, state) = seeded().await;
    let id = text(&state, &["peerings", "development:production", "id"]);
    h.fake
        .set_peering_status(&id, PeeringStatus::PendingAcceptance);
    let refreshed = h.refresh().await;
    assert_eq!(
        text(
            &refreshed.value,
            &["peerings", "development:production", "status"]
        ),
        "pending-acceptance"
    );
    repaired(
        &mut h,
        &["peerings.development:production.id"],
        "not accepted",
    )
    .await;
    assert_eq!(
        text(&h.state, &["peerings", "development:production", "id"]),
        id,
        "the same peering, accepted"
    );
}

#[tokio::test]
async fn a_missing_route_is_put_back() {
    let (mut h, state) = seeded().await;
    let table = text(
        &state,
        &["vpcs", "testing", "subnets", "private", "route_table_id"],
    );
    h.fake
        .remove_route(&table, ipnet::IpNet::V4(net("10.4.0.0/16")));
    repaired(
        &mut h,
        &[
            "route_table_ids.testing/private",
            "vpcs.testing.route_table_ids",
            "vpcs.testing.subnets.private.route_table_id",
        ],
        "lacks the route to 10.4.0.0/16 via peering shared:testing",
    )
    .await;
    assert_eq!(
        text(
            &h.state,
            &["vpcs", "testing", "subnets", "private", "route_table_id"]
        ),
        table
    );
}

#[tokio::test]
async fn a_revoked_rule_is_authorized_again() {
    let (mut h, state) = seeded().await;
    let group = text(&state, &["vpcs", "shared", "security_group_id"]);
    h.fake.revoke_rule(
        &group,
        &IngressRule {
            protocol: Protocol::Icmp,
            cidr: ipnet::IpNet::V4(net("10.1.0.0/16")),
        },
    );
    repaired(
        &mut h,
        &["security_group_ids.shared", "vpcs.shared.security_group_id"],
        "ICMP from 10.1.0.0/16",
    )
    .await;
}

#[tokio::test]
async fn a_deleted_subnet_is_created_again() {
    let (mut h, state) = seeded().await;
    let subnet = text(&state, &["vpcs", "development", "subnets", "private", "id"]);
    h.fake.delete_subnet_out_of_band(&subnet);
    let refreshed = h.refresh().await;
    assert!(at(
        &refreshed.value,
        &["vpcs", "development", "subnets", "private"]
    )
    .is_null());
    let plan = h.plan(&seed_config()).await;
    assert!(at(
        &plan.value.planned,
        &["vpcs", "development", "subnets", "private", "id"]
    )
    .is_unknown());
    let applied = h.apply(&seed_config(), &plan.value).await;
    assert!(applied.errors().is_empty(), "{:?}", applied.errors());
    assert_ne!(
        text(
            &applied.value,
            &["vpcs", "development", "subnets", "private", "id"]
        ),
        subnet
    );
}

#[tokio::test]
async fn a_mesh_deleted_entirely_reads_as_gone() {
    let (mut h, state) = seeded().await;
    for vpc in ["production", "development", "testing", "shared"] {
        h.fake
            .delete_vpc_out_of_band(&text(&state, &["vpcs", vpc, "vpc_id"]));
    }
    let refreshed = h.refresh().await;
    assert!(refreshed.errors().is_empty(), "{:?}", refreshed.errors());
    assert!(refreshed.value.is_null(), "{:?}", refreshed.value);
}

#[tokio::test]
async fn dns_hostnames_turned_off_are_turned_on_again() {
    let (mut h, state) = seeded().await;
    let vpc = text(&state, &["vpcs", "shared", "vpc_id"]);
    h.fake.set_dns_hostnames_out_of_band(&vpc, false);
    // No attribute shows DNS hostnames: the mesh's id stands for the repair.
    repaired(&mut h, &["id"], "DNS hostnames are off in VPC shared").await;
    assert_eq!(h.fake.dns_hostnames(&vpc), Some(true));
}
