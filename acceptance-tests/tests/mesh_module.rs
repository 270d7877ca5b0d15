//! The reusable module `examples/modules/mesh`: its own `terraform test` files pass
//! against moto, and the root module `examples/module-usage` that calls it applies, has
//! every id after the first apply, plans no changes afterwards and destroys cleanly. On
//! every Terraform version that has `terraform test` (1.6 and later); the module's
//! `check` block needs 1.5.

use std::collections::BTreeMap;
use std::path::Path;

use acceptance_tests::command;
use acceptance_tests::mesh_checks::assert_nothing_left;
use acceptance_tests::mesh_fixture::{
    assert_plan_empty, expect_applied, parse_outputs, use_dummy_credentials, ScenarioTimer, REGION,
};
use acceptance_tests::prereq::repo_root;
use acceptance_tests::{for_each_terraform_where, Ec2Check, MotoServer, Terraform, Workspace};
use serde::Deserialize;

/// Why a version cannot run the module's tests, if it cannot.
fn without_terraform_test(tf: &Terraform) -> Option<String> {
    (tf.version_key() < vec![1, 6]).then(|| {
        format!(
            "Terraform {} has no `terraform test` (added in 1.6), and the module's check block needs 1.5",
            tf.version
        )
    })
}

/// Copies the `.tf`, `.tftest.hcl` and `.md` files of `from` (and its subfolders) to `to`.
fn copy_module(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap_or_else(|e| panic!("creating {}: {e}", to.display()));
    let entries =
        std::fs::read_dir(from).unwrap_or_else(|e| panic!("reading {}: {e}", from.display()));
    for entry in entries.map(|e| e.expect("a directory entry")) {
        let path = entry.path();
        let target = to.join(entry.file_name());
        if path.is_dir() {
            copy_module(&path, &target);
        } else if [".tf", ".tftest.hcl", ".md"]
            .iter()
            .any(|ext| path.to_string_lossy().ends_with(ext))
        {
            std::fs::copy(&path, &target)
                .unwrap_or_else(|e| panic!("copying {}: {e}", path.display()));
        }
    }
}

/// A moto server, a timer and a workspace with moto's dummy keys; None when moto is
/// missing (skipped with a printed reason, or failed under CI).
fn start(test: &str, tf: &Terraform) -> Option<(MotoServer, ScenarioTimer, Workspace)> {
    let moto = MotoServer::require(test)?;
    let mut ws = Workspace::new(test, tf);
    use_dummy_credentials(&mut ws);
    Some((moto, ScenarioTimer::start(test, tf), ws))
}

#[test]
fn module_tests_pass_against_moto() {
    let test = "module_tests_pass_against_moto";
    for_each_terraform_where(test, without_terraform_test, |tf| {
        let Some((moto, timer, mut ws)) = start(test, tf) else {
            return;
        };
        // The test file's provider block names only the region: the endpoint comes
        // from the environment, as its header tells users.
        ws.set_env("AWS_ENDPOINT_URL", &moto.endpoint());
        let module = ws.dir().join("mesh");
        copy_module(&repo_root().join("examples/modules/mesh"), &module);
        let in_module = |args: &[&str]| {
            let mut cmd = ws.command(args);
            cmd.current_dir(&module);
            command::run(cmd, ws.command_timeout)
        };
        in_module(&["init", "-input=false", "-no-color"]).expect_success();
        let out = timer.step("terraform test", || in_module(&["test", "-no-color"]));
        out.expect_success();
        assert!(
            out.stdout.contains("Success!") && out.stdout.contains(" 0 failed"),
            "every run passes:\n{out}"
        );
        assert!(!out.stdout.contains("... skip"), "no run skipped:\n{out}");
        let ec2 = Ec2Check::new(&moto.endpoint(), REGION).snapshot();
        assert_nothing_left(&ec2);
    });
}

#[derive(Debug, Deserialize)]
struct UsageOutputs {
    mesh_id: String,
    subnet_ids: BTreeMap<String, String>,
    security_group_ids: BTreeMap<String, String>,
    all_reachable: bool,
}

#[test]
fn module_usage_example_applies() {
    let test = "module_usage_example_applies";
    for_each_terraform_where(test, without_terraform_test, |tf| {
        let Some((moto, timer, ws)) = start(test, tf) else {
            return;
        };
        let examples = repo_root().join("examples");
        // The example calls `../modules/mesh`: the same layout next to the working dir.
        let parent = ws.dir().parent().expect("the workspace root").to_path_buf();
        copy_module(&examples.join("modules/mesh"), &parent.join("modules/mesh"));
        copy_module(&examples.join("module-usage"), ws.dir());
        let endpoint = moto.endpoint();
        ws.write_vars(&serde_json::json!({
            "region": REGION,
            "ec2_endpoint": endpoint,
            "sts_endpoint": endpoint,
        }));
        ws.init().expect_success();
        timer.step("apply", || expect_applied(&ws.apply()));
        let outputs: UsageOutputs = parse_outputs(ws.output_json().expect_success());
        let ec2 = Ec2Check::new(&moto.endpoint(), REGION).snapshot();
        assert_eq!(outputs.subnet_ids.len(), 4, "{outputs:?}");
        for (key, id) in &outputs.subnet_ids {
            let subnet = ec2
                .subnet(id)
                .unwrap_or_else(|| panic!("subnet {key}: {id}"));
            let vpc = key.split('/').next().expect("vpc/subnet");
            let group = ec2
                .security_group(&outputs.security_group_ids[vpc])
                .unwrap_or_else(|| panic!("{vpc}'s security group"));
            assert_eq!(group.vpc_id, subnet.vpc_id, "{key}");
        }
        assert!(outputs.mesh_id.starts_with("mesh-"));
        assert!(
            outputs.all_reachable,
            "the loopback host answers: {outputs:?}"
        );
        timer.step("second plan", || assert_plan_empty(&ws.plan_detailed()));
        timer.step("destroy", || {
            ws.destroy().expect_success();
        });
        assert_nothing_left(&Ec2Check::new(&moto.endpoint(), REGION).snapshot());
    });
}
