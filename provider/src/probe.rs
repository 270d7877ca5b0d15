//! Reachability probing with ICMP echo, the engine of the `peering_connectivity` data source.
//!
//! Every probe goes through the [`Prober`] trait so the matrix logic can be tested with a fake;
//! [`IcmpProber`] is the real one. An unreachable host is data (`received == 0`), never an error:
//! only "this machine cannot send ICMP at all" ([`ProbeError::Permission`]), a target that cannot
//! be probed ([`ProbeError::InvalidTarget`]), another local failure ([`ProbeError::Io`]) or
//! cancellation ([`ProbeError::Cancelled`]) stop a probe run.
//!
//! [`ssh::SshProber`] probes from remote hosts instead, through an SSH bastion, with the
//! system `ping`.

mod filter;
mod grid;
mod icmp;
mod matrix;
mod packet;
mod permission;
mod report;
mod socket;
pub mod ssh;

#[cfg(test)]
pub(crate) mod fake;
#[cfg(test)]
mod icmp_tests;
#[cfg(test)]
mod netns_tests;
#[cfg(test)]
mod test_support;

use std::net::IpAddr;
use std::time::Duration;

use futures::future::BoxFuture;

pub use grid::render_grid;
pub use icmp::IcmpProber;
pub use matrix::{probe_matrix, PairResult, LOCAL_SOURCE};
pub use report::render_report;

/// How each target is probed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Echo {
    /// Echo requests per target, sent one after another.
    pub count: u32,
    /// How long to wait for the reply to each request before counting it as lost.
    pub timeout: Duration,
}

/// What probing one target observed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ProbeOutcome {
    /// Echo requests attempted (a request the kernel refused to route counts as sent and lost).
    pub sent: u32,
    /// Requests answered by a matching reply within the timeout.
    pub received: u32,
    /// Round-trip time of each answered request, in sending order.
    pub rtts: Vec<Duration>,
}

/// Why a probe run could not produce results. Unreachable targets are not errors.
#[derive(Debug, thiserror::Error)]
pub enum ProbeError {
    /// No ICMP socket could be opened for lack of privilege; the message names what is missing
    /// (sysctl range, group, capability) and how to fix it.
    #[error("{0}")]
    Permission(String),
    /// The address cannot be an echo target (unspecified, multicast, broadcast).
    #[error("cannot probe {address}: {reason}")]
    InvalidTarget {
        address: IpAddr,
        reason: &'static str,
    },
    /// Any other local failure (e.g. no IPv6 support); the message carries the context.
    #[error("{0}")]
    Io(std::io::Error),
    /// The run was cancelled before every target finished; partial results are dropped because
    /// a matrix with silently missing rows would read as a smaller mesh.
    #[error("probing cancelled after {completed} of {total} targets finished")]
    Cancelled { completed: usize, total: usize },
}

/// Sends echo requests to one target and reports what came back.
pub trait Prober: Send + Sync {
    /// Probes `target` with `echo.count` requests. Dropping the future stops the probe at once.
    fn probe<'a>(
        &'a self,
        target: IpAddr,
        echo: &'a Echo,
    ) -> BoxFuture<'a, Result<ProbeOutcome, ProbeError>>;
}
