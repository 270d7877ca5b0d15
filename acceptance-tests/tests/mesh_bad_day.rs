//! EC2 on a bad day: the provider talks to moto through the fault proxy
//! (`Faults::bad_day`: 500s and 503s, answers lost after the call took effect,
//! fresh ids invisible to dependent calls and to filters for a while, peerings
//! passing through initiating-request and provisioning, DependencyViolation on
//! deletes, tight per-action token buckets, latency). Apply, the next plan and
//! destroy must each converge in one run, and EC2, read directly (not through
//! the proxy), must hold exactly the mesh afterwards and nothing after destroy.
//!
//! The campaign's subject is the provider, so each Terraform version runs one
//! seed (the base seed plus its patch number) and the newest one more; the seed
//! is printed, and `BAD_DAY_SEED=N` runs only that seed on every version.

use acceptance_tests::faultproxy::{FaultCounts, FaultKind, FaultProxy, Faults};
use acceptance_tests::mesh_checks::{assert_mesh_matches, assert_nothing_left};
use acceptance_tests::mesh_fixture::{
    apply_mesh, assert_plan_empty, use_dummy_credentials, MeshOutputs, MeshSpec, ScenarioTimer,
    REGION,
};
use acceptance_tests::{for_each_terraform, Ec2Check, MotoServer, Terraform, Workspace};

const BASE_SEED: u64 = 8_000;

/// The kinds every seed must have met at least once for the run to mean anything.
const EXPECTED: [FaultKind; 6] = [
    FaultKind::Throttle,
    FaultKind::LostResponse,
    FaultKind::FreshIdNotFound,
    FaultKind::PeeringStates,
    FaultKind::DependencyViolation,
    FaultKind::Latency,
];

fn bad_day(test: &str, tf: &Terraform, seed: u64) -> Option<FaultCounts> {
    let moto = MotoServer::require(test)?;
    eprintln!("{test}: Terraform {} seed {seed}", tf.version);
    let proxy = FaultProxy::start(moto.address(), Faults::bad_day(seed))
        .unwrap_or_else(|e| panic!("fault proxy: {e}"));
    let timer = ScenarioTimer::start(test, tf);
    let mut spec = MeshSpec::seed();
    spec.name = format!("bad-day-{seed}");
    let mut ws = Workspace::new(test, tf);
    use_dummy_credentials(&mut ws);
    ws.write_main(&spec.render(&proxy.endpoint()));
    ws.init().expect_success();
    let check = Ec2Check::new(&moto.endpoint(), REGION);
    let context = |what: &str| format!("seed {seed}, Terraform {}: {what}", tf.version);

    timer.step("apply", || apply_mesh(&ws));
    let outputs = MeshOutputs::parse(ws.output_json().expect_success());
    assert_mesh_matches(&check.snapshot(), &spec, &outputs);
    timer.step("plan", || assert_plan_empty(&ws.plan_detailed()));
    timer.step("destroy", || {
        let out = ws.destroy();
        assert!(out.success(), "{}:\n{out}", context("destroy"));
    });
    assert_nothing_left(&check.snapshot());
    let counts = proxy.counts();
    eprintln!("{}\n{}", context("faults"), counts.summary());
    Some(counts)
}

#[test]
fn apply_plan_and_destroy_each_converge_in_one_run_on_a_bad_day() {
    let test = "bad_day";
    let only = std::env::var("BAD_DAY_SEED")
        .ok()
        .and_then(|s| s.parse::<u64>().ok());
    for_each_terraform(test, |tf| {
        let patch = tf.patch();
        let mut seeds = vec![only.unwrap_or(BASE_SEED + patch)];
        if only.is_none() && tf.is_newest() {
            seeds.push(BASE_SEED + 100 + patch);
        }
        for seed in seeds {
            let Some(counts) = bad_day(test, tf, seed) else {
                return;
            };
            for kind in EXPECTED {
                assert!(
                    counts.injected(kind) > 0,
                    "seed {seed}: no {kind} fault was injected, so the run proves nothing about it:\n{}",
                    counts.summary()
                );
            }
            assert!(
                counts.injected(FaultKind::InternalError) + counts.injected(FaultKind::Unavailable)
                    > 0,
                "seed {seed}: no 5xx was injected:\n{}",
                counts.summary()
            );
        }
    });
}
