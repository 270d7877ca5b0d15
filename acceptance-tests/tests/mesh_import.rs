//! Import rebuilds the state of an existing mesh from its tags: with
//! `terraform import` (every version) and with an `import` block (1.5+), after
//! which a plan with the same configuration is empty and the imported state
//! names exactly what EC2 holds.

use acceptance_tests::mesh_checks::assert_mesh_matches;
use acceptance_tests::mesh_fixture::{
    apply_mesh, assert_no_resource_changes, assert_plan_empty, mesh_workspace, MeshOutputs,
    MeshSpec, ScenarioTimer, REGION, RESOURCE,
};
use acceptance_tests::{
    for_each_terraform, for_each_terraform_where, Ec2Check, MotoServer, Terraform,
};

/// Asserts two views of the mesh name the same AWS objects.
#[track_caller]
fn assert_same_ids(imported: &MeshOutputs, applied: &MeshOutputs) {
    assert_eq!(imported.id, applied.id, "mesh id");
    assert_eq!(
        imported.tracked_ids(),
        applied.tracked_ids(),
        "imported ids equal the applied ones"
    );
}

#[test]
fn cli_import_rebuilds_state() {
    let test = "cli_import";
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
        let applied = MeshOutputs::parse(ws.output_json().expect_success());

        ws.run(&["state", "rm", "-no-color", RESOURCE])
            .expect_success();
        timer.step("import", || {
            ws.run(&["import", "-input=false", "-no-color", RESOURCE, &applied.id])
                .expect_success();
        });
        let imported = MeshOutputs::from_state(ws.show_json().expect_success());
        assert_same_ids(&imported, &applied);
        let ec2 = Ec2Check::new(&moto.endpoint(), REGION).snapshot();
        assert_mesh_matches(&ec2, &spec, &imported);
        timer.step("plan after import", || assert_no_resource_changes(&ws));
    });
}

/// `import` blocks exist from Terraform 1.5 on.
fn has_import_blocks(tf: &Terraform) -> bool {
    tf.version_key() >= vec![1, 5]
}

#[test]
fn import_block_rebuilds_state() {
    let test = "import_block";
    let not_applicable =
        |tf: &Terraform| (!has_import_blocks(tf)).then(|| "import blocks came in 1.5".to_string());
    for_each_terraform_where(test, not_applicable, |tf| {
        let Some(moto) = MotoServer::require(test) else {
            return;
        };
        let timer = ScenarioTimer::start(test, tf);
        let spec = MeshSpec::seed();
        let original = mesh_workspace(test, tf, &moto, &spec);
        original.init().expect_success();
        timer.step("apply", || {
            apply_mesh(&original);
        });
        let applied = MeshOutputs::parse(original.output_json().expect_success());

        // A second configuration, with an empty state, takes the mesh over.
        let taker = mesh_workspace(test, tf, &moto, &spec);
        taker.write(
            "import.tf",
            &format!(
                "import {{\n  to = {RESOURCE}\n  id = \"{}\"\n}}\n",
                applied.id
            ),
        );
        taker.init().expect_success();
        let plan = timer.step("plan with import block", || taker.plan());
        plan.expect_success();
        assert!(
            plan.stdout
                .contains("1 to import, 0 to add, 0 to change, 0 to destroy"),
            "the plan imports the mesh and changes nothing:\n{plan}"
        );
        timer.step("apply import", || {
            apply_mesh(&taker);
        });
        let imported = MeshOutputs::from_state(taker.show_json().expect_success());
        assert_same_ids(&imported, &applied);
        let ec2 = Ec2Check::new(&moto.endpoint(), REGION).snapshot();
        assert_mesh_matches(&ec2, &spec, &imported);
        timer.step("plan after import", || {
            assert_plan_empty(&taker.plan_detailed())
        });
    });
}
