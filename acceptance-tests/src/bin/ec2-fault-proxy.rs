//! `ec2-fault-proxy`: the acceptance tests' EC2 fault proxy run by hand, in
//! front of a moto server, until SIGINT or SIGTERM. See
//! acceptance-tests/README.md.

use std::net::SocketAddr;
use std::process::ExitCode;

use acceptance_tests::{FaultKind, FaultProxy, Faults};

const USAGE: &str = "\
usage: ec2-fault-proxy --upstream http://127.0.0.1:PORT [options]
  --upstream URL          moto's endpoint (an IP address and port)
  --seed N                seed of every random decision (default 1)
  --faults SET            bad-day (default), none, or kinds from bad-day:
                          throttle,internal-error,unavailable,lost-response,
                          fresh-id-not-found,peering-states,dependency-violation,latency
  --listen ADDR           where to listen (default 127.0.0.1 on a free port)
  --print-counts-on-exit  print what was received, forwarded and injected";

struct Options {
    upstream: SocketAddr,
    listen: SocketAddr,
    faults: Faults,
    print_counts: bool,
}

fn main() -> ExitCode {
    let options = match parse(std::env::args().skip(1).collect()) {
        Ok(options) => options,
        Err(message) if message == "help" => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("ec2-fault-proxy: {message}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let proxy = match FaultProxy::start_on(options.listen, options.upstream, options.faults) {
        Ok(proxy) => proxy,
        Err(message) => {
            eprintln!("ec2-fault-proxy: {message}");
            return ExitCode::FAILURE;
        }
    };
    println!("ec2 endpoint: {}", proxy.endpoint());
    if let Err(message) = wait_for_signal() {
        eprintln!("ec2-fault-proxy: {message}");
    }
    if options.print_counts {
        print!("{}", proxy.counts().summary());
    }
    ExitCode::SUCCESS
}

fn parse(args: Vec<String>) -> Result<Options, String> {
    let mut upstream = None;
    let mut listen = SocketAddr::from(([127, 0, 0, 1], 0));
    let mut seed = 1u64;
    let mut set = "bad-day".to_string();
    let mut print_counts = false;
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--upstream" => upstream = Some(address(&value()?)?),
            "--listen" => listen = address(&value()?)?,
            "--seed" => {
                let text = value()?;
                seed = text
                    .parse()
                    .map_err(|_| format!("--seed `{text}` is not a whole number"))?;
            }
            "--faults" => set = value()?,
            "--print-counts-on-exit" => print_counts = true,
            "-h" | "--help" => return Err("help".to_string()),
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    let upstream = upstream.ok_or("--upstream is required")?;
    let faults = match set.as_str() {
        "bad-day" => Faults::bad_day(seed),
        "none" => Faults::none(seed),
        kinds => {
            let kinds = kinds
                .split(',')
                .map(str::parse)
                .collect::<Result<Vec<FaultKind>, String>>()?;
            Faults::bad_day(seed).only(&kinds)
        }
    };
    Ok(Options {
        upstream,
        listen,
        faults,
        print_counts,
    })
}

/// `http://127.0.0.1:PORT` or `127.0.0.1:PORT`.
fn address(text: &str) -> Result<SocketAddr, String> {
    let bare = text.trim_start_matches("http://").trim_end_matches('/');
    bare.parse().map_err(|_| {
        format!("`{text}` is not an IP address and port such as http://127.0.0.1:5000")
    })
}

fn wait_for_signal() -> Result<(), String> {
    use tokio::signal::unix::{signal, SignalKind};
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("waiting for a signal: {e}"))?;
    runtime.block_on(async {
        let mut interrupt =
            signal(SignalKind::interrupt()).map_err(|e| format!("catching SIGINT: {e}"))?;
        let mut terminate =
            signal(SignalKind::terminate()).map_err(|e| format!("catching SIGTERM: {e}"))?;
        tokio::select! {
            _ = interrupt.recv() => {}
            _ = terminate.recv() => {}
        }
        Ok(())
    })
}
