//! Topologies other than the full mesh (hub and spoke, explicit pairs), and
//! the one topology error EC2 itself would not catch in moto: peered VPCs
//! with overlapping CIDRs must fail at plan, naming both VPCs and the overlap.

use std::collections::BTreeSet;

use acceptance_tests::mesh_checks::assert_mesh_matches;
use acceptance_tests::mesh_fixture::{
    all_text, apply_mesh, assert_plan_empty, mesh_workspace, MeshOutputs, MeshSpec, ScenarioTimer,
    TopologySpec, VpcSpec, REGION,
};
use acceptance_tests::{for_each_terraform, Ec2Check, MotoServer, Terraform};

/// Applies `spec`, checks EC2 against it and that the next plan is empty;
/// returns the outputs.
fn apply_and_check(test: &str, tf: &Terraform, moto: &MotoServer, spec: &MeshSpec) -> MeshOutputs {
    let timer = ScenarioTimer::start(test, tf);
    let ws = mesh_workspace(test, tf, moto, spec);
    ws.init().expect_success();
    timer.step("apply", || {
        apply_mesh(&ws);
    });
    let outputs = MeshOutputs::parse(ws.output_json().expect_success());
    let ec2 = Ec2Check::new(&moto.endpoint(), REGION).snapshot();
    assert_mesh_matches(&ec2, spec, &outputs);
    timer.step("second plan", || assert_plan_empty(&ws.plan_detailed()));
    outputs
}

fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

#[test]
fn hub_and_spoke_peers_every_spoke_with_the_hub_only() {
    let test = "hub_and_spoke";
    let mut spec = MeshSpec::seed();
    spec.topology = TopologySpec::HubAndSpoke("shared".into());
    for_each_terraform(test, |tf| {
        let Some(moto) = MotoServer::require(test) else {
            return;
        };
        let outputs = apply_and_check(test, tf, &moto, &spec);
        assert_eq!(outputs.peering_count, 3.0);
        let keys: BTreeSet<&str> = outputs.peerings.keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            BTreeSet::from(["production:shared", "development:shared", "shared:testing"])
        );
        for spoke in ["production", "development", "testing"] {
            assert_eq!(
                outputs.reachability[spoke],
                names(&["shared"]),
                "{spoke} reaches only the hub"
            );
        }
        let mut hub = outputs.reachability["shared"].clone();
        hub.sort();
        assert_eq!(hub, names(&["development", "production", "testing"]));
    });
}

#[test]
fn explicit_topology_peers_exactly_the_listed_pairs() {
    let test = "explicit_topology";
    let mut spec = MeshSpec::seed();
    spec.topology = TopologySpec::Explicit(vec![
        ("production".into(), "development".into()),
        ("testing".into(), "shared".into()),
    ]);
    for_each_terraform(test, |tf| {
        let Some(moto) = MotoServer::require(test) else {
            return;
        };
        let outputs = apply_and_check(test, tf, &moto, &spec);
        assert_eq!(outputs.peering_count, 2.0);
        let keys: BTreeSet<&str> = outputs.peerings.keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            BTreeSet::from(["development:production", "shared:testing"])
        );
        assert_eq!(outputs.reachability["production"], names(&["development"]));
        assert_eq!(outputs.reachability["testing"], names(&["shared"]));
    });
}

#[test]
fn overlapping_cidrs_fail_at_plan_naming_both_vpcs() {
    let test = "overlapping_cidrs";
    for_each_terraform(test, |tf| {
        let Some(moto) = MotoServer::require(test) else {
            return;
        };
        let timer = ScenarioTimer::start(test, tf);
        let mut spec = MeshSpec::seed();
        spec.vpcs = vec![
            VpcSpec::private("production", "10.1.0.0/16", "10.1.1.0/24"),
            VpcSpec::private("development", "10.1.128.0/17", "10.1.129.0/24"),
        ];
        spec.vpcs_from_local = true;
        let ws = mesh_workspace(test, tf, &moto, &spec);
        ws.init().expect_success();
        let plan = timer.step("plan", || ws.plan());
        plan.expect_failure();
        // Only the provider's message can name these: the configuration
        // passes the VPCs through a local value.
        let message = all_text(&plan);
        for needle in ["production", "development", "10.1.128.0/17"] {
            assert!(
                message.contains(needle),
                "the error names {needle}:\n{plan}"
            );
        }
        assert!(
            message.contains("overlap"),
            "the error says the blocks overlap:\n{plan}"
        );
        let ec2 = Ec2Check::new(&moto.endpoint(), REGION).snapshot();
        assert!(
            ec2.mesh_objects().is_empty(),
            "a failed plan creates nothing: {:#?}",
            ec2.mesh_objects()
        );
    });
}
