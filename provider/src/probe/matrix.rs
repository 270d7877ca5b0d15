//! Probing a set of named hosts concurrently and summarising each pair.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::time::Duration;

use futures::stream::FuturesUnordered;
use futures::StreamExt;
use tokio_util::sync::CancellationToken;

use super::{Echo, ProbeError, ProbeOutcome, Prober};

/// The `from` of every result of the local transport: probes leave the machine running
/// Terraform.
pub const LOCAL_SOURCE: &str = "local";

/// One row of the connectivity matrix.
#[derive(Debug, Clone, PartialEq)]
pub struct PairResult {
    pub from: String,
    pub to: String,
    pub address: IpAddr,
    pub sent: u32,
    pub received: u32,
    /// 0..=100; 100 when nothing was sent.
    pub loss_percent: f64,
    pub rtt_min_ms: Option<f64>,
    pub rtt_avg_ms: Option<f64>,
    pub rtt_max_ms: Option<f64>,
    /// At least one reply arrived.
    pub reachable: bool,
}

impl PairResult {
    /// Summarises what probing `address` (host `to`) from `from` observed.
    pub fn from_outcome(from: &str, to: &str, address: IpAddr, outcome: &ProbeOutcome) -> Self {
        let received = outcome.received.min(outcome.sent);
        let loss_percent = if outcome.sent == 0 {
            100.0
        } else {
            f64::from(outcome.sent - received) * 100.0 / f64::from(outcome.sent)
        };
        let rtts_ms: Vec<f64> = outcome.rtts.iter().map(millis).collect();
        let rtt_avg_ms =
            (!rtts_ms.is_empty()).then(|| rtts_ms.iter().sum::<f64>() / rtts_ms.len() as f64);
        Self {
            from: from.to_string(),
            to: to.to_string(),
            address,
            sent: outcome.sent,
            received,
            loss_percent,
            rtt_min_ms: rtts_ms.iter().copied().reduce(f64::min),
            rtt_avg_ms,
            rtt_max_ms: rtts_ms.iter().copied().reduce(f64::max),
            reachable: received > 0,
        }
    }
}

fn millis(duration: &Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

/// Runs `prober` against every host concurrently (at most `concurrency` at once, at least one)
/// and returns one [`PairResult`] per host with `from` = [`LOCAL_SOURCE`], sorted by `from`,
/// then `to`.
///
/// Unreachable hosts are results, not errors. The first error of any probe (no ICMP
/// permission, invalid target, local I/O failure) stops the run and is returned; the probes
/// still running are dropped, which closes their sockets.
///
/// Cancellation: once `cancel` fires, in-flight probes are dropped at their next await point
/// and [`ProbeError::Cancelled`] is returned with how many hosts had finished; the partial
/// results are discarded.
pub async fn probe_matrix(
    prober: &dyn Prober,
    hosts: &BTreeMap<String, IpAddr>,
    echo: &Echo,
    concurrency: usize,
    cancel: &CancellationToken,
) -> Result<Vec<PairResult>, ProbeError> {
    let total = hosts.len();
    let limit = concurrency.max(1);
    let mut waiting = hosts.iter();
    let mut running = FuturesUnordered::new();
    let mut results = Vec::with_capacity(total);
    loop {
        while running.len() < limit {
            let Some((name, &address)) = waiting.next() else {
                break;
            };
            running.push(probe_host(prober, name, address, echo));
        }
        let next = tokio::select! {
            biased;
            () = cancel.cancelled() => {
                return Err(ProbeError::Cancelled { completed: results.len(), total });
            }
            next = running.next() => next,
        };
        let Some((name, address, outcome)) = next else {
            break;
        };
        results.push(PairResult::from_outcome(
            LOCAL_SOURCE,
            name,
            address,
            &outcome?,
        ));
    }
    results.sort_by(|a, b| (&a.from, &a.to).cmp(&(&b.from, &b.to)));
    Ok(results)
}

/// One probe, labelled with its host. A named `async fn` rather than a closure in a stream
/// combinator keeps `probe_matrix`'s future provably `Send` for callers behind `async_trait`.
async fn probe_host<'a>(
    prober: &'a dyn Prober,
    name: &'a str,
    address: IpAddr,
    echo: &'a Echo,
) -> (&'a str, IpAddr, Result<ProbeOutcome, ProbeError>) {
    (name, address, prober.probe(address, echo).await)
}

#[cfg(test)]
mod tests;
