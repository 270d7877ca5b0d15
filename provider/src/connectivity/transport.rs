//! Where probes come from: `local` (ICMP from the machine running Terraform) or `ssh` (the
//! system `ping` on each source host, reached through a bastion). This module checks
//! `transport`, `ssh` and `sources`, and runs the SSH transport behind a trait so the data
//! source can be tested without a network.

use std::collections::BTreeMap;
use std::fmt;
use std::net::IpAddr;

use futures::future::BoxFuture;
use serde::{Deserialize, Serialize};
use tfplugin::diag::{AttributePath, Diagnostic, Diagnostics};
use tfplugin::value::Value;
use tokio_util::sync::CancellationToken;

use crate::checks::{int_in_range, known_str};
use crate::probe::ssh::{SshConfig, SshError, SshProber, SshRun, DEFAULT_PORT, DEFAULT_USER};
use crate::probe::{Echo, LOCAL_SOURCE};

pub const LOCAL: &str = "local";
pub const SSH: &str = "ssh";

/// The `ssh` attribute as written (null where omitted). `Debug` hides the private key.
#[derive(Clone, Default, Deserialize, Serialize)]
pub(super) struct SshSettings {
    pub bastion_address: Option<String>,
    pub bastion_user: Option<String>,
    pub user: Option<String>,
    pub private_key: Option<String>,
    pub port: Option<i64>,
    pub known_hosts: Option<String>,
    pub insecure_ignore_host_keys: Option<bool>,
}

impl fmt::Debug for SshSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        SshConfig::from(self).fmt(f)
    }
}

impl From<&SshSettings> for SshConfig {
    /// The settings with their defaults; values out of range were rejected by [`check`].
    fn from(s: &SshSettings) -> Self {
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        SshConfig {
            bastion_address: text(&s.bastion_address),
            bastion_user: s.bastion_user.clone().unwrap_or(DEFAULT_USER.into()),
            user: s.user.clone().unwrap_or(DEFAULT_USER.into()),
            private_key: text(&s.private_key),
            port: s
                .port
                .map_or(DEFAULT_PORT, |p| u16::try_from(p).unwrap_or(0)),
            known_hosts: text(&s.known_hosts),
            insecure_ignore_host_keys: s.insecure_ignore_host_keys.unwrap_or(false),
        }
    }
}

/// Runs a probe matrix over SSH; [`SystemSsh`] is the real one.
pub trait SshTransport: Send + Sync {
    fn probe_matrix<'a>(
        &'a self,
        config: &'a SshConfig,
        sources: &'a BTreeMap<String, IpAddr>,
        targets: &'a BTreeMap<String, IpAddr>,
        echo: &'a Echo,
        cancel: &'a CancellationToken,
    ) -> BoxFuture<'a, Result<SshRun, SshError>>;
}

/// The SSH transport of [`crate::probe::ssh`].
pub struct SystemSsh;

impl SshTransport for SystemSsh {
    fn probe_matrix<'a>(
        &'a self,
        config: &'a SshConfig,
        sources: &'a BTreeMap<String, IpAddr>,
        targets: &'a BTreeMap<String, IpAddr>,
        echo: &'a Echo,
        cancel: &'a CancellationToken,
    ) -> BoxFuture<'a, Result<SshRun, SshError>> {
        Box::pin(async move {
            let prober = SshProber::new(config)?;
            prober.probe_matrix(sources, targets, echo, cancel).await
        })
    }
}

fn root(name: &str) -> AttributePath {
    AttributePath::root(name)
}

/// Checks `transport`, `ssh` and `sources` against each other and `hosts`; skips what is
/// not known yet.
pub(super) fn check_transport(config: &Value, diags: &mut Diagnostics) {
    let transport = config.get("transport");
    let ssh = config.get("ssh");
    let is_ssh = match known_str(transport) {
        None if transport.is_unknown() => return,
        None | Some(LOCAL) => false,
        Some(SSH) => true,
        Some(other) => {
            diags.error_at(
                root("transport"),
                "Invalid transport",
                format!("transport is {other:?}; use \"local\" (ICMP from the machine running Terraform) or \"ssh\" (the system ping on each host, through ssh.bastion_address)."),
            );
            return;
        }
    };
    if is_ssh && ssh.is_null() {
        diags.error_at(
            root("ssh"),
            "Missing ssh settings",
            "transport = \"ssh\" needs ssh = { bastion_address = \"...\", private_key = file(\"...\"), known_hosts = file(\"...\") }.",
        );
    }
    if !is_ssh && !ssh.is_null() {
        diags.error_at(
            root("ssh"),
            "ssh is set but transport is \"local\"",
            "Probes come from the machine running Terraform unless transport = \"ssh\". Set transport = \"ssh\" to probe from the hosts through the bastion, or remove ssh.",
        );
    }
    if is_ssh && !ssh.is_null() && !ssh.is_unknown() {
        check_ssh(ssh, diags);
    }
    check_sources(config, is_ssh, diags);
}

fn check_ssh(ssh: &Value, diags: &mut Diagnostics) {
    let at = |name: &str| root("ssh").attr(name);
    int_in_range(ssh.get("port"), at("port"), 1, 65_535, diags);
    for name in ["bastion_address", "bastion_user", "user"] {
        if known_str(ssh.get(name)).is_some_and(|v| v.trim().is_empty()) {
            diags.error_at(
                at(name),
                format!("Empty ssh.{name}"),
                format!("ssh.{name} is empty; give a value or remove it to use the default."),
            );
        }
    }
    if !ssh.is_wholly_known() || diags.has_errors() {
        return;
    }
    let Ok(settings) = ssh.decode::<SshSettings>() else {
        return;
    };
    if let Err(e) = SshConfig::from(&settings).check() {
        diags.push(ssh_error(e));
    }
}

fn check_sources(config: &Value, is_ssh: bool, diags: &mut Diagnostics) {
    let Some(list) = config.get("sources").as_list() else {
        return;
    };
    let hosts = config.get("hosts");
    if list.is_empty() {
        diags.error_at(
            root("sources"),
            "No sources",
            "sources is empty; list at least one host to probe from, or remove sources to probe from every host.",
        );
    }
    let mut seen = Vec::new();
    for (i, item) in list.iter().enumerate() {
        let path = root("sources").index(i as i64);
        let Some(name) = known_str(item) else {
            continue;
        };
        if seen.contains(&name) {
            diags.error_at(
                path,
                "Duplicate source",
                format!("{name:?} is listed twice in sources; list each host once."),
            );
            continue;
        }
        seen.push(name);
        if !is_ssh {
            if name != LOCAL_SOURCE {
                diags.error_at(path, "Source needs transport = \"ssh\"", format!("With transport = \"local\" probes come from the machine running Terraform, so sources can only be [\"local\"], not {name:?}. Set transport = \"ssh\" to probe from the hosts."));
            }
            continue;
        }
        let Some(map) = hosts.as_map() else { continue };
        if !map.contains_key(name) {
            let names: Vec<&String> = map.keys().collect();
            diags.error_at(path, "Unknown source", format!("sources names {name:?}, which is not a key of hosts ({names:?}); sources are host names."));
        }
    }
}

/// The sources to probe from: `sources` as given, else every host (ssh) or `local`.
pub(super) fn sources_of(
    configured: Option<&[String]>,
    hosts: &BTreeMap<String, IpAddr>,
) -> BTreeMap<String, IpAddr> {
    match configured {
        Some(names) => hosts
            .iter()
            .filter(|(name, _)| names.contains(name))
            .map(|(name, ip)| (name.clone(), *ip))
            .collect(),
        None => hosts.clone(),
    }
}

/// An [`SshError`] as a diagnostic on the attribute to fix. Never contains the key.
pub(super) fn ssh_error(e: SshError) -> Diagnostic {
    let at = |name: &str| root("ssh").attr(name);
    let detail = e.to_string();
    let (summary, attribute) = match &e {
        SshError::Config(message) => {
            let path = attribute_named(message).map_or_else(|| root("ssh"), at);
            return Diagnostic::error("Invalid ssh settings", detail).at(path);
        }
        SshError::Cancelled { .. } => {
            return Diagnostic::error(
                "Probing interrupted",
                format!("{detail}; run again to get a complete matrix."),
            )
        }
        SshError::PrivateKey { .. } => ("Invalid ssh.private_key", "private_key"),
        SshError::BastionUnreachable { .. } => ("Cannot reach the SSH bastion", "bastion_address"),
        SshError::BastionHostKey { .. } => ("SSH bastion host key not trusted", "known_hosts"),
        SshError::BastionAuthRefused { .. } => ("SSH bastion refused the key", "private_key"),
        SshError::HostKey { .. } => ("SSH host key not trusted", "known_hosts"),
        SshError::HostAuthRefused { .. } => ("SSH host refused the key", "private_key"),
    };
    Diagnostic::error(summary, detail).at(at(attribute))
}

/// `known_hosts` from "ssh.known_hosts line 3 ...".
fn attribute_named(message: &str) -> Option<&str> {
    let rest = message.strip_prefix("ssh.")?;
    let end = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    (end > 0).then(|| &rest[..end])
}
