//! The go-plugin side of a provider binary: how Terraform starts us, the
//! handshake, AutoMTLS, the side services, and shutdown.
//!
//! A provider's `main` is one call:
//!
//! ```text
//! fn main() -> std::process::ExitCode {
//!     tfplugin::plugin::run(CONFIG, |shutdown| MyProviderService::new(shutdown))
//! }
//! ```

mod cli;
pub mod handshake;
mod serve;
mod services;
mod tls_conn;

use std::io::Write as _;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use tokio::signal::unix::{signal, SignalKind};
use tokio_util::sync::CancellationToken;

use crate::proto::tfplugin6::provider_server::Provider;
use crate::tls::{self, ServerCertificate};
use cli::Command;

pub use serve::{serve_on, MAX_MESSAGE_BYTES, SHUTDOWN_GRACE};

/// Fires once when the process is asked to stop serving: Terraform called
/// `GRPCController.Shutdown`, the process got SIGTERM, or (in `--debug`
/// mode) Ctrl-C. After it fires the server drains for at most
/// [`SHUTDOWN_GRACE`] and the process exits, so work that must not be cut
/// off mid-way should watch it. It is not Terraform's `StopProvider`, which
/// only asks to abandon in-flight operations while the process stays up.
pub type ShutdownSignal = CancellationToken;

/// Identity of the provider binary.
#[derive(Debug, Clone, Copy)]
pub struct PluginConfig {
    /// Short provider name, e.g. `peering` (binary `terraform-provider-peering`).
    pub name: &'static str,
    /// Full source address, e.g. `registry.terraform.io/peeringmesh/peering`.
    pub address: &'static str,
    pub version: &'static str,
}

/// Parses argv (`--debug`, `--version`, `-h/--help`), sets up logging,
/// builds a tokio multi-thread runtime, and serves `make_service`'s provider
/// until shut down. Returns the process exit code.
///
/// Nothing but the handshake line (or, with `--debug`, the reattach
/// instructions) is written to stdout; everything else goes to stderr.
pub fn run<S, F>(cfg: PluginConfig, make_service: F) -> ExitCode
where
    F: FnOnce(ShutdownSignal) -> S,
    S: Provider,
{
    let command = match cli::parse_args(std::env::args_os().skip(1)) {
        Ok(command) => command,
        Err(e) => {
            eprint!(
                "{}: {e}\n\n{}",
                cli::binary_name(&cfg),
                cli::usage_text(&cfg)
            );
            return ExitCode::from(2);
        }
    };
    match command {
        Command::Version => print_to_stdout(&cli::version_text(&cfg)),
        Command::Help => print_to_stdout(&cli::usage_text(&cfg)),
        Command::Serve if !started_by_terraform() => {
            eprint!("{}", cli::not_a_plugin_host_text(&cfg));
            ExitCode::FAILURE
        }
        Command::Serve | Command::Debug => {
            crate::logging::init(&format!("provider.{}", cfg.name));
            let debug_mode = command == Command::Debug;
            match prepare(debug_mode).and_then(|setup| serve(cfg, setup, debug_mode, make_service))
            {
                Ok(()) => ExitCode::SUCCESS,
                Err(message) => {
                    eprintln!("{}: {message}", cli::binary_name(&cfg));
                    ExitCode::FAILURE
                }
            }
        }
    }
}

fn print_to_stdout(text: &str) -> ExitCode {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(_) => ExitCode::FAILURE,
    }
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

fn started_by_terraform() -> bool {
    env(handshake::MAGIC_COOKIE_KEY).as_deref() == Some(handshake::MAGIC_COOKIE_VALUE)
}

/// Everything decided before the runtime starts.
struct Setup {
    listener: std::net::TcpListener,
    tls: Option<(ServerCertificate, Arc<rustls::ServerConfig>)>,
}

fn prepare(debug_mode: bool) -> Result<Setup, String> {
    if debug_mode {
        // A debugger session: any free port, plain h2c, as Terraform expects
        // for reattached providers.
        let listener = std::net::TcpListener::bind((std::net::Ipv4Addr::LOCALHOST, 0))
            .map_err(|e| format!("listening on 127.0.0.1: {e}"))?;
        return Ok(Setup {
            listener,
            tls: None,
        });
    }
    handshake::negotiate_protocol(env("PLUGIN_PROTOCOL_VERSIONS").as_deref())?;
    let ports = handshake::port_range(
        env("PLUGIN_MIN_PORT").as_deref(),
        env("PLUGIN_MAX_PORT").as_deref(),
    )?;
    let listener = handshake::bind_in_range(ports).map_err(|e| e.to_string())?;
    let client_cert = env("PLUGIN_CLIENT_CERT").filter(|pem| !pem.trim().is_empty());
    let tls_disabled = env("TF_DISABLE_PLUGIN_TLS").is_some_and(|v| !v.is_empty());
    let tls = match client_cert {
        Some(pem) if !tls_disabled => {
            let client = tls::parse_client_cert_pem(&pem).map_err(|e| e.to_string())?;
            let server = ServerCertificate::generate().map_err(|e| e.to_string())?;
            let config = server.server_config(client).map_err(|e| e.to_string())?;
            Some((server, config))
        }
        _ => None,
    };
    Ok(Setup { listener, tls })
}

fn serve<S, F>(
    cfg: PluginConfig,
    setup: Setup,
    debug_mode: bool,
    make_service: F,
) -> Result<(), String>
where
    F: FnOnce(ShutdownSignal) -> S,
    S: Provider,
{
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("starting the async runtime: {e}"))?;
    let result = runtime.block_on(async move {
        let addr = setup.listener.local_addr().map_err(|e| e.to_string())?;
        setup
            .listener
            .set_nonblocking(true)
            .map_err(|e| e.to_string())?;
        let listener =
            tokio::net::TcpListener::from_std(setup.listener).map_err(|e| e.to_string())?;
        let shutdown = ShutdownSignal::new();
        // Before announcing ourselves, so a Ctrl-C right after is already handled.
        watch_signals(shutdown.clone(), debug_mode).map_err(|e| format!("signal handlers: {e}"))?;
        let provider = make_service(shutdown.clone());

        let (cert, tls_config) = match setup.tls {
            Some((cert, config)) => (Some(cert), Some(config)),
            None => (None, None),
        };
        let announcement = if debug_mode {
            debug_instructions(&cfg, addr)
        } else {
            let cert_value = cert.as_ref().map(ServerCertificate::handshake_value);
            format!(
                "{}\n",
                handshake::handshake_line(addr, cert_value.as_deref())
            )
        };
        announce(&announcement).map_err(|e| format!("writing the handshake to stdout: {e}"))?;
        tracing::debug!(%addr, tls = tls_config.is_some(), debug_mode, "serving");

        serve_on(listener, tls_config, provider, shutdown)
            .await
            .map_err(|e| format!("serving gRPC: {e}"))
    });
    // Tasks still running (a call that outlived the grace period) must not
    // keep the process alive.
    runtime.shutdown_timeout(Duration::from_millis(100));
    result
}

fn announce(text: &str) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()
}

fn debug_instructions(cfg: &PluginConfig, addr: SocketAddr) -> String {
    let reattach = handshake::reattach_json(cfg.address, std::process::id(), addr);
    format!(
        "{bin} is serving in debug mode on {addr}. To use it, run Terraform with:\n\n\
         \tTF_REATTACH_PROVIDERS='{reattach}'\n\n\
         Press Ctrl-C to stop.\n",
        bin = cli::binary_name(cfg),
    )
}

/// SIGTERM always shuts down. SIGINT shuts down only in debug mode: under
/// Terraform a Ctrl-C reaches the whole process group, and Terraform handles
/// it itself (StopProvider, then Shutdown), as go-plugin plugins expect.
fn watch_signals(shutdown: CancellationToken, debug_mode: bool) -> std::io::Result<()> {
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    tokio::spawn(async move {
        loop {
            tokio::select! {
                Some(()) = interrupt.recv() => {
                    if debug_mode {
                        tracing::info!("interrupted; shutting down");
                        shutdown.cancel();
                        return;
                    }
                    tracing::debug!("ignoring SIGINT; Terraform stops providers itself");
                }
                Some(()) = terminate.recv() => {
                    tracing::info!("terminated; shutting down");
                    shutdown.cancel();
                    return;
                }
                () = shutdown.cancelled() => return,
            }
        }
    });
    Ok(())
}
