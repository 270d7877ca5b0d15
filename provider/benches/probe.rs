//! Wall time to probe 50 loopback addresses (127.0.0.1..=127.0.0.50, 2 echoes each) against
//! one address. Probes of different targets run concurrently, so the goal is at most 1.5x.
//!
//! Two scenarios, because loopback answers in microseconds:
//! - answering loopback in this namespace: CPU-bound (sockets, syscalls, wake-ups), so the
//!   ratio shows per-probe overhead; probing the 50 one after another is printed for contrast;
//! - silent loopback (echo ignored) in a namespace the bench creates and removes (root only):
//!   waiting-bound like a real network, which is where the 1.5x goal applies.
//!
//! Run: `cargo bench -p terraform-provider-peering --bench probe`. Without ICMP permission it
//! says so and skips, except under CI=true where it fails.

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr};
use std::process::Command;
use std::time::{Duration, Instant};

use terraform_provider_peering::probe::{probe_matrix, Echo, IcmpProber, ProbeError};
use test_support::netns::{harness_name, run_in};
use test_support::prereq::{is_root, missing_prerequisite};
use tokio_util::sync::CancellationToken;

const GOAL_RATIO: f64 = 1.5;

fn loopback_hosts(count: u8) -> BTreeMap<String, IpAddr> {
    (1..=count)
        .map(|n| {
            (
                format!("host{n:02}"),
                IpAddr::V4(Ipv4Addr::new(127, 0, 0, n)),
            )
        })
        .collect()
}

/// Median wall time of `runs` probe runs over `hosts`, after one warm-up run; checks that every
/// host got `expected_replies` replies.
async fn median_wall_time(
    hosts: &BTreeMap<String, IpAddr>,
    echo: &Echo,
    concurrency: usize,
    runs: usize,
    expected_replies: u32,
) -> Result<Duration, ProbeError> {
    let (prober, cancel) = (IcmpProber::new(), CancellationToken::new());
    probe_matrix(&prober, hosts, echo, concurrency, &cancel).await?;
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        let results = probe_matrix(&prober, hosts, echo, concurrency, &cancel).await?;
        times.push(started.elapsed());
        let unexpected: Vec<_> = results
            .iter()
            .filter(|result| result.received != expected_replies)
            .collect();
        assert!(unexpected.is_empty(), "unexpected replies: {unexpected:?}");
    }
    times.sort();
    Ok(times[runs / 2])
}

fn print_ratio(scenario: &str, one: Duration, fifty: Duration, runs: usize) {
    let ratio = fifty.as_secs_f64() / one.as_secs_f64();
    let verdict = if ratio <= GOAL_RATIO {
        "met"
    } else {
        "NOT met"
    };
    println!("{scenario} (median of {runs}):");
    println!("  1 address:    {:>10.3} ms", ms(one));
    println!("  50 addresses: {:>10.3} ms", ms(fifty));
    println!("  ratio 50/1:   {ratio:>10.2}x (goal <= {GOAL_RATIO}x: {verdict})");
}

async fn answering_loopback() -> Result<(), ProbeError> {
    const RUNS: usize = 15;
    let echo = Echo {
        count: 2,
        timeout: Duration::from_secs(1),
    };
    let one = median_wall_time(&loopback_hosts(1), &echo, 50, RUNS, 2).await?;
    let fifty = median_wall_time(&loopback_hosts(50), &echo, 50, RUNS, 2).await?;
    let sequential = median_wall_time(&loopback_hosts(50), &echo, 1, RUNS, 2).await?;
    print_ratio("answering loopback, CPU-bound", one, fifty, RUNS);
    println!(
        "  50 addresses one at a time: {:.3} ms ({:.1}x the concurrent run)",
        ms(sequential),
        sequential.as_secs_f64() / fifty.as_secs_f64()
    );
    Ok(())
}

/// Runs the silent scenario on a thread inside a fresh namespace whose loopback ignores echo.
fn silent_loopback() -> Result<(), String> {
    let netns = SilentNetns::create()?;
    let outcome = run_in(&netns.name, || -> Result<(), String> {
        const RUNS: usize = 5;
        let echo = Echo {
            count: 2,
            timeout: Duration::from_millis(100),
        };
        let runtime = tokio::runtime::Runtime::new().map_err(|error| error.to_string())?;
        runtime.block_on(async {
            let one = median_wall_time(&loopback_hosts(1), &echo, 50, RUNS, 0).await;
            let fifty = median_wall_time(&loopback_hosts(50), &echo, 50, RUNS, 0).await;
            let (one, fifty) = (
                one.map_err(|e| e.to_string())?,
                fifty.map_err(|e| e.to_string())?,
            );
            print_ratio(
                "silent loopback, waiting-bound (timeout 100 ms)",
                one,
                fifty,
                RUNS,
            );
            Ok(())
        })
    })?;
    drop(netns);
    outcome
}

/// A namespace with loopback up and echo ignored, deleted on drop.
struct SilentNetns {
    name: String,
}

impl SilentNetns {
    fn create() -> Result<Self, String> {
        if !is_root() {
            return Err("creating a network namespace needs root".into());
        }
        let netns = Self {
            // `make lab-clean` removes it if the bench is killed.
            name: harness_name("-bench"),
        };
        run_ip(&["netns", "add", &netns.name])?;
        run_ip(&["-n", &netns.name, "link", "set", "lo", "up"])?;
        let ignore = "net.ipv4.icmp_echo_ignore_all=1";
        run_ip(&["netns", "exec", &netns.name, "sysctl", "-q", "-w", ignore])?;
        Ok(netns)
    }
}

impl Drop for SilentNetns {
    fn drop(&mut self) {
        let _ = run_ip(&["netns", "del", &self.name]);
    }
}

fn run_ip(args: &[&str]) -> Result<(), String> {
    match Command::new("ip").args(args).status() {
        Ok(status) if status.success() => Ok(()),
        Ok(status) => Err(format!("`ip {}` failed: {status}", args.join(" "))),
        Err(error) => Err(format!("cannot run `ip` (iproute2): {error}")),
    }
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

fn main() {
    let runtime = tokio::runtime::Runtime::new().expect("tokio runtime");
    match runtime.block_on(answering_loopback()) {
        Ok(()) => {}
        Err(ProbeError::Permission(message)) => {
            missing_prerequisite("probe bench", &message);
            return;
        }
        Err(error) => {
            eprintln!("probe bench failed: {error}");
            std::process::exit(1);
        }
    }
    if let Err(reason) = silent_loopback() {
        missing_prerequisite("silent loopback scenario", &reason);
    }
}
