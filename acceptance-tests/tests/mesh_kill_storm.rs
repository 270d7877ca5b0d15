//! A kill storm: the provider is SIGKILLed 20 times at random (seeded) points of
//! applies and destroys of one mesh, on every Terraform version. After the storm
//! one apply converges on exactly the mesh (nothing duplicated, nothing untracked,
//! the plan empty), and one destroy leaves nothing. The storm's subject is the
//! provider, so each version runs one storm (20 kills), each with its own seed
//! (the base seed plus the version's patch number, printed; `KILL_STORM_SEED=N`
//! runs that seed on every version).

use std::time::{Duration, Instant};

use acceptance_tests::mesh_checks::{assert_mesh_matches, assert_nothing_left};
use acceptance_tests::mesh_fixture::{
    apply_mesh, assert_plan_empty, mesh_workspace, terraform_crash, MeshOutputs, MeshSpec,
    ScenarioTimer, REGION,
};
use acceptance_tests::process_tree::{provider_processes, sigkill};
use acceptance_tests::{for_each_terraform, Ec2Check, MotoServer, Running, Terraform};

const KILLS: usize = 20;
/// Runs allowed to finish between kills before the storm gives up.
const MAX_RUNS: usize = 3 * KILLS;

/// Three VPCs, one with a public subnet (an internet gateway to attach and detach).
fn storm_mesh() -> MeshSpec {
    let mut spec = MeshSpec::seed();
    spec.name = "kill-storm".into();
    spec.vpcs.retain(|v| v.name != "shared");
    spec.provider_settings = "  max_concurrency = 2".into();
    spec
}

/// How Terraform 1.0's panic begins when a plugin dies in the middle of a call.
const TERRAFORM_DEAD_PLUGIN_PANIC: &str = "panic: Plugin did not respond";

/// Kills every provider process of `run` once `delay` has passed, unless the run
/// ended first. True when a provider was killed.
fn kill_after(run: &mut Running, delay: Duration) -> bool {
    let terraform = run.pid().expect("terraform started");
    let start = Instant::now();
    while start.elapsed() < delay {
        if run.has_exited() {
            return false;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    // The provider may be between two of Terraform's calls: look for a moment.
    let until = Instant::now() + Duration::from_secs(2);
    while Instant::now() < until && !run.has_exited() {
        let providers = provider_processes(terraform);
        if !providers.is_empty() {
            // Every one is killed (no short-circuit).
            return providers.iter().filter(|pid| sigkill(**pid)).count() > 0;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    false
}

fn storm(test: &str, tf: &Terraform, seed: u64) {
    let Some(moto) = MotoServer::require(test) else {
        return;
    };
    eprintln!("{test}: Terraform {} seed {seed}", tf.version);
    let timer = ScenarioTimer::start(test, tf);
    let spec = storm_mesh();
    let ws = mesh_workspace(test, tf, &moto, &spec);
    ws.init().expect_success();
    let check = Ec2Check::new(&moto.endpoint(), REGION);
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut kills = Vec::new();
    let mut built = false;
    let mut runs = 0;
    timer.step("storm", || {
        while kills.len() < KILLS {
            runs += 1;
            assert!(
                runs <= MAX_RUNS,
                "seed {seed}: only {} kills landed in {MAX_RUNS} runs",
                kills.len()
            );
            let args: &[&str] = if built {
                &["destroy", "-auto-approve", "-input=false", "-no-color"]
            } else {
                &["apply", "-auto-approve", "-input=false", "-no-color"]
            };
            let delay = Duration::from_millis(rng.u64(300..6000));
            let mut run = ws.spawn(args);
            let killed = kill_after(&mut run, delay);
            let out = run.wait(ws.command_timeout);
            if let Some(bug) = terraform_crash(&out) {
                // Terraform 1.0 panics when the plugin dies during its schema call:
                // that is Terraform's answer to the kill, not a fault of the provider
                // (the state stays as the last finished call left it). Any other
                // crash, or one without a kill, fails the test.
                let killed_during_schema_call = killed
                    && out.stderr.lines().any(|l| {
                        l.starts_with(TERRAFORM_DEAD_PLUGIN_PANIC)
                            && l.contains("GetProviderSchema")
                    });
                if !killed_during_schema_call {
                    panic!("seed {seed}: {bug}:\n{out}");
                }
            }
            if killed {
                kills.push(format!("{} after {delay:?}", args[0]));
            } else {
                assert!(
                    out.success(),
                    "seed {seed}: {} failed without a kill (after kills {kills:?}):\n{out}",
                    args[0]
                );
                built = !built;
            }
        }
    });
    eprintln!(
        "seed {seed}: {} kills in {runs} runs: {kills:?}",
        kills.len()
    );
    timer.step("one apply converges", || apply_mesh(&ws));
    let outputs = MeshOutputs::parse(ws.output_json().expect_success());
    assert_mesh_matches(&check.snapshot(), &spec, &outputs);
    assert_plan_empty(&ws.plan_detailed());
    timer.step("one destroy converges", || {
        ws.destroy().expect_success();
    });
    assert_nothing_left(&check.snapshot());
}

fn seed_from_env(default: u64) -> u64 {
    std::env::var("KILL_STORM_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

#[test]
fn twenty_kills_then_one_apply_and_one_destroy_converge() {
    let test = "kill_storm";
    for_each_terraform(test, |tf| {
        let patch = tf.patch();
        storm(test, tf, seed_from_env(20_261_204 + patch));
    });
}
