//! Import rebuilds the state from tags alone; destroy leaves nothing of the mesh's, never
//! deletes an adopted VPC nor an object with copied tags; refresh costs the same few
//! calls at any size.

use super::values::{at, map, mesh_config, obj, s, seed_config, seed_vpcs, strings, text, vpc};
use super::{Harness, REGION};
use crate::ec2::types::Tags;
use crate::ec2::Action;

#[tokio::test]
async fn import_rebuilds_the_applied_state_and_the_next_plan_is_empty() {
    let mut h = Harness::new();
    h.converge(&seed_config()).await;
    h.refresh().await;
    let applied = h.state.clone();
    let mut imported = h.sibling();
    let answer = imported.import(&text(&applied, &["id"])).await;
    assert!(answer.diags.is_empty(), "{:?}", answer.diags);
    assert_eq!(answer.value, applied);
    imported.refresh().await;
    let plan = imported.plan(&seed_config()).await;
    assert!(plan.diags.is_empty(), "{:?}", plan.diags);
    assert_eq!(plan.value.planned, imported.state);
}

#[tokio::test]
async fn import_keeps_explicit_connections_and_settings_as_written() {
    let mut h = Harness::new();
    let connections = tfplugin::value::Value::List(vec![
        strings(&["shared", "production"]),
        strings(&["testing", "development"]),
    ]);
    let config = mesh_config(
        &seed_vpcs(),
        &[
            ("topology", s("explicit")),
            ("connections", connections),
            ("allow_icmp", false.into()),
            ("dns_resolution", true.into()),
            (
                "ssh_ingress_cidrs",
                strings(&["10.2.0.0/24", "10.1.1.0/24"]),
            ),
        ],
    );
    h.converge(&config).await;
    let mut imported = h.sibling();
    let answer = imported.import(&text(&h.state, &["id"])).await;
    assert_eq!(answer.value, h.state);
    let plan = imported.plan(&config).await;
    assert_eq!(plan.value.planned, imported.state);
}

#[tokio::test]
async fn importing_an_unknown_mesh_finds_nothing() {
    let mut h = Harness::new();
    let answer = h.import("mesh-0000000000000000").await;
    assert!(answer.value.is_null());
    assert!(answer.diags.is_empty());
}

#[tokio::test]
async fn destroy_deletes_everything_tagged_but_not_an_adopted_vpc() {
    let mut h = Harness::new();
    let adopted = h
        .fake
        .add_vpc(REGION, "10.9.0.0/16".parse().expect("CIDR"), &Tags::new());
    let mut vpcs = seed_vpcs();
    vpcs.push((
        "legacy",
        obj(&[
            ("vpc_id", s(&adopted)),
            (
                "subnets",
                map(&[("apps", obj(&[("cidr_block", s("10.9.1.0/24"))]))]),
            ),
        ]),
    ));
    let config = mesh_config(&vpcs, &[]);
    let state = h.converge(&config).await;
    assert_eq!(
        text(&state, &["vpcs", "legacy", "cidr_block"]),
        "10.9.0.0/16"
    );
    assert_eq!(text(&state, &["vpcs", "legacy", "vpc_id"]), adopted);
    assert_eq!(at(&state, &["peering_count"]).as_i64(), Some(10));
    h.refresh().await;
    assert_eq!(h.plan(&config).await.value.planned, h.state);
    let mut imported = h.sibling();
    assert_eq!(
        imported.import(&text(&state, &["id"])).await.value,
        h.state,
        "import finds the adopted VPC too"
    );

    let mesh_id = text(&state, &["id"]);
    let gone = h.destroy().await;
    assert!(gone.diags.is_empty(), "{:?}", gone.diags);
    assert!(gone.value.is_null());
    assert!(
        h.fake.tagged_ids(&mesh_id).is_empty(),
        "left: {:?}",
        h.fake.tagged_ids(&mesh_id)
    );
    assert_eq!(
        h.fake.live_ids().into_iter().collect::<Vec<_>>(),
        [adopted],
        "only the adopted VPC remains"
    );
}

#[tokio::test]
async fn a_refresh_costs_the_same_describe_calls_at_any_size_but_one_per_vpc() {
    let mut describes = Vec::new();
    // Up to 5 VPCs: the default quota of VPCs per region.
    for n in [2usize, 5] {
        let vpcs: Vec<(String, tfplugin::value::Value)> = (0..n)
            .map(|i| {
                (
                    format!("v{i}"),
                    vpc(
                        &format!("10.{i}.0.0/16"),
                        &[("a", &format!("10.{i}.1.0/24"), false)],
                    ),
                )
            })
            .collect();
        let vpcs: Vec<(&str, tfplugin::value::Value)> =
            vpcs.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
        let mut h = Harness::new();
        h.converge(&mesh_config(&vpcs, &[])).await;
        h.fake.clear_calls();
        h.refresh().await;
        let calls = h.fake.calls();
        let count = |pick: &dyn Fn(Action) -> bool| calls.iter().filter(|(a, _)| pick(*a)).count();
        // DNS hostnames are one DescribeVpcAttribute per VPC: EC2 has no batch form.
        assert_eq!(count(&|a| a == Action::DescribeVpcAttribute), n);
        describes.push(count(&|a| {
            a.is_describe() && a != Action::DescribeVpcAttribute
        }));
    }
    assert_eq!(describes[0], describes[1], "{describes:?}");
    assert!(describes[0] <= 7, "{describes:?}");
}

#[tokio::test]
async fn destroy_leaves_an_object_with_copied_tags_and_succeeds() {
    let mut h = Harness::new();
    let state = h.converge(&seed_config()).await;
    let mesh_id = text(&state, &["id"]);
    let copied: Tags = [
        (crate::ec2::types::TAG_MESH, mesh_id.as_str()),
        (crate::ec2::types::TAG_COMPONENT, "copied-from-cmdb"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let stranger = h
        .fake
        .add_vpc(REGION, "10.9.0.0/16".parse().expect("CIDR"), &copied);
    let gone = h.destroy().await;
    assert!(gone.diags.is_empty(), "{:?}", gone.diags);
    assert!(gone.value.is_null());
    assert_eq!(
        h.fake.live_ids().into_iter().collect::<Vec<_>>(),
        [stranger],
        "only the VPC with copied tags remains"
    );
}
