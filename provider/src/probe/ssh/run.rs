//! [`SshProber`]: one run of the matrix over SSH, sources and targets concurrently within
//! bounds.

use std::collections::BTreeMap;
use std::future::Future;
use std::net::IpAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use futures::stream::FuturesUnordered;
use futures::StreamExt;
use russh::Disconnect;
use tokio::net::TcpStream;
use tokio_util::sync::CancellationToken;

use super::config::{Checked, HostKeyPolicy};
use super::session::{self, Failure, Session};
use super::{SshConfig, SshError, SshProbeResult, SshRun};
use crate::probe::Echo;
use crate::wording::seconds;

/// Time to set up one SSH connection (TCP or tunnel, handshake, authentication).
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(15);
/// Sources connected to and probing at once. Each costs an SSH session in the provider and a
/// tunnel through the bastion's one connection (OpenSSH's `MaxSessions` does not count
/// tunnels); with up to 64 hosts every source probes at the same time.
pub const DEFAULT_SOURCES: usize = 64;
/// `ping` processes running at once on one source, all started by its one remote command
/// (see `batch`): up to 129 hosts every source pings all its targets in one wave.
pub const DEFAULT_PROBES_PER_SOURCE: usize = 128;

/// Probes from remote hosts through an SSH bastion. Cheap to keep: connections live only
/// during [`SshProber::probe_matrix`].
pub struct SshProber {
    pub(super) checked: Arc<Checked>,
    pub(super) connect_timeout: Duration,
    sources_at_once: usize,
    pub(super) probes_per_source: usize,
    connections: AtomicUsize,
}

/// Counters shared by the tasks of one run.
#[derive(Default)]
pub(super) struct RunCounters {
    connections: AtomicUsize,
    pub(super) finished_pairs: AtomicUsize,
}

impl SshProber {
    /// Checks `config` (decodes the key, parses known_hosts); no connection is made yet.
    pub fn new(config: &SshConfig) -> Result<Self, SshError> {
        Ok(Self {
            checked: Arc::new(Checked::from_config(config)?),
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            sources_at_once: DEFAULT_SOURCES,
            probes_per_source: DEFAULT_PROBES_PER_SOURCE,
            connections: AtomicUsize::new(0),
        })
    }

    pub fn with_connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Bounds: `sources` hosts at once, `probes_per_source` pings at once on each (both at
    /// least 1; a source with more targets pings them in waves of `probes_per_source`, one
    /// remote command all the same).
    pub fn with_concurrency(mut self, sources: usize, probes_per_source: usize) -> Self {
        self.sources_at_once = sources.max(1);
        self.probes_per_source = probes_per_source.max(1);
        self
    }

    /// SSH connections opened by every run of this prober so far.
    pub fn connections_opened(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    /// Probes every target from every source (pairs with the same name are skipped), with
    /// `echo.count` echo requests each waited for `echo.timeout` (rounded up to seconds).
    ///
    /// Errors only for what stops the whole run (see [`SshError`]); an unreachable source or
    /// target is a result. Once `cancel` fires, connections are dropped and
    /// [`SshError::Cancelled`] is returned.
    pub async fn probe_matrix(
        &self,
        sources: &BTreeMap<String, IpAddr>,
        targets: &BTreeMap<String, IpAddr>,
        echo: &Echo,
        cancel: &CancellationToken,
    ) -> Result<SshRun, SshError> {
        let counters = RunCounters::default();
        let total = sources
            .keys()
            .map(|source| targets.keys().filter(|target| *target != source).count())
            .sum();
        let run = self.run(sources, targets, echo, &counters);
        let results = tokio::select! {
            biased;
            () = cancel.cancelled() => {
                let completed = counters.finished_pairs.load(Ordering::SeqCst);
                return Err(SshError::Cancelled { completed, total });
            }
            results = run => results?,
        };
        Ok(SshRun {
            results,
            host_keys_verified: matches!(self.checked.host_keys, HostKeyPolicy::Verify(_)),
            connections_opened: counters.connections.load(Ordering::SeqCst),
        })
    }

    async fn run(
        &self,
        sources: &BTreeMap<String, IpAddr>,
        targets: &BTreeMap<String, IpAddr>,
        echo: &Echo,
        counters: &RunCounters,
    ) -> Result<Vec<SshProbeResult>, SshError> {
        let bastion = self.connect_bastion(counters).await?;
        let per_source = sources.iter().map(|(name, &address)| {
            self.probe_source(&bastion, counters, name, address, targets, echo)
        });
        let per_source = bounded(per_source, self.sources_at_once).await;
        disconnect(&bastion).await;
        let mut results: Vec<SshProbeResult> = per_source
            .into_iter()
            .collect::<Result<Vec<_>, _>>()?
            .into_iter()
            .flatten()
            .collect();
        results.sort_by(|a, b| (&a.result.from, &a.result.to).cmp(&(&b.result.from, &b.result.to)));
        Ok(results)
    }

    pub(super) fn count_connection(&self, counters: &RunCounters) {
        counters.connections.fetch_add(1, Ordering::SeqCst);
        self.connections.fetch_add(1, Ordering::SeqCst);
    }

    async fn connect_bastion(&self, counters: &RunCounters) -> Result<Session, SshError> {
        let checked = &self.checked;
        let address = checked.bastion_address.clone();
        let unreachable = |reason: String| SshError::BastionUnreachable {
            address: address.clone(),
            port: checked.port,
            reason,
        };
        let attempt = async {
            let tcp = TcpStream::connect((address.as_str(), checked.port))
                .await
                .map_err(|error| unreachable(error.to_string()))?;
            self.count_connection(counters);
            let mut names = vec![address.clone()];
            if let Ok(peer) = tcp.peer_addr() {
                names.push(peer.ip().to_string());
                names.dedup();
            }
            session::open(tcp, checked, names, &checked.bastion_user)
                .await
                .map_err(|failure| match failure {
                    Failure::HostKey(problem) => SshError::BastionHostKey {
                        problem: problem.describe(&format!("the bastion {address}")),
                    },
                    Failure::AuthRefused => SshError::BastionAuthRefused {
                        address: address.clone(),
                        user: checked.bastion_user.clone(),
                    },
                    Failure::Ssh(error) => unreachable(format!("SSH handshake failed: {error}")),
                })
        };
        tokio::time::timeout(self.connect_timeout, attempt)
            .await
            .map_err(|_| {
                unreachable(format!(
                    "no SSH session within {}",
                    seconds(self.connect_timeout)
                ))
            })?
    }
}

/// Runs `tasks` with at most `limit` at once and returns their outputs (in finishing order).
pub(super) async fn bounded<T>(
    tasks: impl Iterator<Item = impl Future<Output = T>>,
    limit: usize,
) -> Vec<T> {
    let mut waiting = tasks;
    let mut running = FuturesUnordered::new();
    let mut done = Vec::new();
    loop {
        while running.len() < limit.max(1) {
            let Some(task) = waiting.next() else { break };
            running.push(task);
        }
        match running.next().await {
            Some(output) => done.push(output),
            None => return done,
        }
    }
}

pub(super) async fn disconnect(session: &Session) {
    // Best effort: the peer may already be gone; dropping the handle closes the rest.
    let _ = session
        .disconnect(Disconnect::ByApplication, "", "en")
        .await;
}
