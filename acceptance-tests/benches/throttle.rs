//! `peering_mesh` apply and destroy behind EC2's request throttling: real
//! Terraform and the provider against moto, through the fault proxy with only its
//! per-action token buckets on (`Throttle::aws_buckets()`, AWS's published sizes and
//! refill rates), at 5, 10 and 20 VPCs (full mesh, one private subnet each). Then the
//! same mesh through the proxy with every fault off, as the fault-free baseline.
//!
//! Per phase it prints the wall time, the bucket-limited lower bound and their ratio,
//! the `RequestLimitExceeded` answers the proxy gave (seen) and those that reached the
//! user in Terraform's output (surfaced; the goal is none), the Describe requests, and
//! all requests against the fault-free run's.
//!
//! The lower bound. A bucket of capacity `c` refilling at `r` tokens per second lets
//! `k` calls of its action through no sooner than `max(0, k - c) / r` seconds after the
//! first (the bucket starts full, as it does for an account at rest). `k` is what the
//! proxy forwarded for the action during the phase, i.e. the calls that took a token
//! (a throttled call takes none). The phase's bound sums that term along the
//! dependency chain every peering goes through:
//! - apply: CreateVpc → CreateVpcPeeringConnection → AcceptVpcPeeringConnection →
//!   CreateRoute (a peering needs both VPCs, is accepted after it is created, and
//!   routes through it only once it is active);
//! - destroy: DeleteRoute → DeleteVpcPeeringConnection → DeleteSubnet → DeleteVpc (a
//!   VPC goes last, after its subnets and peerings; routes go before their peering).
//!
//! The sum is exact for a client that finishes each stage before it starts the next
//! one. The provider runs its plan as a DAG, so later stages may start while earlier
//! ones are still draining their buckets; a perfectly pipelined client is bounded only
//! by the slowest single bucket, which is printed as well ("pipelined"). Other actions
//! (subnets, security groups, route tables) run beside the chain and stay within
//! their bursts at these sizes, so they add nothing.
//!
//! Run: `cargo build --release -p terraform-provider-peering` then
//! `cargo bench -p acceptance-tests --profile dev --bench throttle`.
//! `PEERING_PROVIDER_BIN` picks the binary (default: the release build);
//! `THROTTLE_BENCH_SIZES=5,10` the sizes; the Terraform is the newest found.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use acceptance_tests::bench_setup::{full_mesh, newest_terraform, release_provider, sizes};
use acceptance_tests::faultproxy::{FaultCounts, Throttle};
use acceptance_tests::mesh_fixture::{use_dummy_credentials, MeshSpec};
use acceptance_tests::{FaultKind, FaultProxy, Faults, MotoServer, Workspace};

const APPLY_CHAIN: [&str; 4] = [
    "CreateVpc",
    "CreateVpcPeeringConnection",
    "AcceptVpcPeeringConnection",
    "CreateRoute",
];
const DESTROY_CHAIN: [&str; 4] = [
    "DeleteRoute",
    "DeleteVpcPeeringConnection",
    "DeleteSubnet",
    "DeleteVpc",
];

fn spec(n: usize) -> MeshSpec {
    // Default concurrency and retries, as a user has them; only the quotas a 20-VPC
    // full mesh exceeds by default are raised.
    full_mesh(
        &format!("throttle-{n}"),
        n,
        "  quotas = { rules_per_security_group = 200, vpcs_per_region = 20 }",
    )
}

/// Requests per action received by the proxy since `before`.
fn received_since(now: &FaultCounts, before: &FaultCounts) -> BTreeMap<String, (u64, u64)> {
    now.actions
        .iter()
        .map(|(action, c)| {
            let b = before.action(action);
            (
                action.clone(),
                (c.received - b.received, c.forwarded - b.forwarded),
            )
        })
        .filter(|(_, (received, _))| *received > 0)
        .collect()
}

/// One Terraform command through the proxy.
struct Phase {
    seconds: f64,
    /// action => (received, forwarded)
    by_action: BTreeMap<String, (u64, u64)>,
    throttled: u64,
    /// `RequestLimitExceeded` in Terraform's output, and whether the command failed.
    surfaced: u64,
    failed: bool,
}

impl Phase {
    fn total(&self) -> u64 {
        self.by_action.values().map(|(r, _)| r).sum()
    }
    fn describes(&self) -> u64 {
        self.by_action
            .iter()
            .filter(|(a, _)| a.starts_with("Describe"))
            .map(|(_, (r, _))| r)
            .sum()
    }
    /// Seconds each chain action's bucket needs at least: `max(0, k - c) / r`.
    fn bucket_terms(&self, chain: &[&str]) -> Vec<(String, f64)> {
        let throttle = Throttle::aws_buckets();
        chain
            .iter()
            .map(|action| {
                let bucket = throttle.bucket_for(action);
                let calls = self.by_action.get(*action).map_or(0, |(_, f)| *f);
                let past_burst = calls.saturating_sub(u64::from(bucket.capacity));
                (
                    action.to_string(),
                    past_burst as f64 / bucket.refill_per_second,
                )
            })
            .collect()
    }
}

fn run_phase(ws: &Workspace, proxy: &FaultProxy, args: &[&str]) -> Phase {
    let before = proxy.counts();
    let started = Instant::now();
    let out = ws.run(args);
    let seconds = started.elapsed().as_secs_f64();
    let after = proxy.counts();
    let text = format!("{}\n{}", out.stdout, out.stderr);
    if !out.success() {
        eprintln!("{} failed:\n{out}", args[0]);
    }
    Phase {
        seconds,
        by_action: received_since(&after, &before),
        throttled: after.injected(FaultKind::Throttle) - before.injected(FaultKind::Throttle),
        surfaced: text.matches("RequestLimitExceeded").count() as u64,
        failed: !out.success(),
    }
}

/// Apply then destroy of the `n`-VPC mesh through a proxy injecting `faults`, on a
/// fresh moto. The buckets start full for each phase, as after a quiet minute.
fn run_mesh(
    n: usize,
    faults: Faults,
    moto_bin: &std::path::Path,
    tf_ws: &dyn Fn() -> Workspace,
) -> (Phase, Phase) {
    let moto = MotoServer::start(moto_bin).expect("moto starts");
    let proxy = FaultProxy::start(moto.address(), faults.clone()).expect("fault proxy starts");
    let mut ws = tf_ws();
    use_dummy_credentials(&mut ws);
    let endpoint = proxy.endpoint();
    ws.write_main(&spec(n).render(&endpoint));
    ws.command_timeout = Duration::from_secs(1800);
    ws.init().expect_success();
    if has_sts_endpoint(&ws) {
        let main = spec(n).render(&endpoint).replace(
            &format!("ec2 = \"{endpoint}\" }}"),
            &format!("ec2 = \"{endpoint}\", sts = \"{endpoint}\" }}"),
        );
        assert!(
            main.contains("sts = "),
            "no `endpoints` line to extend in main.tf"
        );
        ws.write_main(&main);
    }
    let apply = run_phase(
        &ws,
        &proxy,
        &["apply", "-auto-approve", "-input=false", "-no-color"],
    );
    proxy.set_faults(faults);
    let destroy = run_phase(
        &ws,
        &proxy,
        &["destroy", "-auto-approve", "-input=false", "-no-color"],
    );
    (apply, destroy)
}

/// Whether the provider's schema has `endpoints.sts` (STS calls then no longer go to
/// `endpoints.ec2`, and the proxy, which forwards STS untouched, must be named for it).
fn has_sts_endpoint(ws: &Workspace) -> bool {
    let schema = ws.providers_schema_json();
    let schema = schema.expect_success().json();
    let providers = schema["provider_schemas"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    providers.values().any(|p| {
        let endpoints = &p["provider"]["block"]["attributes"]["endpoints"];
        let nested = &p["provider"]["block"]["block_types"]["endpoints"];
        endpoints.to_string().contains("\"sts\"") || nested.to_string().contains("\"sts\"")
    })
}

fn actions(phase: &Phase) -> String {
    let parts: Vec<String> = phase
        .by_action
        .iter()
        .map(|(a, (r, f))| {
            if r == f {
                format!("{a} {r}")
            } else {
                format!("{a} {r} ({f} forwarded)")
            }
        })
        .collect();
    parts.join(", ")
}

fn main() {
    let provider = release_provider();
    let tf = newest_terraform();
    let sizes = sizes("THROTTLE_BENCH_SIZES", "5,10,20");
    let moto_bin = MotoServer::executable().expect("moto_server (scripts/setup.sh)");
    println!(
        "peering_mesh behind AWS's token buckets, {}, provider {}",
        tf.label(),
        provider.display()
    );
    let new_ws = || Workspace::with_provider("throttle", tf, &provider);
    let mut rows = Vec::new();
    for n in sizes {
        let seed = 8;
        let throttled = run_mesh(
            n,
            Faults::none(seed).with_throttle(Throttle::aws_buckets()),
            &moto_bin,
            &new_ws,
        );
        let baseline = run_mesh(n, Faults::none(seed), &moto_bin, &new_ws);
        for (what, phase, base, chain) in [
            ("apply", &throttled.0, &baseline.0, &APPLY_CHAIN),
            ("destroy", &throttled.1, &baseline.1, &DESTROY_CHAIN),
        ] {
            let terms = phase.bucket_terms(chain);
            let bound: f64 = terms.iter().map(|(_, s)| s).sum();
            let pipelined = terms.iter().map(|(_, s)| *s).fold(0.0, f64::max);
            let ratio = if bound > 0.0 {
                format!("{:.2}", phase.seconds / bound)
            } else {
                "-".to_string()
            };
            let terms_text: Vec<String> =
                terms.iter().map(|(a, s)| format!("{a} {s:.1} s")).collect();
            println!(
                "{n} VPCs, {what} (throttled, {:.1} s): {}",
                phase.seconds,
                actions(phase)
            );
            println!("  bound terms: {}", terms_text.join(" + "));
            println!(
                "{n} VPCs, {what} (fault-free, {:.1} s): {}",
                base.seconds,
                actions(base)
            );
            let surfaced = if phase.failed {
                format!("{} (failed)", phase.surfaced)
            } else {
                phase.surfaced.to_string()
            };
            rows.push(format!(
                "| {n} | {what} | {:.1} | {bound:.1} | {ratio} | {pipelined:.1} | {} | {surfaced} | {} | {} | {} | {:.2} | {:.1} |",
                phase.seconds,
                phase.throttled,
                phase.describes(),
                phase.total(),
                base.total(),
                phase.total() as f64 / base.total().max(1) as f64,
                base.seconds,
            ));
        }
    }
    println!();
    println!("| VPCs | phase | wall s | lower bound s | ratio | pipelined bound s | RLE seen | RLE surfaced | Describe calls | total requests | fault-free requests | ratio | fault-free wall s |");
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    for r in rows {
        println!("{r}");
    }
}
