//! Planner time for full meshes of 10, 50 and 100 VPCs (one private subnet each):
//! validation, desired components, the plan from an empty account (what `terraform
//! plan` of a new mesh costs) and the plan against the applied account (every later
//! plan: nothing to do). The applied account is made by running the plan on the
//! in-memory EC2 fake, so the inventory is the one a refresh would read.
//! Goal: 100 VPCs (4950 peerings) planned in under 50 ms.
//!
//! Run with `cargo bench -p terraform-provider-peering --bench planner` (release);
//! `PLANNER_BENCH_RUNS` sets the runs per figure (default 7; the median is shown).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use ipnet::Ipv4Net;
use terraform_provider_peering::ec2::types::{Inventory, Tags};
use terraform_provider_peering::ec2::{Ec2, FakeEc2};
use terraform_provider_peering::mesh::desired::{desired, Desired, DesiredContext};
use terraform_provider_peering::mesh::execute::{execute, ExecuteOptions, Timeouts};
use terraform_provider_peering::mesh::model::{Mesh, SubnetSpec, Topology, VpcSpec};
use terraform_provider_peering::mesh::plan::plan;
use terraform_provider_peering::mesh::validate::{validate, Quotas};

/// The allocator the provider binary uses (src/main.rs).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const REGION: &str = "eu-west-2";
const MESH_ID: &str = "123456789012/bench";
const GOAL: Duration = Duration::from_millis(50);

fn net(s: String) -> Ipv4Net {
    s.parse().expect("bench CIDR")
}

fn full_mesh(n: usize) -> Mesh {
    let vpcs = (0..n)
        .map(|i| {
            let subnet = SubnetSpec {
                cidr: net(format!("10.{i}.1.0/24")),
                availability_zone: Some(format!("{REGION}a")),
                public: false,
                ipv6_index: None,
            };
            let vpc = VpcSpec {
                cidr: Some(net(format!("10.{i}.0.0/16"))),
                vpc_id: None,
                region: None,
                account: None,
                subnets: BTreeMap::from([("private".to_string(), subnet)]),
                ipv6: false,
            };
            (format!("v{i:03}"), vpc)
        })
        .collect();
    Mesh {
        name: "bench".into(),
        vpcs,
        topology: Topology::FullMesh,
        allow_icmp: true,
        ssh_ingress_cidrs: vec![net("10.0.1.0/24".into()).into()],
        dns_resolution: false,
        tags: BTreeMap::new(),
    }
}

fn desired_of(mesh: &Mesh) -> Desired {
    let (adopted, tags) = (BTreeMap::new(), Tags::new());
    let ctx = DesiredContext {
        mesh_id: MESH_ID,
        default_region: REGION,
        adopted_cidrs: &adopted,
        default_tags: &tags,
    };
    desired(mesh, &ctx).expect("valid bench mesh")
}

/// Median of `runs` timings of `f`.
fn median<T>(runs: usize, mut f: impl FnMut() -> T) -> Duration {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            std::hint::black_box(f());
            start.elapsed()
        })
        .collect();
    times.sort();
    times[times.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

fn main() {
    let runs: usize = std::env::var("PLANNER_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(7);
    let profile = if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    };
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    // Full meshes of 100 VPCs need 99 peerings and 100 rules per VPC, and 100 VPCs in
    // one region: raised quotas.
    let quotas = Quotas {
        peerings_per_vpc: 125,
        rules_per_security_group: 200,
        vpcs_per_region: 100,
        ..Quotas::default()
    };
    println!("planner, {profile} build, median of {runs} runs");
    println!("| VPCs | peerings | steps from empty | validate | desired | plan from empty | plan when applied | total (empty) | goal < 50 ms |");
    println!("|---|---|---|---|---|---|---|---|---|");
    for n in [10usize, 50, 100] {
        let mesh = full_mesh(n);
        let validating = median(runs, || {
            let problems = validate(&mesh, &quotas);
            assert!(problems.is_empty(), "bench mesh is invalid:\n{problems}");
        });
        let building = median(runs, || desired_of(&mesh));
        let d = desired_of(&mesh);
        let empty = Inventory::default();
        let from_empty = median(runs, || plan(&d, &empty));
        let first = plan(&d, &empty);
        let applied = rt.block_on(async {
            let fake = FakeEc2::new();
            let opts = ExecuteOptions {
                max_concurrency: 32,
                timeouts: Timeouts::default(),
                cancel: tokio_util::sync::CancellationToken::new(),
            };
            let outcome = execute(&fake, &first, &opts).await;
            assert!(outcome.is_complete(), "bench mesh applied");
            fake.inventory(REGION, MESH_ID, &[])
                .await
                .expect("inventory")
        });
        assert!(plan(&d, &applied).is_empty(), "nothing to do once applied");
        let when_applied = median(runs, || plan(&d, &applied));
        let total = validating + building + from_empty;
        let verdict = if total < GOAL { "met" } else { "NOT met" };
        println!(
            "| {n} | {} | {} | {} | {} | {} | {} | {} | {verdict} |",
            n * (n - 1) / 2,
            first.steps.len(),
            ms(validating),
            ms(building),
            ms(from_empty),
            ms(when_applied),
            ms(total),
        );
    }
}
