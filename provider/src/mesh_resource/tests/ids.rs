//! The top-level id maps: unknown where an id can change, equal to the prior state
//! where nothing changes, filled by the apply itself, also with Terraform 1.0.3 (where
//! `vpcs` waits for the next refresh), and equal to what EC2 holds.

use std::collections::BTreeMap;

use tfplugin::value::Value;

use super::rules::unknown_paths;
use super::values::{at, five_vpc_config, map, obj, s, seed_config, text};
use super::{Harness, REGION};
use crate::ec2::types::{Tags, TAG_COMPONENT};
use crate::ec2::Ec2;
use crate::mesh_resource::ids::id_maps;

const MAPS: [&str; 5] = [
    "vpc_ids",
    "security_group_ids",
    "internet_gateway_ids",
    "subnet_ids",
    "route_table_ids",
];

/// What the maps must hold, read from the fake EC2 by component tag.
async fn expected_from_ec2(h: &Harness, state: &Value) -> BTreeMap<&'static str, Value> {
    let inv = h
        .fake
        .inventory(REGION, &text(state, &["id"]), &[])
        .await
        .expect("the fake's inventory");
    let mut by_component = BTreeMap::new();
    let mut tagged = |id: &str, tags: &Tags| {
        if let Some(key) = tags.get(TAG_COMPONENT) {
            by_component.insert(key.clone(), id.to_string());
        }
    };
    inv.vpcs.iter().for_each(|v| tagged(&v.id, &v.tags));
    inv.subnets.iter().for_each(|v| tagged(&v.id, &v.tags));
    inv.route_tables.iter().for_each(|v| tagged(&v.id, &v.tags));
    inv.internet_gateways
        .iter()
        .for_each(|v| tagged(&v.id, &v.tags));
    inv.security_groups
        .iter()
        .for_each(|v| tagged(&v.id, &v.tags));
    // Component keys are `KIND/vpc` or `KIND/vpc/subnet`: the maps' keys after the kind.
    let prefixed = |prefix: &str| {
        Value::Map(
            by_component
                .iter()
                .filter_map(|(k, id)| {
                    Some((
                        k.strip_prefix(prefix)?.to_string(),
                        Value::from(id.as_str()),
                    ))
                })
                .collect(),
        )
    };
    BTreeMap::from([
        ("vpc_ids", prefixed("vpc/")),
        ("security_group_ids", prefixed("sg/")),
        ("internet_gateway_ids", prefixed("igw/")),
        ("subnet_ids", prefixed("subnet/")),
        ("route_table_ids", prefixed("rtb/")),
    ])
}

async fn assert_maps_match_ec2(h: &Harness, state: &Value) {
    let expected = expected_from_ec2(h, state).await;
    for name in MAPS {
        assert_eq!(at(state, &[name]), &expected[name], "{name}");
    }
    assert_eq!(at(state, &["vpc_ids"]).as_map().map(BTreeMap::len), Some(4));
    assert_eq!(
        at(state, &["subnet_ids"]).as_map().map(BTreeMap::len),
        Some(5)
    );
    assert_eq!(
        at(state, &["internet_gateway_ids"])
            .as_map()
            .map(|m| m.keys().cloned().collect::<Vec<_>>()),
        Some(vec!["production".to_string()]),
        "only the VPC with a public subnet has a gateway"
    );
}

#[tokio::test]
async fn a_create_plan_knows_the_keys_but_not_the_ids() {
    let h = Harness::new();
    let p = h.plan(&seed_config()).await.value.planned;
    let vpc_ids = at(&p, &["vpc_ids"]).as_map().expect("keys known at plan");
    assert_eq!(
        vpc_ids.keys().collect::<Vec<_>>(),
        ["development", "production", "shared", "testing"]
    );
    assert!(vpc_ids.values().all(Value::is_unknown));
    let subnets = at(&p, &["route_table_ids"]).as_map().expect("keys known");
    assert!(subnets.contains_key("production/public"));
    assert_eq!(subnets.len(), 5);
    assert!(
        at(&p, &["internet_gateway_ids"]).is_unknown(),
        "a gateway id not known yet: the whole map waits"
    );
}

#[tokio::test]
async fn apply_fills_the_maps_and_the_next_plan_keeps_them() {
    let mut h = Harness::new();
    let state = h.converge(&seed_config()).await;
    assert_maps_match_ec2(&h, &state).await;
    assert_eq!(
        text(&state, &["subnet_ids", "production/private"]),
        text(&state, &["vpcs", "production", "subnets", "private", "id"])
    );
    h.refresh().await;
    assert_eq!(h.state, state, "a refresh reads the same maps");
    let again = h.plan(&seed_config()).await;
    assert_eq!(again.value.planned, h.state, "no changes");
}

#[tokio::test]
async fn with_terraform_1_0_3_the_first_apply_fills_the_maps() {
    let mut h = Harness::new();
    h.res.set_terraform_version("1.0.3");
    let plan = h.plan(&seed_config()).await;
    assert!(at(&plan.value.planned, &["vpc_ids", "production"]).is_unknown());
    let state = h.converge(&seed_config()).await;
    assert!(
        at(&state, &["vpcs", "production", "security_group_id"]).is_null(),
        "vpcs is saved as written"
    );
    assert_maps_match_ec2(&h, &state).await;

    h.refresh().await;
    for name in MAPS {
        assert_eq!(at(&h.state, &[name]), at(&state, &[name]), "{name}");
    }
    assert_eq!(
        text(&h.state, &["security_group_ids", "shared"]),
        text(&h.state, &["vpcs", "shared", "security_group_id"])
    );
    let again = h.plan(&seed_config()).await;
    assert_eq!(again.value.planned, h.state, "no changes");
}

#[tokio::test]
async fn a_fifth_vpc_leaves_only_its_own_entries_unknown() {
    for version in ["1.11.4", "1.0.3"] {
        let mut h = Harness::new();
        h.res.set_terraform_version(version);
        let before = h.converge(&seed_config()).await;
        h.refresh().await;
        let plan = h.plan(&five_vpc_config()).await;
        let unknown: Vec<String> = unknown_paths(&plan.value.planned)
            .into_iter()
            .filter(|p| MAPS.iter().any(|m| p.starts_with(m)))
            .collect();
        assert_eq!(
            unknown,
            [
                "route_table_ids.staging/private",
                "security_group_ids.staging",
                "subnet_ids.staging/private",
                "vpc_ids.staging",
            ],
            "{version}"
        );
        assert_eq!(
            at(&plan.value.planned, &["internet_gateway_ids"]),
            at(&before, &["internet_gateway_ids"]),
            "{version}: staging has no public subnet"
        );
        let applied = h.apply(&five_vpc_config(), &plan.value).await;
        assert!(applied.errors().is_empty(), "{:?}", applied.errors());
        assert!(text(&applied.value, &["vpc_ids", "staging"]).starts_with("vpc-"));
        assert_eq!(
            text(&applied.value, &["vpc_ids", "production"]),
            text(&before, &["vpc_ids", "production"]),
            "{version}"
        );
    }
}

#[test]
fn unknown_structure_makes_the_maps_unknown_and_null_ids_leave_no_entry() {
    let maps = |vpcs: Value| BTreeMap::from(id_maps(&vpcs));

    let all = maps(Value::Unknown);
    assert!(all.values().all(Value::is_unknown));

    let subnet = obj(&[("id", s("subnet-1")), ("route_table_id", Value::Unknown)]);
    let known = obj(&[
        ("vpc_id", s("vpc-1")),
        ("security_group_id", Value::Null),
        ("internet_gateway_id", Value::Null),
        ("subnets", map(&[("private", subnet)])),
    ]);
    let one = maps(map(&[("a", known.clone())]));
    assert_eq!(one["vpc_ids"], map(&[("a", s("vpc-1"))]));
    assert_eq!(one["security_group_ids"], map(&[]), "null: no entry");
    assert_eq!(one["internet_gateway_ids"], map(&[]));
    assert_eq!(one["subnet_ids"], map(&[("a/private", s("subnet-1"))]));
    assert_eq!(
        one["route_table_ids"],
        map(&[("a/private", Value::Unknown)])
    );

    let with_unknown_vpc = maps(map(&[("a", known), ("b", Value::Unknown)]));
    assert_eq!(
        with_unknown_vpc["vpc_ids"],
        map(&[("a", s("vpc-1")), ("b", Value::Unknown)])
    );
    assert!(with_unknown_vpc["subnet_ids"].is_unknown(), "b's subnets");
    assert!(with_unknown_vpc["internet_gateway_ids"].is_unknown());
}
