//! The seed experiment as one `peering_mesh` against moto, on every Terraform
//! version, checked through the EC2 API: four VPCs, six active peerings,
//! routes via the right peerings, the internet gateway of the public subnet,
//! ICMP and SSH rules; a second plan is empty; destroy leaves nothing tagged.

use std::collections::BTreeSet;

use acceptance_tests::ec2check::Tagged;
use acceptance_tests::mesh_checks::{assert_mesh_matches, assert_nothing_left, describe_rule};
use acceptance_tests::mesh_fixture::{
    apply_mesh, assert_plan_empty, mesh_workspace, MeshOutputs, MeshSpec, ScenarioTimer, REGION,
};
use acceptance_tests::{for_each_terraform, Ec2Check, MotoServer};

#[test]
fn seed_mesh_through_ec2() {
    let test = "seed_mesh_through_ec2";
    for_each_terraform(test, |tf| {
        let Some(moto) = MotoServer::require(test) else {
            return;
        };
        let timer = ScenarioTimer::start(test, tf);
        let spec = MeshSpec::seed();
        let ws = mesh_workspace(test, tf, &moto, &spec);
        timer.step("init", || {
            ws.init().expect_success();
        });
        timer.step("apply", || {
            apply_mesh(&ws);
        });
        let outputs = MeshOutputs::parse(ws.output_json().expect_success());
        let ec2 = Ec2Check::new(&moto.endpoint(), REGION).snapshot();
        assert_mesh_matches(&ec2, &spec, &outputs);

        // The seed experiment's own numbers, spelled out.
        assert_eq!(outputs.peering_count, 6.0);
        assert_eq!(ec2.mesh_vpcs().len(), 4);
        assert_eq!(ec2.live_mesh_peerings().len(), 6);
        assert!(ec2
            .live_mesh_peerings()
            .iter()
            .all(|p| p.status == "active"));
        let mut production_reaches = outputs.reachability["production"].clone();
        production_reaches.sort();
        assert_eq!(
            production_reaches,
            ["development", "shared", "testing"],
            "production reaches the three others"
        );
        let production = &outputs.vpcs["production"];
        let public_table = ec2
            .route_table(&production.subnets["public"].route_table_id)
            .expect("production's public route table");
        let default_route = public_table.route_to("0.0.0.0/0").expect("0.0.0.0/0");
        assert_eq!(
            default_route.gateway_id, production.internet_gateway_id,
            "public subnet's default route goes to production's gateway"
        );
        let shared_group = ec2
            .security_group(&outputs.vpcs["shared"].security_group_id)
            .expect("shared's security group");
        let rules: BTreeSet<String> = shared_group.ingress.iter().map(describe_rule).collect();
        let expected: BTreeSet<String> = [
            "icmp from 10.1.0.0/16",
            "icmp from 10.2.0.0/16",
            "icmp from 10.3.0.0/16",
            "tcp 22-22 from 10.1.1.0/24",
        ]
        .into_iter()
        .map(String::from)
        .collect();
        assert_eq!(rules, expected, "shared's ingress");

        timer.step("second plan", || assert_plan_empty(&ws.plan_detailed()));
    });
}

#[test]
fn destroy_leaves_nothing_tagged() {
    let test = "destroy_leaves_nothing_tagged";
    for_each_terraform(test, |tf| {
        let Some(moto) = MotoServer::require(test) else {
            return;
        };
        let timer = ScenarioTimer::start(test, tf);
        let spec = MeshSpec::seed();
        let ws = mesh_workspace(test, tf, &moto, &spec);
        ws.init().expect_success();
        timer.step("apply", || {
            apply_mesh(&ws);
        });
        let outputs = MeshOutputs::parse(ws.output_json().expect_success());
        let check = Ec2Check::new(&moto.endpoint(), REGION);
        let before = check.snapshot();
        assert!(
            !before.mesh_objects().is_empty(),
            "the apply made tagged objects"
        );

        timer.step("destroy", || {
            ws.destroy().expect_success();
        });
        let after = check.snapshot();
        assert_nothing_left(&after);
        // Also by id: not one object the state knew is left (peerings only
        // in state `deleted`), tagged or not.
        let tracked = outputs.tracked_ids();
        for peering in &after.peerings {
            if tracked.contains(&peering.id) {
                assert_eq!(peering.status, "deleted", "{peering:#?}");
            }
        }
        let left: Vec<&str> = after
            .vpcs
            .iter()
            .map(|v| v.id())
            .chain(after.subnets.iter().map(|s| s.id()))
            .chain(after.route_tables.iter().map(|t| t.id()))
            .chain(after.internet_gateways.iter().map(|g| g.id()))
            .chain(after.security_groups.iter().map(|g| g.id()))
            .filter(|id| tracked.contains(*id))
            .collect();
        assert!(
            left.is_empty(),
            "objects of the destroyed mesh left: {left:?}"
        );
        let state = ws.run(&["state", "list"]);
        assert!(
            state.stdout.trim().is_empty(),
            "state empty after destroy:\n{state}"
        );
    });
}
