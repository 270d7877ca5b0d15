//! Drift: a peering of the seed mesh deleted out of band (the seed
//! experiment's peering between VPCs 3 and 4) shows in the next plan, and apply puts a
//! new active peering between the same two VPCs with routes through it.

use acceptance_tests::mesh_checks::assert_mesh_matches;
use acceptance_tests::mesh_fixture::{
    all_text, apply_mesh, assert_plan_empty, assert_plan_has_changes, mesh_workspace, MeshOutputs,
    MeshSpec, ScenarioTimer, REGION,
};
use acceptance_tests::{for_each_terraform, Ec2Check, MotoServer};

/// The peering between testing (10.3/16) and shared (10.4/16).
const BROKEN_PAIR: &str = "shared:testing";

#[test]
fn deleted_peering_is_planned_and_restored() {
    let test = "deleted_peering_is_planned_and_restored";
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
        let before = MeshOutputs::parse(ws.output_json().expect_success());
        let check = Ec2Check::new(&moto.endpoint(), REGION);
        let old_id = before.peerings[BROKEN_PAIR].id.clone();

        check.delete_peering(&old_id);
        let gone = check.snapshot();
        assert_eq!(
            gone.peering(&old_id).map(|p| p.status.as_str()),
            Some("deleted"),
            "moto deleted the peering"
        );

        let plan = timer.step("plan after drift", || ws.plan_detailed());
        assert_plan_has_changes(&plan);
        assert!(
            all_text(&plan).contains(BROKEN_PAIR),
            "the plan names the broken peering {BROKEN_PAIR}:\n{plan}"
        );

        timer.step("repairing apply", || {
            apply_mesh(&ws);
        });
        let after = MeshOutputs::parse(ws.output_json().expect_success());
        let ec2 = check.snapshot();
        // Everything as the seed asks, routes included, through the new peering.
        assert_mesh_matches(&ec2, &spec, &after);
        let new_id = &after.peerings[BROKEN_PAIR].id;
        assert_ne!(*new_id, old_id, "a new peering replaces the deleted one");
        let new = ec2.peering(new_id).expect("the new peering in EC2");
        let mut vpcs = [
            before.vpcs["shared"].vpc_id.clone(),
            before.vpcs["testing"].vpc_id.clone(),
        ];
        vpcs.sort();
        assert_eq!(
            new.vpc_pair(),
            (vpcs[0].clone(), vpcs[1].clone()),
            "between the same VPCs"
        );
        for vpc in ["shared", "testing"] {
            for subnet in after.vpcs[vpc].subnets.values() {
                let table = ec2.route_table(&subnet.route_table_id).expect("table");
                let peer_cidr = if vpc == "shared" {
                    "10.3.0.0/16"
                } else {
                    "10.4.0.0/16"
                };
                assert_eq!(
                    table
                        .route_to(peer_cidr)
                        .and_then(|r| r.peering_id.as_deref()),
                    Some(new_id.as_str()),
                    "{vpc}'s route to {peer_cidr} uses the new peering: {table:#?}"
                );
            }
        }
        // Nothing else was touched: the other peerings and every VPC kept their ids.
        for (key, peering) in &before.peerings {
            if key != BROKEN_PAIR {
                assert_eq!(after.peerings[key].id, peering.id, "peering {key} kept");
            }
        }
        for (name, vpc) in &before.vpcs {
            assert_eq!(after.vpcs[name].vpc_id, vpc.vpc_id, "VPC {name} kept");
            assert_eq!(
                after.vpcs[name].security_group_id, vpc.security_group_id,
                "security group of {name} kept"
            );
        }

        timer.step("plan after repair", || {
            assert_plan_empty(&ws.plan_detailed())
        });
    });
}
