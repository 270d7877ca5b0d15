//! One source's part of a run: its SSH session through the bastion, and its probes over it
//! (see [`super::probes`]).

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::sync::atomic::Ordering;

use russh::ChannelOpenFailure;

use super::run::{disconnect, RunCounters, SshProber};
use super::session::{self, Failure, Session};
use super::{SshError, SshProbeResult};
use crate::probe::Echo;
use crate::wording::seconds;

impl SshProber {
    /// All probes of one source over one connection and one remote command; every pair gets
    /// a row, also when the source cannot be reached. Only a host key or key refusal stops
    /// the run.
    pub(super) async fn probe_source(
        &self,
        bastion: &Session,
        counters: &RunCounters,
        source: &str,
        address: IpAddr,
        targets: &BTreeMap<String, IpAddr>,
        echo: &Echo,
    ) -> Result<Vec<SshProbeResult>, SshError> {
        let pairs: Vec<(&String, IpAddr)> = targets
            .iter()
            .filter(|(target, _)| *target != source)
            .map(|(target, &target_address)| (target, target_address))
            .collect();
        if pairs.is_empty() {
            return Ok(Vec::new());
        }
        let connected = tokio::time::timeout(
            self.connect_timeout,
            self.connect_source(bastion, counters, source, address),
        )
        .await
        .unwrap_or_else(|_| {
            Err(Unreached::Cause(format!(
                "no SSH session with {source} ({address}) through the bastion within {}",
                seconds(self.connect_timeout)
            )))
        });
        let session = match connected {
            Ok(session) => session,
            Err(Unreached::Fatal(error)) => return Err(error),
            Err(Unreached::Cause(cause)) => {
                counters
                    .finished_pairs
                    .fetch_add(pairs.len(), Ordering::SeqCst);
                return Ok(pairs
                    .into_iter()
                    .map(|(target, target_address)| {
                        SshProbeResult::not_probed(source, target, target_address, cause.clone())
                    })
                    .collect());
            }
        };
        let results = self.probe_all(&session, source, &pairs, echo).await;
        counters
            .finished_pairs
            .fetch_add(pairs.len(), Ordering::SeqCst);
        disconnect(&session).await;
        Ok(results)
    }

    /// The SSH session with `source`, or why there is none.
    async fn connect_source(
        &self,
        bastion: &Session,
        counters: &RunCounters,
        source: &str,
        address: IpAddr,
    ) -> Result<Session, Unreached> {
        let port = self.checked.port;
        let tunnel = bastion
            .channel_open_direct_tcpip(address.to_string(), u32::from(port), "127.0.0.1", 0)
            .await
            .map_err(|error| Unreached::Cause(tunnel_cause(source, address, port, &error)))?;
        self.count_connection(counters);
        let user = &self.checked.user;
        let host = format!("{source} ({address})");
        session::open(
            tunnel.into_stream(),
            &self.checked,
            vec![address.to_string()],
            user,
        )
        .await
        .map_err(|failure| match failure {
            Failure::HostKey(problem) => Unreached::Fatal(SshError::HostKey {
                problem: problem.describe(&host),
                host,
            }),
            Failure::AuthRefused => Unreached::Fatal(SshError::HostAuthRefused {
                host,
                user: user.clone(),
            }),
            Failure::Ssh(error) => Unreached::Cause(format!(
                "SSH with {host} through the bastion failed: {error}"
            )),
        })
    }
}

/// Why a source has no session: it cannot be reached (the cause of its rows: data, like a
/// stopped instance), or it must not be used (a host key that does not match, a refused
/// key: the run stops, as for the bastion).
enum Unreached {
    Cause(String),
    Fatal(SshError),
}

fn tunnel_cause(source: &str, address: IpAddr, port: u16, error: &russh::Error) -> String {
    match error {
        russh::Error::ChannelOpenFailure(ChannelOpenFailure::ConnectFailed) => format!(
            "the bastion could not connect to {source} ({address}) port {port}: check that the \
             host is running sshd and that its security group allows SSH from the bastion"
        ),
        russh::Error::ChannelOpenFailure(ChannelOpenFailure::AdministrativelyProhibited) => {
            format!(
                "the bastion refused to forward to {source} ({address}) port {port}: allow TCP \
                 forwarding on the bastion (sshd AllowTcpForwarding yes)"
            )
        }
        other => format!(
            "the bastion did not open a tunnel to {source} ({address}) port {port}: {other}"
        ),
    }
}
