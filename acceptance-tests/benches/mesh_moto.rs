//! `peering_mesh` apply, refresh and destroy against moto, through real Terraform, at
//! 4, 10 and 20 VPCs (full mesh, one private subnet each, ICMP between peers, SSH from
//! one /24): wall time, EC2 requests by action (the provider logs them per Terraform
//! call, `EC2 requests` at INFO), mutating requests divided by the fewest that can make
//! (or remove) such a mesh, Describe requests of a refresh, and the provider's peak
//! memory (VmHWM, logged with the counts).
//!
//! Run: `cargo build --release -p terraform-provider-peering` then
//! `cargo bench -p acceptance-tests --profile dev --bench mesh_moto`.
//! `PEERING_PROVIDER_BIN` picks the binary (default: the release build);
//! `MESH_BENCH_SIZES=4,10` the sizes; the Terraform is the newest found.

use std::collections::BTreeMap;
use std::time::Instant;

use acceptance_tests::bench_setup::{full_mesh, newest_terraform, release_provider, sizes};
use acceptance_tests::mesh_fixture::{prepare_mesh_workspace, MeshSpec};
use acceptance_tests::{MotoServer, Workspace};

/// What the provider logged for the calls of one Terraform command.
#[derive(Default, Debug)]
struct Logged {
    by_action: BTreeMap<String, u64>,
    peak_rss_kib: u64,
}

impl Logged {
    fn mutating(&self) -> u64 {
        self.by_action
            .iter()
            .filter(|(a, _)| !a.starts_with("Describe") && !a.starts_with("Get"))
            .map(|(_, n)| n)
            .sum()
    }

    fn describes(&self) -> u64 {
        self.by_action
            .iter()
            .filter(|(a, _)| a.starts_with("Describe"))
            .map(|(_, n)| n)
            .sum()
    }

    fn actions(&self) -> String {
        let parts: Vec<String> = self
            .by_action
            .iter()
            .map(|(a, n)| format!("{a} {n}"))
            .collect();
        parts.join(", ")
    }
}

/// `key=value` and `key="value"` fields of a log line (go-hclog, any Terraform).
fn field<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    let at = line.find(&format!(" {key}="))? + key.len() + 2;
    let rest = &line[at..];
    match rest.strip_prefix('"') {
        Some(quoted) => quoted.split('"').next(),
        None => rest.split_whitespace().next(),
    }
}

/// Sums the `EC2 requests` lines of one command's log.
fn parse_log(text: &str) -> Logged {
    let mut out = Logged::default();
    for line in text.lines().filter(|l| l.contains("EC2 requests")) {
        for pair in field(line, "by_action").unwrap_or("").split(',') {
            if let Some((action, n)) = pair.split_once('=') {
                *out.by_action.entry(action.to_string()).or_default() +=
                    n.parse::<u64>().unwrap_or(0);
            }
        }
        let rss = field(line, "peak_rss_kib")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        out.peak_rss_kib = out.peak_rss_kib.max(rss);
    }
    out
}

/// The fewest mutating requests that make the bench mesh of `n` VPCs: per VPC
/// CreateVpc, ModifyVpcAttribute (DNS hostnames, part of every mesh VPC),
/// CreateSubnet, CreateRouteTable, AssociateRouteTable, CreateSecurityGroup and one
/// AuthorizeSecurityGroupIngress (all rules at once); per peering Create, Accept and
/// one CreateRoute in each side's table.
fn apply_lower_bound(n: u64) -> u64 {
    let peerings = n * (n - 1) / 2;
    7 * n + 4 * peerings
}

/// The fewest that remove it: DeleteVpcPeeringConnection per peering; per VPC
/// DeleteSecurityGroup, DisassociateRouteTable (a table with an association cannot be
/// deleted), DeleteRouteTable (its routes go with it), DeleteSubnet and DeleteVpc.
fn destroy_lower_bound(n: u64) -> u64 {
    n * (n - 1) / 2 + 5 * n
}

fn spec(n: usize) -> MeshSpec {
    full_mesh(
        &format!("bench-{n}"),
        n,
        "  max_concurrency = 16\n  quotas = { rules_per_security_group = 200, vpcs_per_region = 20 }",
    )
}

struct Step {
    seconds: f64,
    logged: Logged,
}

fn run_step(ws: &mut Workspace, name: &str, args: &[&str]) -> Step {
    let log = ws.dir().join(format!("{name}.log"));
    ws.set_env("TF_LOG_PROVIDER", "INFO");
    ws.set_env("TF_LOG_PATH", log.to_str().expect("UTF-8 path"));
    let started = Instant::now();
    ws.run(args).expect_success();
    let seconds = started.elapsed().as_secs_f64();
    let text = std::fs::read_to_string(&log).unwrap_or_default();
    Step {
        seconds,
        logged: parse_log(&text),
    }
}

fn main() {
    let provider = release_provider();
    let tf = newest_terraform();
    let sizes = sizes("MESH_BENCH_SIZES", "4,10,20");
    let moto_bin = MotoServer::executable().expect("moto_server (scripts/setup.sh)");
    println!(
        "peering_mesh against moto, {}, provider {}",
        tf.label(),
        provider.display()
    );
    let mut rows = Vec::new();
    for n in sizes {
        let moto = MotoServer::start(&moto_bin).expect("moto starts");
        let ws = Workspace::with_provider("bench", tf, &provider);
        let mut ws = prepare_mesh_workspace(ws, &moto, &spec(n));
        ws.command_timeout = std::time::Duration::from_secs(1800);
        ws.init().expect_success();
        let apply = run_step(
            &mut ws,
            "apply",
            &["apply", "-auto-approve", "-input=false", "-no-color"],
        );
        let refresh = run_step(
            &mut ws,
            "refresh",
            &["plan", "-refresh-only", "-input=false", "-no-color"],
        );
        let destroy = run_step(
            &mut ws,
            "destroy",
            &["destroy", "-auto-approve", "-input=false", "-no-color"],
        );
        let n64 = n as u64;
        for (what, step, bound) in [
            ("apply", &apply, Some(apply_lower_bound(n64))),
            ("refresh", &refresh, None),
            ("destroy", &destroy, Some(destroy_lower_bound(n64))),
        ] {
            let ratio = bound.map_or("-".to_string(), |b| {
                format!(
                    "{} / {b} = {:.2}",
                    step.logged.mutating(),
                    step.logged.mutating() as f64 / b as f64
                )
            });
            println!("{n} VPCs, {what}: {}", step.logged.actions());
            rows.push(format!(
                "| {n} | {} | {what} | {:.1} s | {} | {} | {ratio} | {:.1} MiB |",
                n * (n - 1) / 2,
                step.seconds,
                step.logged.by_action.values().sum::<u64>(),
                step.logged.describes(),
                step.logged.peak_rss_kib as f64 / 1024.0,
            ));
        }
    }
    println!();
    println!("| VPCs | peerings | command | wall | EC2 requests | of which Describe | mutating / lower bound | provider peak RSS |");
    println!("|---|---|---|---|---|---|---|---|");
    for r in rows {
        println!("{r}");
    }
}
