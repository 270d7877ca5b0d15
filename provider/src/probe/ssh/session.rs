//! One SSH connection with russh: host key check, public key authentication, and running a
//! command. The transport is any byte stream: a TCP socket to the bastion, or a direct-tcpip
//! channel through it to a host.

use std::borrow::Cow;
use std::sync::Arc;
use std::time::Duration;

use russh::client::{self, AuthResult, Handle};
use russh::keys::{HashAlg, PrivateKeyWithHashAlg, PublicKey};
use russh::{ChannelMsg, Preferred};
use tokio::io::{AsyncRead, AsyncWrite};

use super::config::{Checked, HostKeyPolicy};
use super::known_hosts::Verdict;

/// An authenticated connection.
pub(crate) type Session = Handle<HostKeyCheck>;

/// Why a connection could not be set up.
#[derive(Debug)]
pub(crate) enum Failure {
    /// The host's key is not the one known_hosts has for it.
    HostKey(HostKeyProblem),
    /// The host refused the private key for this user.
    AuthRefused,
    /// Any other SSH or transport failure.
    Ssh(russh::Error),
}

impl From<russh::Error> for Failure {
    fn from(error: russh::Error) -> Self {
        Failure::Ssh(error)
    }
}

/// A host key known_hosts does not vouch for, with what the host presented.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HostKeyProblem {
    pub(crate) verdict: Verdict,
    /// `ssh-ed25519 SHA256:...`
    pub(crate) fingerprint: String,
    /// A known_hosts line that would trust the presented key (`NAME KEYTYPE BASE64`).
    pub(crate) known_hosts_line: String,
}

impl HostKeyProblem {
    /// What is wrong and what to do about it, for host `host` (e.g. "the bastion 203.0.113.9").
    pub(crate) fn describe(&self, host: &str) -> String {
        let presented = format!("{host} presented the host key {}", self.fingerprint);
        let trusting_line = &self.known_hosts_line;
        match &self.verdict {
            Verdict::Unknown => format!(
                "{presented}, which is not in ssh.known_hosts; after checking that fingerprint on \
                 the host, add the line `{trusting_line}`"
            ),
            Verdict::Changed { lines } => format!(
                "{presented}, which does not match ssh.known_hosts (line {}): the host was \
                 replaced or someone is intercepting the connection; if the host was rebuilt, \
                 replace that line with `{trusting_line}` after checking the fingerprint",
                join(lines),
            ),
            Verdict::Revoked { line } => format!(
                "{presented}, which is marked @revoked in ssh.known_hosts (line {line}); the \
                 host needs a new key"
            ),
            Verdict::Trusted => format!("{presented}, which ssh.known_hosts trusts"),
        }
    }
}

fn join(lines: &[usize]) -> String {
    lines
        .iter()
        .map(usize::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The russh handler: judges the server's key; a key it does not trust ends the handshake
/// with [`Failure::HostKey`].
pub(crate) struct HostKeyCheck {
    checked: Arc<Checked>,
    /// Names the host may be recorded under in known_hosts.
    names: Vec<String>,
}

impl client::Handler for HostKeyCheck {
    type Error = Failure;

    async fn check_server_key(&mut self, key: &PublicKey) -> Result<bool, Failure> {
        let HostKeyPolicy::Verify(known_hosts) = &self.checked.host_keys else {
            return Ok(true);
        };
        let names: Vec<&str> = self.names.iter().map(String::as_str).collect();
        let verdict = known_hosts.verify(&names, self.checked.port, key);
        if verdict == Verdict::Trusted {
            return Ok(true);
        }
        let name = super::known_hosts::lookup_name(&self.names[0], self.checked.port);
        let key_text = key.to_openssh().unwrap_or_default();
        let key_text = key_text.split_whitespace().take(2).collect::<Vec<_>>();
        Err(Failure::HostKey(HostKeyProblem {
            verdict,
            fingerprint: format!(
                "{} {}",
                key.algorithm().as_str(),
                key.fingerprint(HashAlg::Sha256)
            ),
            known_hosts_line: format!("{name} {}", key_text.join(" ")),
        }))
    }
}

/// Runs the SSH handshake over `stream` with the host known as `names` (the first is the
/// one shown in messages), then authenticates as `user` with the configured key.
pub(crate) async fn open<S>(
    stream: S,
    checked: &Arc<Checked>,
    names: Vec<String>,
    user: &str,
) -> Result<Session, Failure>
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let mut preferred = Preferred::default();
    if let HostKeyPolicy::Verify(known_hosts) = &checked.host_keys {
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let keys = known_hosts.preferred_algorithms(&names, checked.port, &preferred.key);
        preferred.key = Cow::Owned(keys);
    }
    let config = Arc::new(client::Config {
        preferred,
        nodelay: true,
        ..client::Config::default()
    });
    let handler = HostKeyCheck {
        checked: Arc::clone(checked),
        names,
    };
    let mut session = client::connect_stream(config, stream, handler).await?;
    let key = Arc::clone(&checked.key);
    let hash = if key.algorithm().is_rsa() {
        // None: the server did not list its signature algorithms; every OpenSSH since 7.2
        // takes rsa-sha2-256.
        session
            .best_supported_rsa_hash()
            .await?
            .unwrap_or(Some(HashAlg::Sha256))
    } else {
        None
    };
    let key = PrivateKeyWithHashAlg::new(key, hash);
    match session.authenticate_publickey(user, key).await? {
        AuthResult::Success => Ok(session),
        AuthResult::Failure { .. } => Err(Failure::AuthRefused),
    }
}

/// What a remote command printed and how it ended.
#[derive(Debug, Default)]
pub(crate) struct CommandOutput {
    pub(crate) stdout: String,
    pub(crate) stderr: String,
    /// `None` when the command ended without a status (killed by a signal, the channel
    /// closed first, or it was stopped at its deadline).
    pub(crate) exit_status: Option<u32>,
    /// The deadline passed first: the output is what arrived until then.
    pub(crate) timed_out: bool,
}

/// Runs `command` in a new session channel of `session` and collects up to `limit` bytes of
/// each stream. At `deadline` the channel is dropped and what arrived so far is returned,
/// so the lines a long command printed before it was stopped still count.
pub(crate) async fn run_command(
    session: &Session,
    command: &str,
    limit: usize,
    deadline: Duration,
) -> Result<CommandOutput, russh::Error> {
    let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
    let mut exit_status = None;
    let collect = async {
        let mut channel = session.channel_open_session().await?;
        channel.exec(true, command).await?;
        while let Some(message) = channel.wait().await {
            match message {
                ChannelMsg::Data { data } => append(&mut stdout, &data, limit),
                ChannelMsg::ExtendedData { data, ext: 1 } => append(&mut stderr, &data, limit),
                ChannelMsg::ExitStatus { exit_status: code } => exit_status = Some(code),
                ChannelMsg::Failure => return Err(russh::Error::RequestDenied),
                _ => {}
            }
        }
        Ok(())
    };
    let timed_out = match tokio::time::timeout(deadline, collect).await {
        Ok(Err(error)) => return Err(error),
        Ok(Ok(())) => false,
        Err(_) => true,
    };
    Ok(CommandOutput {
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
        exit_status,
        timed_out,
    })
}

fn append(buffer: &mut Vec<u8>, data: &[u8], limit: usize) {
    let room = limit.saturating_sub(buffer.len());
    buffer.extend_from_slice(&data[..data.len().min(room)]);
}
