//! Crash safety: the provider process is killed with SIGKILL half way through
//! creating the seed mesh (some objects exist in EC2, not all); Terraform
//! fails; a second apply converges on exactly the mesh, adopting what the
//! first one made, with nothing duplicated and nothing untracked; destroy
//! then leaves nothing.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use acceptance_tests::ec2check::Tagged;
use acceptance_tests::mesh_checks::{assert_mesh_matches, assert_nothing_left};
use acceptance_tests::mesh_fixture::{
    apply_mesh, assert_plan_empty, mesh_workspace, terraform_crash, MeshOutputs, MeshSpec,
    ScenarioTimer, REGION,
};
use acceptance_tests::process_tree::{provider_processes, sigkill};
use acceptance_tests::{for_each_terraform, Ec2Check, MotoServer, Running};

/// How long to wait for the partial state before giving up.
const WATCH_LIMIT: Duration = Duration::from_secs(180);

/// What EC2 held when the provider was killed.
#[derive(Debug)]
struct KilledAt {
    vpc_ids: BTreeSet<String>,
    peerings: usize,
    active_peerings: usize,
}

/// Watches EC2 while `apply` runs and SIGKILLs the provider once the mesh is
/// partly made: at least one peering requested, not all six active (the
/// VPCs come first, so this is half way). Returns what EC2 held then, or
/// what was observed if the apply finished before that point.
fn kill_provider_half_way(apply: &mut Running, check: &Ec2Check) -> Result<KilledAt, String> {
    let terraform = apply.pid().expect("terraform apply started");
    let deadline = Instant::now() + WATCH_LIMIT;
    let mut seen = Vec::new();
    loop {
        if apply.has_exited() {
            return Err(format!(
                "the apply ended before a partial mesh was seen; observed (vpcs, peerings, active): {seen:?}"
            ));
        }
        assert!(
            Instant::now() < deadline,
            "no partial mesh within {WATCH_LIMIT:?}: {seen:?}"
        );
        let vpcs: BTreeSet<String> = check
            .vpcs()
            .into_iter()
            .filter(|v| v.is_mesh_object())
            .map(|v| v.id)
            .collect();
        let peerings: Vec<_> = check
            .peerings()
            .into_iter()
            .filter(|p| p.is_mesh_object() && p.is_live())
            .collect();
        let active = peerings.iter().filter(|p| p.status == "active").count();
        if seen.last() != Some(&(vpcs.len(), peerings.len(), active)) {
            seen.push((vpcs.len(), peerings.len(), active));
        }
        if !peerings.is_empty() && active < 6 {
            let providers = provider_processes(terraform);
            if !providers.is_empty() {
                for pid in &providers {
                    assert!(sigkill(*pid), "SIGKILL to provider {pid}");
                }
                eprintln!("killed provider {providers:?} at (vpcs, peerings, active) = {seen:?}");
                return Ok(KilledAt {
                    vpc_ids: vpcs,
                    peerings: peerings.len(),
                    active_peerings: active,
                });
            }
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn killed_apply_converges_on_the_next_apply() {
    let test = "killed_apply_converges";
    for_each_terraform(test, |tf| {
        let Some(moto) = MotoServer::require(test) else {
            return;
        };
        let timer = ScenarioTimer::start(test, tf);
        let mut spec = MeshSpec::seed();
        // One step at a time: a wider window between the first and the last
        // object, so the kill lands in the middle.
        spec.provider_settings = "  max_concurrency = 1".into();
        let ws = mesh_workspace(test, tf, &moto, &spec);
        ws.init().expect_success();
        let check = Ec2Check::new(&moto.endpoint(), REGION);

        let mut apply = ws.spawn(&["apply", "-auto-approve", "-input=false", "-no-color"]);
        let killed = timer.step("apply until killed", || {
            kill_provider_half_way(&mut apply, &check)
        });
        let failed = apply.wait(ws.command_timeout);
        let killed = killed.unwrap_or_else(|why| match terraform_crash(&failed) {
            Some(bug) => panic!("{bug}:\n{failed}"),
            None => panic!("{why}:\n{failed}"),
        });
        failed.expect_failure();
        assert!(
            killed.active_peerings < 6 && killed.peerings >= 1,
            "killed half way: {killed:?}"
        );

        timer.step("second apply", || {
            apply_mesh(&ws);
        });
        let outputs = MeshOutputs::parse(ws.output_json().expect_success());
        let ec2 = check.snapshot();
        // Exactly four VPCs, six active peerings, no duplicate component,
        // every tagged object known to the state.
        assert_mesh_matches(&ec2, &spec, &outputs);
        let final_vpcs: BTreeSet<String> =
            outputs.vpcs.values().map(|v| v.vpc_id.clone()).collect();
        assert!(
            killed.vpc_ids.is_subset(&final_vpcs),
            "the VPCs made before the kill were adopted, not replaced: {killed:?} vs {final_vpcs:?}"
        );
        assert_plan_empty(&ws.plan_detailed());

        timer.step("destroy", || {
            ws.destroy().expect_success();
        });
        assert_nothing_left(&check.snapshot());
    });
}
