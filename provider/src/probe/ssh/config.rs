//! The `ssh` settings of the data source, and their checked form: the private key decoded and
//! known_hosts parsed once, before the first connection.

use std::fmt;
use std::sync::Arc;

use russh::keys::PrivateKey;

use super::known_hosts::KnownHosts;
use super::SshError;

/// User name on the bastion and on the hosts unless configured: the Amazon Linux default.
pub const DEFAULT_USER: &str = "ec2-user";
/// SSH port of the bastion and of every host unless configured.
pub const DEFAULT_PORT: u16 = 22;

/// How to reach the hosts through an SSH bastion; mirrors the data source's `ssh` attribute.
///
/// `Debug` never shows `private_key`; nothing in this module logs it or puts it in an error.
#[derive(Clone, PartialEq, Eq)]
pub struct SshConfig {
    /// Address (IPv4, IPv6 with or without brackets, or DNS name) of the bastion, as seen
    /// from the machine running Terraform.
    pub bastion_address: String,
    /// User on the bastion (default [`DEFAULT_USER`]).
    pub bastion_user: String,
    /// User on every host (default [`DEFAULT_USER`]).
    pub user: String,
    /// Unencrypted private key, OpenSSH or PEM text, used for the bastion and every host.
    pub private_key: String,
    /// SSH port of the bastion and of every host (default [`DEFAULT_PORT`]).
    pub port: u16,
    /// Text of a known_hosts file with the keys of the bastion and of every host (plain or
    /// hashed names, `[host]:port` for other ports). Required unless
    /// `insecure_ignore_host_keys`.
    pub known_hosts: String,
    /// Accept any host key (lab use only); the run then reports that verification was off.
    pub insecure_ignore_host_keys: bool,
}

impl SshConfig {
    /// A configuration with the defaults for everything but the bastion and the key.
    pub fn new(bastion_address: impl Into<String>, private_key: impl Into<String>) -> Self {
        Self {
            bastion_address: bastion_address.into(),
            bastion_user: DEFAULT_USER.to_string(),
            user: DEFAULT_USER.to_string(),
            private_key: private_key.into(),
            port: DEFAULT_PORT,
            known_hosts: String::new(),
            insecure_ignore_host_keys: false,
        }
    }

    /// Checks everything that can be checked without a network: what `SshProber::new` does,
    /// exposed so a data source can report bad settings at validation time.
    pub fn check(&self) -> Result<(), SshError> {
        Checked::from_config(self).map(|_| ())
    }
}

impl fmt::Debug for SshConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SshConfig")
            .field("bastion_address", &self.bastion_address)
            .field("bastion_user", &self.bastion_user)
            .field("user", &self.user)
            .field("private_key", &"<redacted>")
            .field("port", &self.port)
            .field("known_hosts", &self.known_hosts)
            .field("insecure_ignore_host_keys", &self.insecure_ignore_host_keys)
            .finish()
    }
}

/// How host keys are judged.
pub(crate) enum HostKeyPolicy {
    Verify(KnownHosts),
    AcceptAny,
}

/// The configuration after checking. Deliberately not `Debug`: it holds the decoded key.
pub(crate) struct Checked {
    pub(crate) bastion_address: String,
    pub(crate) bastion_user: String,
    pub(crate) user: String,
    pub(crate) port: u16,
    pub(crate) key: Arc<PrivateKey>,
    pub(crate) host_keys: HostKeyPolicy,
}

impl Checked {
    pub(crate) fn from_config(config: &SshConfig) -> Result<Self, SshError> {
        let required = [
            ("bastion_address", &config.bastion_address),
            ("bastion_user", &config.bastion_user),
            ("user", &config.user),
        ];
        for (attribute, value) in required {
            if value.trim().is_empty() {
                return Err(SshError::Config(format!(
                    "ssh.{attribute} is empty; give a non-empty value."
                )));
            }
        }
        if config.port == 0 {
            return Err(SshError::Config(
                "ssh.port is 0; give the SSH port of the bastion and the hosts (usually 22)."
                    .to_string(),
            ));
        }
        register_key_for_redaction(&config.private_key);
        let key = decode_key(&config.private_key)?;
        let host_keys = if config.insecure_ignore_host_keys {
            HostKeyPolicy::AcceptAny
        } else {
            let known_hosts = KnownHosts::parse(&config.known_hosts)?;
            if known_hosts.is_empty() {
                return Err(SshError::Config(
                    "ssh.known_hosts has no entries, so no host key can be verified. Give the \
                     known_hosts lines of the bastion and of every host (for example from \
                     `ssh-keyscan`, after checking their fingerprints), or set \
                     insecure_ignore_host_keys = true in a lab."
                        .to_string(),
                ));
            }
            HostKeyPolicy::Verify(known_hosts)
        };
        Ok(Self {
            bastion_address: bare_address(&config.bastion_address),
            bastion_user: config.bastion_user.clone(),
            user: config.user.clone(),
            port: config.port,
            key: Arc::new(key),
            host_keys,
        })
    }
}

/// The bastion's address to connect to: trimmed, and an IPv6 literal without the brackets
/// of URL and known_hosts notation (`[2001:db8::9]`), which a socket address does not take.
fn bare_address(address: &str) -> String {
    let address = address.trim();
    let inside = address
        .strip_prefix('[')
        .and_then(|rest| rest.strip_suffix(']'))
        .filter(|inside| inside.parse::<std::net::Ipv6Addr>().is_ok());
    inside.unwrap_or(address).to_string()
}

/// Decodes the private key. Errors describe the problem, never the key text.
fn decode_key(text: &str) -> Result<PrivateKey, SshError> {
    let reason = if text.trim().is_empty() {
        "it is empty".to_string()
    } else {
        match russh::keys::decode_secret_key(text, None) {
            Ok(key) => return Ok(key),
            Err(russh::keys::Error::KeyIsEncrypted) => {
                "it is encrypted with a passphrase, which is not supported".to_string()
            }
            Err(error) => format!("it could not be decoded ({error})"),
        }
    };
    Err(SshError::PrivateKey { reason })
}

/// The key, and each line of it (a log could show one line of a PEM block), are removed
/// from every log line from now on.
fn register_key_for_redaction(private_key: &str) {
    tfplugin::logging::redact::register_secret(private_key.trim());
    for line in private_key.lines().map(str::trim) {
        // Header lines ("-----BEGIN ... KEY-----") are not secret; base64 lines are.
        if line.len() >= 16 && !line.starts_with("-----") {
            tfplugin::logging::redact::register_secret(line);
        }
    }
}
