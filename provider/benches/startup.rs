//! Time from spawning the provider, as Terraform does, to its handshake line.
//!
//! Terraform starts one provider process per operation phase and waits for
//! the go-plugin handshake line on stdout before it can do anything, so this
//! latency is paid several times per `terraform plan`. Goal: under 20 ms.
//!
//! Run with `cargo bench -p terraform-provider-peering --bench startup`.
//! `PEERING_PROVIDER_BIN` overrides the binary; `STARTUP_BENCH_RUNS` the
//! number of runs (default 20).

use std::io::{BufRead as _, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const MAGIC_COOKIE: &str = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";
const GOAL: Duration = Duration::from_millis(20);

fn main() {
    let binary = provider_binary();
    let runs: usize = std::env::var("STARTUP_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20);
    // Any certificate will do as the pinned client certificate: the provider
    // only parses it before the handshake, and this one is made the same way.
    let client_cert = tfplugin::tls::ServerCertificate::generate()
        .expect("generating a client certificate")
        .pem()
        .to_string();

    // One unmeasured run warms the page cache.
    measure(&binary, &client_cert);
    let mut times: Vec<Duration> = (0..runs).map(|_| measure(&binary, &client_cert)).collect();
    times.sort_unstable();

    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let median = times[times.len() / 2];
    println!(
        "startup to handshake over {runs} runs: min {:.2} ms, median {:.2} ms, max {:.2} ms (goal < {} ms: {})",
        ms(times[0]),
        ms(median),
        ms(times[times.len() - 1]),
        GOAL.as_millis(),
        if median < GOAL { "met" } else { "NOT met" },
    );
}

/// Spawns the provider with Terraform's environment and returns the time
/// until its first stdout line, which must be a TLS handshake line.
fn measure(binary: &PathBuf, client_cert: &str) -> Duration {
    let started = Instant::now();
    let mut child = Command::new(binary)
        .env("TF_PLUGIN_MAGIC_COOKIE", MAGIC_COOKIE)
        .env("PLUGIN_PROTOCOL_VERSIONS", "5,6")
        .env("PLUGIN_CLIENT_CERT", client_cert)
        .env_remove("TF_DISABLE_PLUGIN_TLS")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("spawning {}: {e}", binary.display()));
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("piped stdout"))
        .read_line(&mut line)
        .expect("reading the handshake line");
    let elapsed = started.elapsed();
    let _ = child.kill();
    let _ = child.wait();

    let fields: Vec<&str> = line.trim_end().split('|').collect();
    assert!(
        fields.len() == 6
            && fields[..3] == ["1", "6", "tcp"]
            && fields[3].starts_with("127.0.0.1:")
            && fields[4] == "grpc"
            && !fields[5].is_empty(),
        "not a TLS handshake line: {line:?}"
    );
    elapsed
}

/// The provider binary: `PEERING_PROVIDER_BIN`, else the path Cargo gives
/// benchmarks, else `terraform-provider-peering` in the profile directory the
/// bench executable runs from (`target/<profile>/deps/..`).
fn provider_binary() -> PathBuf {
    if let Some(path) = std::env::var_os("PEERING_PROVIDER_BIN") {
        return PathBuf::from(path);
    }
    if let Some(path) = option_env!("CARGO_BIN_EXE_terraform-provider-peering") {
        return PathBuf::from(path);
    }
    let exe = std::env::current_exe().expect("locating the bench executable");
    let profile_dir = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("bench executable lives in target/<profile>/deps");
    let binary = profile_dir.join("terraform-provider-peering");
    assert!(
        binary.exists(),
        "{} not found; build it first or set PEERING_PROVIDER_BIN",
        binary.display()
    );
    binary
}
