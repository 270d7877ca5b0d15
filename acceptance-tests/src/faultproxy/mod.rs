//! An EC2 fault proxy for the acceptance tests: an HTTP proxy on loopback in
//! front of moto that makes it behave like EC2 on a bad day (see
//! `acceptance-tests/README.md`): throttling per action, 500/503 answers,
//! responses lost after the call took effect, fresh ids not yet visible,
//! peerings passing through `initiating-request` and `provisioning`,
//! `DependencyViolation` on deletes, latency. Each kind is switchable
//! ([`Faults`]), seeded, and counted ([`FaultCounts`]). STS calls at the same
//! endpoint are forwarded untouched, but for AssumeRole of a role the test refuses
//! ([`FaultProxy::refuse_roles`]).
//!
//! Actions are the wire's strings, not the provider's `ec2::Action`: the proxy plays
//! EC2, so it counts and throttles whatever arrives (actions the provider never sends
//! included, such as the test set-up's own calls), and its throttling table stays a
//! model of AWS made independently of the provider's pacing that it tests.
//!
//! The proxy runs on its own thread with its own tokio runtime, so blocking
//! tests can use it; it stops when dropped.

mod counts;
mod deletes;
mod engine;
#[cfg(test)]
mod engine_tests;
mod faults;
mod query;
mod server;
mod throttle;
mod xml;

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use tokio::sync::oneshot;

pub use counts::{ActionCounts, FaultCounts};
pub use faults::{FaultKind, Faults, PeeringStates, Window};
pub use query::EC2_VERSION;
pub use throttle::{Bucket, Throttle};

pub struct FaultProxy {
    address: SocketAddr,
    engine: server::Shared,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl FaultProxy {
    /// A proxy on a random loopback port in front of `upstream` (moto).
    pub fn start(upstream: SocketAddr, faults: Faults) -> Result<FaultProxy, String> {
        FaultProxy::start_on(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)), upstream, faults)
    }

    /// The same on a chosen address (the CLI's `--listen`).
    pub fn start_on(
        listen: SocketAddr,
        upstream: SocketAddr,
        faults: Faults,
    ) -> Result<FaultProxy, String> {
        let listener = std::net::TcpListener::bind(listen)
            .map_err(|e| format!("fault proxy: listening on {listen}: {e}"))?;
        let address = listener
            .local_addr()
            .map_err(|e| format!("fault proxy: reading its address: {e}"))?;
        listener
            .set_nonblocking(true)
            .map_err(|e| format!("fault proxy: setting up {address}: {e}"))?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("fault proxy: starting its runtime: {e}"))?;
        let engine = Arc::new(Mutex::new(engine::Engine::new(faults)));
        let (stop, stopped) = oneshot::channel();
        let shared = engine.clone();
        let thread = std::thread::Builder::new()
            .name("ec2-fault-proxy".to_string())
            .spawn(move || {
                runtime.block_on(async move {
                    match tokio::net::TcpListener::from_std(listener) {
                        Ok(listener) => server::serve(listener, upstream, shared, stopped).await,
                        Err(e) => eprintln!("fault proxy: serving on {address}: {e}"),
                    }
                });
            })
            .map_err(|e| format!("fault proxy: starting its thread: {e}"))?;
        Ok(FaultProxy {
            address,
            engine,
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    /// `http://127.0.0.1:PORT`, for the provider's `endpoints = { ec2 = ... }`.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.address)
    }

    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Switches faults at runtime (e.g. `Faults::none` while a test checks
    /// EC2 through the proxy). Token buckets start full again; windows
    /// already open stay open and apply again once their kind is back on.
    pub fn set_faults(&self, faults: Faults) {
        self.engine.lock().unwrap().set_faults(faults);
    }

    /// Refuses STS AssumeRole of each of `roles` with `AccessDenied` from now on, as AWS
    /// does when a role's trust policy does not name the caller (moto never refuses);
    /// an empty list lets every role be assumed again.
    pub fn refuse_roles(&self, roles: &[&str]) {
        self.engine.lock().unwrap().set_refused_roles(roles);
    }

    /// What was received, forwarded and injected so far.
    pub fn counts(&self) -> FaultCounts {
        self.engine.lock().unwrap().counts()
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
