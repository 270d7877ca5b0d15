//! Probe matrix over SSH: 10, 25 and 50 servers behind a bastion, every
//! server pinging every other one through the SSH prober, against a single ping run.
//!
//! The lab (docs/lab.md): 4 VPCs in a full mesh, the servers spread over their private
//! subnets, a bastion in VPC 0's public subnet with a public IP the runner namespace reaches
//! through the internet gateway; servers take SSH from the bastion's subnet only. The prober
//! runs on a thread that joined the runner namespace (its runtime's workers are started from
//! that thread, so every socket is the runner's; each worker checks), exactly as the provider
//! would run on the machine running Terraform.
//!
//! Measured, per size and echo count: the matrix (median and min over several runs, after a
//! warm-up), SSH connections opened per run (goal: one per source plus the bastion), the peak
//! memory of this process while the matrix runs (it plays the provider: the same prober, on
//! the same kind of runtime), and three baselines: a single ping run through the same SSH path
//! (the prober with one source and one target: bastion login, server login, one `ping`),
//! which the 1.5x goal compares with; one source pinging all the others (one host's share
//! of the matrix, alone on this machine); and the plain `ping` in a server's namespace
//! (`ip netns exec`, no SSH). The hand-run sequential estimate is pairs x the single run over
//! SSH.
//!
//! Run: `cargo bench -p acceptance-tests --bench ssh_matrix` as root. `SSH_BENCH_SIZES=10,25,50`
//! and `SSH_BENCH_COUNTS=1,3` pick sizes and echo counts; `SSH_BENCH_PROBES_PER_SOURCE=N`
//! overrides the prober's bound on pings at once per source. Without root (or the lab's
//! tools) it says why and exits 0.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::os::unix::fs::MetadataExt;
use std::process::Command;
use std::time::{Duration, Instant};

use acceptance_tests::netns::run_in;
use meshlab::{icmp_from, tcp_from, LabSpec, MeshLab, RouteTarget};
use terraform_provider_peering::probe::ssh::{SshConfig, SshProber, SshRun, DEFAULT_SOURCES};
use terraform_provider_peering::probe::Echo;
use tokio_util::sync::CancellationToken;

const VPCS: usize = 4;
/// TEST-NET-3: exists only as a NAT entry in the lab's router and a route in its runner.
const BASTION_PUBLIC_IP: &str = "203.0.113.10";
const GOAL_RATIO: f64 = 1.5;
const ECHO_TIMEOUT: Duration = Duration::from_secs(1);

fn vpc(index: usize) -> String {
    format!("vpc-{index}")
}

fn server(index: usize) -> String {
    format!("s{:02}", index + 1)
}

/// The lab for `servers` servers (see the module docs).
fn spec(servers: usize) -> LabSpec {
    let mut spec = LabSpec::default();
    for v in 0..VPCS {
        let (cidr, private) = (
            format!("10.{}.0.0/16", v + 1),
            format!("10.{}.1.0/24", v + 1),
        );
        spec.add_vpc(&vpc(v), &cidr)
            .add_subnet(&format!("subnet-{v}"), &vpc(v), &private);
    }
    let gateway = RouteTarget::InternetGateway("igw-0".into());
    spec.add_subnet("subnet-pub", &vpc(0), "10.1.0.0/24")
        .add_route_table("rtb-pub", "subnet-pub")
        .add_gateway("igw-0", &vpc(0))
        .add_route("rtb-pub", "0.0.0.0/0", gateway);
    for a in 0..VPCS {
        for b in a + 1..VPCS {
            let id = format!("pcx-{a}{b}");
            spec.peer(&id, &vpc(a), &vpc(b));
            if a == 0 {
                let peer_cidr = format!("10.{}.0.0/16", b + 1);
                spec.add_route("rtb-pub", &peer_cidr, RouteTarget::Peering(id));
            }
        }
    }
    spec.add_group("sg-bastion", vec![tcp_from(22, "0.0.0.0/0")])
        .add_group(
            "sg-server",
            vec![tcp_from(22, "10.1.0.0/24"), icmp_from("10.0.0.0/8")],
        )
        .add_instance("bastion", "subnet-pub", "10.1.0.10", &["sg-bastion"])
        .set_public_ip("bastion", BASTION_PUBLIC_IP.parse().unwrap());
    for k in 0..servers {
        let v = k % VPCS;
        let ip = format!("10.{}.1.{}", v + 1, 10 + k);
        spec.add_instance(&server(k), &format!("subnet-{v}"), &ip, &["sg-server"]);
    }
    spec
}

#[derive(Clone, Copy)]
struct Timing {
    median: Duration,
    min: Duration,
}

impl Timing {
    fn of(mut times: Vec<Duration>) -> Timing {
        times.sort();
        Timing {
            median: times[times.len() / 2],
            min: times[0],
        }
    }
}

/// What the prober did over `runs` runs of one matrix (after a warm-up run).
struct Measured {
    wall: Timing,
    probed_pairs: usize,
    /// Connections of every run (all equal when the prober keeps its promise).
    connections: Vec<usize>,
    /// CPU cores the whole machine kept busy during the timed runs, on average.
    cores_busy: f64,
    /// Resident memory of this process before the runs, and its peak during them.
    memory: Memory,
    /// CPU time (user + system) of this process, the prober's share, per timed run.
    own_cpu_per_run: Duration,
}

/// CPU time (user + system) this process used so far.
fn own_cpu() -> Duration {
    // SAFETY: rusage is plain integers, for which all zeroes is a valid value.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: getrusage only writes the struct it is given.
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) } != 0 {
        return Duration::ZERO;
    }
    let time = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    time(usage.ru_utime) + time(usage.ru_stime)
}

/// Resident set sizes of this process, in KiB.
#[derive(Clone, Copy, Default)]
struct Memory {
    before_kib: u64,
    peak_kib: u64,
}

/// A `Kib` field (`VmRSS`, `VmHWM`) of /proc/self/status.
fn status_kib(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|value| value.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

/// Starts a peak measurement: the kernel resets `VmHWM` to the current RSS when "5" is
/// written to clear_refs (Linux 4.0 and later), so the lab set-up and earlier sizes do not
/// count.
fn memory_start() -> u64 {
    if let Err(error) = std::fs::write("/proc/self/clear_refs", "5") {
        eprintln!("cannot reset the peak RSS ({error}); the peak shown includes earlier work");
    }
    status_kib("VmRSS")
}

/// Busy and total jiffies of all CPUs so far (/proc/stat).
fn cpu_jiffies() -> (u64, u64) {
    let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let fields: Vec<u64> = stat
        .lines()
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .skip(1)
        .take(8)
        .filter_map(|field| field.parse().ok())
        .collect();
    let total: u64 = fields.iter().sum();
    // idle and iowait are the 4th and 5th fields.
    let idle = fields.get(3).unwrap_or(&0) + fields.get(4).unwrap_or(&0);
    (total - idle, total)
}

/// Average busy cores between two [`cpu_jiffies`] readings.
fn cores_busy(before: (u64, u64), after: (u64, u64)) -> f64 {
    let cores = std::thread::available_parallelism().map_or(1, usize::from) as f64;
    let (busy, total) = (after.0 - before.0, after.1 - before.1);
    if total == 0 {
        return 0.0;
    }
    busy as f64 / total as f64 * cores
}

/// Runs the matrix `runs + 1` times; fails unless every pair answered every echo.
async fn measure(
    prober: &SshProber,
    sources: &BTreeMap<String, IpAddr>,
    targets: &BTreeMap<String, IpAddr>,
    echo: &Echo,
    runs: usize,
) -> Result<Measured, String> {
    let cancel = CancellationToken::new();
    let (mut times, mut connections, mut probed_pairs) = (Vec::new(), Vec::new(), 0);
    let mut cpu_before = cpu_jiffies();
    let before_kib = memory_start();
    let mut own_cpu_before = own_cpu();
    for run in 0..=runs {
        if run == 1 {
            cpu_before = cpu_jiffies();
            own_cpu_before = own_cpu();
        }
        let started = Instant::now();
        let outcome = prober.probe_matrix(sources, targets, echo, &cancel).await;
        let elapsed = started.elapsed();
        let SshRun {
            results,
            connections_opened,
            ..
        } = outcome.map_err(|error| error.to_string())?;
        let failed: Vec<_> = results
            .iter()
            .filter(|row| row.cause.is_some() || row.result.received != echo.count)
            .collect();
        if !failed.is_empty() {
            return Err(format!(
                "run {run} ({elapsed:?}): {} of {} pairs without every reply: {failed:#?}",
                failed.len(),
                results.len()
            ));
        }
        if run > 0 {
            times.push(elapsed);
            connections.push(connections_opened);
            probed_pairs = results.len();
        }
    }
    Ok(Measured {
        wall: Timing::of(times),
        probed_pairs,
        connections,
        cores_busy: cores_busy(cpu_before, cpu_jiffies()),
        memory: Memory {
            before_kib,
            peak_kib: status_kib("VmHWM"),
        },
        own_cpu_per_run: own_cpu().saturating_sub(own_cpu_before) / runs.max(1) as u32,
    })
}

/// `ping` from one server to another in the server's namespace, no SSH.
fn local_ping(namespace: &str, target: IpAddr, echo: &Echo, runs: usize) -> Result<Timing, String> {
    let (count, target) = (echo.count.to_string(), target.to_string());
    let mut times = Vec::new();
    for run in 0..=runs {
        let started = Instant::now();
        let status = Command::new("ip")
            .args(["netns", "exec", namespace, "ping", "-n", "-q", "-c", &count])
            .args(["-W", "1", &target])
            .stdout(std::process::Stdio::null())
            .status()
            .map_err(|error| format!("running ping in {namespace}: {error}"))?;
        let elapsed = started.elapsed();
        if !status.success() {
            return Err(format!("ping {target} in {namespace}: {status}"));
        }
        if run > 0 {
            times.push(elapsed);
        }
    }
    Ok(Timing::of(times))
}

/// Runs `work` on a runtime whose threads are all in network namespace `namespace`.
fn in_namespace<T: Send>(
    namespace: &str,
    work: impl FnOnce(&tokio::runtime::Runtime) -> T + Send,
) -> Result<T, String> {
    let path = format!("/run/netns/{namespace}");
    let wanted = std::fs::metadata(&path)
        .map_err(|error| format!("{path}: {error}"))?
        .ino();
    // The runtime's threads, started from the namespace's thread, inherit its namespace.
    run_in(namespace, || {
        let in_lab = move || {
            let here = std::fs::metadata("/proc/thread-self/ns/net").map(|m| m.ino());
            if here.ok() != Some(wanted) {
                // Never probe from the machine's own namespace (safety rule).
                eprintln!("a runtime thread is outside {path}; aborting");
                std::process::abort();
            }
        };
        in_lab();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .on_thread_start(in_lab)
            .build()
            .map_err(|error| format!("runtime: {error}"))?;
        Ok(work(&runtime))
    })?
}

/// One table row.
struct Row {
    hosts: usize,
    matrix_pairs: usize,
    count: u32,
    matrix: Measured,
    single: Measured,
    /// One source pinging every other host: the work each host of the matrix does, alone
    /// on this machine's CPUs (on AWS every host has its own).
    fan_out: Measured,
    local: Timing,
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

impl Row {
    fn print(&self) {
        let (matrix, single) = (self.matrix.wall.median, self.single.wall.median);
        let ratio = matrix.as_secs_f64() / single.as_secs_f64();
        let sequential = single * self.matrix.probed_pairs as u32;
        let speed_up = sequential.as_secs_f64() / matrix.as_secs_f64();
        let connections = self.matrix.connections.iter().max().copied().unwrap_or(0);
        let goal = self.hosts + 1;
        let exact = self.matrix.connections.iter().all(|&opened| opened == goal);
        let mib = |kib: u64| kib as f64 / 1024.0;
        let memory = self.matrix.memory;
        let verdict = |met: bool| if met { "met" } else { "NOT met" };
        println!(
            "| {} | {} / {} | {} | {:.0} ms (min {:.0}) | {:.0} ms (min {:.0}) | {:.0} ms | {:.1} ms | {:.2}x ({}) | {:.1} s | {:.1}x | {} / {} ({}) | {:.1} | {:.0} ms | {:.1} MiB (from {:.1}) |",
            self.hosts,
            self.matrix_pairs,
            self.matrix.probed_pairs,
            self.count,
            ms(matrix),
            ms(self.matrix.wall.min),
            ms(single),
            ms(self.single.wall.min),
            ms(self.fan_out.wall.median),
            ms(self.local.median),
            ratio,
            verdict(ratio <= GOAL_RATIO),
            sequential.as_secs_f64(),
            speed_up,
            connections,
            goal,
            verdict(exact),
            self.matrix.cores_busy,
            ms(self.matrix.own_cpu_per_run),
            mib(memory.peak_kib),
            mib(memory.before_kib),
        );
    }
}

fn header() {
    println!(
        "| hosts | pairs: matrix / probed | echoes | matrix over SSH, median | single ping run over SSH, median | one source to all others over SSH, median | plain ping in a host ns | ratio matrix / single (goal <= {GOAL_RATIO}) | sequential estimate (probed pairs x single) | speed-up | SSH connections per run (goal sources + 1, every run) | cores busy during the matrix | CPU time of the prober's process per matrix | peak RSS of the prober's process during the matrix runs (RSS before) |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
}

fn runs_for(count: u32) -> usize {
    if count == 1 {
        9
    } else {
        3
    }
}

fn measure_size(servers: usize, counts: &[u32]) -> Result<Vec<Row>, String> {
    let lab = MeshLab::up(spec(servers))?;
    let read = |path: std::path::PathBuf| {
        std::fs::read_to_string(&path).map_err(|error| format!("{}: {error}", path.display()))
    };
    let config = SshConfig {
        bastion_user: "root".to_string(),
        user: "root".to_string(),
        known_hosts: read(lab.known_hosts())?,
        ..SshConfig::new(BASTION_PUBLIC_IP, read(lab.private_key())?)
    };
    let hosts: BTreeMap<String, IpAddr> = (0..servers)
        .map(|k| (server(k), IpAddr::V4(lab.host(&server(k)).private_ip)))
        .collect();
    let (first, second) = (server(0), server(1));
    let one_source = BTreeMap::from([(first.clone(), hosts[&first])]);
    let one_target = BTreeMap::from([(second.clone(), hosts[&second])]);
    let mut rows = Vec::new();
    for &count in counts {
        let echo = Echo {
            count,
            timeout: ECHO_TIMEOUT,
        };
        let runs = runs_for(count);
        let local = local_ping(&lab.host(&first).namespace, hosts[&second], &echo, runs)?;
        let (matrix, single, fan_out) = in_namespace(lab.runner(), |runtime| {
            runtime.block_on(async {
                let mut prober = SshProber::new(&config).map_err(|error| error.to_string())?;
                if let Some(&per_source) = list("SSH_BENCH_PROBES_PER_SOURCE", "").first() {
                    prober = prober.with_concurrency(DEFAULT_SOURCES, per_source as usize);
                }
                let single = measure(&prober, &one_source, &one_target, &echo, runs).await?;
                let fan_out = measure(&prober, &one_source, &hosts, &echo, runs).await?;
                let matrix = measure(&prober, &hosts, &hosts, &echo, runs).await?;
                Ok::<_, String>((matrix, single, fan_out))
            })
        })??;
        let row = Row {
            hosts: servers,
            matrix_pairs: servers * servers,
            count,
            matrix,
            single,
            fan_out,
            local,
        };
        eprintln!(
            "{servers} hosts, {count} echo(es): matrix {:.0} ms, single {:.0} ms, connections {:?}, peak RSS {} KiB ({runs} runs)",
            ms(row.matrix.wall.median),
            ms(row.single.wall.median),
            row.matrix.connections,
            row.matrix.memory.peak_kib,
        );
        rows.push(row);
    }
    Ok(rows)
}

fn list(variable: &str, default: &str) -> Vec<u32> {
    std::env::var(variable)
        .unwrap_or_else(|_| default.to_string())
        .split(',')
        .filter_map(|item| item.trim().parse().ok())
        .collect()
}

fn main() {
    if let Some(reason) = MeshLab::unavailable_reason() {
        eprintln!("SKIPPED ssh_matrix bench: {reason}");
        return;
    }
    let counts = list("SSH_BENCH_COUNTS", "1,3");
    let mut rows = Vec::new();
    for servers in list("SSH_BENCH_SIZES", "10,25,50") {
        if servers < 2 {
            eprintln!("skipping {servers} hosts: a matrix needs at least 2");
            continue;
        }
        match measure_size(servers as usize, &counts) {
            Ok(size_rows) => rows.extend(size_rows),
            Err(error) => {
                eprintln!("ssh_matrix bench at {servers} hosts failed: {error}");
                std::process::exit(1);
            }
        }
    }
    header();
    for row in &rows {
        row.print();
    }
}
