//! Create, plan again, grow, change one VPC, rename: what each plan knows and what
//! each apply makes.

use tfplugin::value::Value;

use super::rules::unknown_paths;
use super::values::{
    at, five_vpc_config, mesh_config, s, seed_config, seed_vpcs, set, strings, text, vpc,
};
use super::Harness;
use crate::ec2::types::PeeringStatus;
use crate::ec2::Action;

fn peering_ids(state: &Value) -> Vec<(String, String)> {
    let peerings = at(state, &["peerings"]).as_map().expect("peerings map");
    peerings
        .iter()
        .map(|(k, p)| (k.clone(), p.get("id").as_str().unwrap_or("?").to_string()))
        .collect()
}

#[tokio::test]
async fn a_create_plan_knows_everything_but_the_new_ids() {
    let h = Harness::new();
    let plan = h.plan(&seed_config()).await;
    assert!(plan.errors().is_empty(), "{:?}", plan.errors());
    let p = &plan.value.planned;
    assert!(at(p, &["id"]).is_unknown());
    assert_eq!(at(p, &["peering_count"]).as_i64(), Some(6));
    assert_eq!(
        at(p, &["reachability", "production"]),
        &strings(&["development", "shared", "testing"])
    );
    assert_eq!(at(p, &["topology"]), &s("full_mesh"));
    assert_eq!(at(p, &["allow_icmp"]), &Value::from(true));
    assert_eq!(at(p, &["dns_resolution"]), &Value::from(false));
    let peering = at(p, &["peerings", "development:production"]);
    assert_eq!(
        (peering.get("requester"), peering.get("accepter")),
        (&s("development"), &s("production"))
    );
    assert_eq!(peering.get("status"), &s("active"));
    assert!(peering.get("id").is_unknown());
    assert_eq!(at(p, &["peerings"]).as_map().map(|m| m.len()), Some(6));
    assert_eq!(at(p, &["vpcs", "production", "region"]), &s("eu-west-2"));
    assert_eq!(
        at(p, &["vpcs", "production", "subnets", "private", "public"]),
        &Value::from(false)
    );
    assert!(at(p, &["vpcs", "production", "internet_gateway_id"]).is_unknown());
    assert!(at(p, &["vpcs", "development", "internet_gateway_id"]).is_null());
    assert!(at(p, &["vpcs", "development", "subnets", "private", "id"]).is_unknown());
    assert!(plan.value.requires_replace.is_empty());
}

#[tokio::test]
async fn apply_makes_the_seed_mesh_and_the_next_plan_is_empty() {
    let mut h = Harness::new();
    let state = h.converge(&seed_config()).await;
    let id = text(&state, &["id"]);
    assert!(id.starts_with("mesh-") && id.len() == 21, "{id}");
    for (key, pcx) in peering_ids(&state) {
        assert_eq!(
            h.fake.peering(&pcx).map(|p| p.status),
            Some(PeeringStatus::Active),
            "{key}"
        );
    }
    assert_eq!(h.fake.count(Action::CreateVpc), 4);
    assert_eq!(h.fake.count(Action::CreateVpcPeeringConnection), 6);
    assert!(at(&state, &["vpcs", "production", "internet_gateway_id"])
        .as_str()
        .is_some_and(|g| g.starts_with("igw-")));
    assert!(at(
        &state,
        &["vpcs", "production", "subnets", "private", "route_table_id"]
    )
    .as_str()
    .is_some_and(|t| t.starts_with("rtb-")));
    assert_eq!(
        at(&state, &["vpcs", "shared", "route_table_ids"])
            .as_list()
            .map(<[Value]>::len),
        Some(1)
    );

    let refreshed = h.refresh().await;
    assert!(refreshed.diags.is_empty(), "{:?}", refreshed.diags);
    assert_eq!(
        refreshed.value, state,
        "a refresh without drift changes nothing"
    );
    let again = h.plan(&seed_config()).await;
    assert!(again.diags.is_empty(), "{:?}", again.diags);
    assert_eq!(again.value.planned, h.state, "a second plan is empty");
}

#[tokio::test]
async fn a_fifth_vpc_adds_only_its_own_components() {
    let mut h = Harness::new();
    let before = h.converge(&seed_config()).await;
    h.refresh().await;
    let plan = h.plan(&five_vpc_config()).await;
    let unknown = unknown_paths(&plan.value.planned);
    assert!(!unknown.is_empty());
    for path in &unknown {
        assert!(path.contains("staging"), "{path} should stay known");
    }
    assert_eq!(
        at(&plan.value.planned, &["peering_count"]).as_i64(),
        Some(10)
    );
    for (key, id) in peering_ids(&before) {
        assert_eq!(
            text(&plan.value.planned, &["peerings", &key, "id"]),
            id,
            "{key}"
        );
    }
    for (name, _) in seed_vpcs() {
        assert_eq!(
            at(&plan.value.planned, &["vpcs", name, "vpc_id"]),
            at(&before, &["vpcs", name, "vpc_id"])
        );
    }
    let calls_before = h.fake.count(Action::CreateVpcPeeringConnection);
    let after = h.apply(&five_vpc_config(), &plan.value).await;
    assert!(after.errors().is_empty(), "{:?}", after.errors());
    assert_eq!(
        h.fake.count(Action::CreateVpcPeeringConnection) - calls_before,
        4
    );
    assert_eq!(h.fake.count(Action::CreateVpc), 5);
    assert_eq!(peering_ids(&after.value).len(), 10);
}

#[tokio::test]
async fn a_new_cidr_replaces_that_vpc_and_its_peerings_within_an_update() {
    let mut h = Harness::new();
    let before = h.converge(&seed_config()).await;
    h.refresh().await;
    let mut config = seed_config();
    set(
        &mut config,
        &["vpcs", "testing"],
        vpc("10.30.0.0/16", &[("private", "10.30.1.0/24", false)]),
    );
    let plan = h.plan(&config).await;
    assert!(plan.value.requires_replace.is_empty());
    for path in unknown_paths(&plan.value.planned) {
        assert!(path.contains("testing"), "{path} should stay known");
    }
    assert!(at(&plan.value.planned, &["vpcs", "testing", "vpc_id"]).is_unknown());
    assert!(at(
        &plan.value.planned,
        &["peerings", "production:testing", "id"]
    )
    .is_unknown());
    let after = h.apply(&config, &plan.value).await;
    assert!(after.errors().is_empty(), "{:?}", after.errors());
    let old = text(&before, &["vpcs", "testing", "vpc_id"]);
    assert_ne!(text(&after.value, &["vpcs", "testing", "vpc_id"]), old);
    assert!(!h.fake.live_ids().contains(&old), "the old VPC is deleted");
    assert_eq!(
        text(&after.value, &["peerings", "development:production", "id"]),
        text(&before, &["peerings", "development:production", "id"])
    );
}

#[tokio::test]
async fn only_a_new_name_replaces_the_mesh() {
    let mut h = Harness::new();
    h.converge(&seed_config()).await;
    h.refresh().await;
    let renamed = mesh_config(&seed_vpcs(), &[("name", s("seed-lab-2"))]);
    let plan = h.plan(&renamed).await;
    let paths: Vec<String> = plan
        .value
        .requires_replace
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(paths, ["name"]);
    let retagged = mesh_config(
        &seed_vpcs(),
        &[("tags", super::values::map(&[("team", s("ops"))]))],
    );
    let plan = h.plan(&retagged).await;
    assert!(plan.value.requires_replace.is_empty());
    assert!(
        unknown_paths(&plan.value.planned).is_empty(),
        "a tag change keeps every id"
    );
}

#[tokio::test]
async fn hub_and_spoke_peers_each_vpc_with_the_hub_only() {
    let mut h = Harness::new();
    let config = mesh_config(
        &seed_vpcs(),
        &[("topology", s("hub_and_spoke")), ("hub", s("shared"))],
    );
    let state = h.converge(&config).await;
    assert_eq!(at(&state, &["peering_count"]).as_i64(), Some(3));
    assert_eq!(
        at(&state, &["reachability", "production"]),
        &strings(&["shared"])
    );
    assert_eq!(
        at(&state, &["reachability", "shared"]),
        &strings(&["development", "production", "testing"])
    );
    let keys: Vec<String> = peering_ids(&state).into_iter().map(|(k, _)| k).collect();
    assert_eq!(
        keys,
        ["development:shared", "production:shared", "shared:testing"]
    );
    h.refresh().await;
    assert_eq!(h.plan(&config).await.value.planned, h.state);
}
