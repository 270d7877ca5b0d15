//! Probing from remote hosts through an SSH bastion: the transport behind the data source's
//! future `ssh` attribute, the reference experiment automated (SSH to the bastion, from there
//! to every server, `ping` every other server).
//!
//! [`SshProber`] opens one SSH connection to the bastion, then for each source host one
//! direct-tcpip channel through it to the host's SSH port and one SSH session over that
//! channel, and runs all of that source's probes over that session in one remote command
//! (a `sh` script starting the system `ping` once per target, all at once: see `batch`). Host keys are verified against `known_hosts` unless
//! `insecure_ignore_host_keys`.
//!
//! As with the local prober, unreachable is data: a target that does not answer is a row with
//! 100% loss, and a source that cannot be reached gives rows marked unreachable with a
//! `cause`. Only what stops the whole run is an [`SshError`]: bad settings, a bastion that
//! cannot be reached, and a bastion or source host that is not trusted or refuses the key.

mod batch;
mod config;
mod known_hosts;
mod ping;
mod probes;
mod run;
mod session;
mod source;

#[cfg(test)]
pub(crate) mod config_tests;
#[cfg(test)]
pub(crate) mod lab;
#[cfg(test)]
mod lab_ipv6_tests;
#[cfg(test)]
mod lab_scale_tests;
#[cfg(test)]
mod lab_tests;
#[cfg(test)]
mod run_tests;

pub use config::{SshConfig, DEFAULT_PORT, DEFAULT_USER};
pub use run::{SshProber, DEFAULT_CONNECT_TIMEOUT, DEFAULT_PROBES_PER_SOURCE, DEFAULT_SOURCES};

use std::net::IpAddr;

use super::PairResult;

/// Warning text for a run with `insecure_ignore_host_keys` (see [`SshRun::host_keys_verified`]).
pub const UNVERIFIED_HOST_KEYS_WARNING: &str = "insecure_ignore_host_keys is true: the host \
    keys of the bastion and of the hosts were not verified, so the connections could have \
    been intercepted. Give ssh.known_hosts and remove insecure_ignore_host_keys outside a lab.";

/// One row of the matrix, with why the pair could not be probed when it could not.
#[derive(Debug, Clone, PartialEq)]
pub struct SshProbeResult {
    pub result: PairResult,
    /// Set when the probe did not run (source unreachable over SSH, ping failed to start, ...):
    /// then `sent` is 0 and `reachable` false. `None` for every probe that ran, answered or not.
    pub cause: Option<String>,
}

impl SshProbeResult {
    /// A pair that could not be probed, for `cause`.
    pub(crate) fn not_probed(from: &str, to: &str, address: IpAddr, cause: String) -> Self {
        Self {
            result: PairResult {
                from: from.to_string(),
                to: to.to_string(),
                address,
                sent: 0,
                received: 0,
                loss_percent: 100.0,
                rtt_min_ms: None,
                rtt_avg_ms: None,
                rtt_max_ms: None,
                reachable: false,
            },
            cause: Some(cause),
        }
    }
}

/// What one [`SshProber::probe_matrix`] run produced.
#[derive(Debug, Clone, PartialEq)]
pub struct SshRun {
    /// One row per (source, target) pair with different names, sorted by `from`, then `to`.
    pub results: Vec<SshProbeResult>,
    /// False when `insecure_ignore_host_keys` was set: emit [`UNVERIFIED_HOST_KEYS_WARNING`].
    pub host_keys_verified: bool,
    /// SSH connections this run opened: the bastion's plus one per source reached.
    pub connections_opened: usize,
}

/// Why a run produced no matrix at all. Messages name the host and what to fix, and never
/// contain the private key.
#[derive(Debug, thiserror::Error)]
pub enum SshError {
    /// A setting is missing or malformed; the message names the attribute and the fix.
    #[error("{0}")]
    Config(String),
    #[error(
        "ssh.private_key cannot be used: {reason}. Give the unencrypted private key text in \
         OpenSSH or PEM format (e.g. the .pem file of the EC2 key pair)."
    )]
    PrivateKey { reason: String },
    #[error(
        "cannot open an SSH connection to the bastion {address} port {port}: {reason}. Check \
         ssh.bastion_address and ssh.port, that the bastion is running, and that its security \
         group allows SSH from this machine."
    )]
    BastionUnreachable {
        address: String,
        port: u16,
        reason: String,
    },
    /// The bastion's host key is unknown, changed or revoked; the message says which.
    #[error(
        "refusing to use the bastion: {problem}. Or set insecure_ignore_host_keys = true in a lab."
    )]
    BastionHostKey { problem: String },
    #[error(
        "the bastion {address} refused ssh.private_key for user {user:?}: check \
         ssh.bastion_user and that the key's public half is in that user's authorized_keys \
         (on EC2: that the bastion was launched with this key pair)."
    )]
    BastionAuthRefused { address: String, user: String },
    /// A source host's key is unknown, changed or revoked (the message says which): the run
    /// stops, since a changed key may mean the connection is intercepted.
    #[error("refusing to log in to {host}: {problem}. Or set insecure_ignore_host_keys = true in a lab.")]
    HostKey { host: String, problem: String },
    #[error(
        "{host} refused ssh.private_key for user {user:?}: check ssh.user and that the key's \
         public half is in that user's authorized_keys (on EC2: that the instance was launched \
         with this key pair)."
    )]
    HostAuthRefused { host: String, user: String },
    /// The run was cancelled; partial results are dropped, as by the local prober.
    #[error("probing over SSH cancelled after {completed} of {total} pairs finished")]
    Cancelled { completed: usize, total: usize },
}
