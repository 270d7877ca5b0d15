//! Data source `peering_connectivity`: probes every host with ICMP echo, from the machine
//! Terraform runs on or, with `transport = "ssh"`, from every source host through a bastion
//! ([`transport`]), and reports a matrix. Unreachable is data; only misuse is an error.
//! Each result is judged against the mesh topology ([`expect`]), failures are explained
//! ([`diagnosis`], from the EC2 facts of `mesh_id` when given: [`ec2_facts`]) and the
//! matrix is drawn as a Mermaid chart.

pub mod diagnosis;
mod ec2_facts;
pub mod expect;
mod mermaid;
mod schema;
mod state;
#[cfg(test)]
mod tests;
pub mod transport;

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use tfplugin::diag::{AttributePath, Diagnostic, Diagnostics};
use tfplugin::provider::{Context, DataSource};
use tfplugin::schema::Schema;
use tfplugin::value::Value;

use crate::checks::{int_in_range, known_str};
use crate::config::ProviderConfig;
use crate::ec2::access::Ec2Access;
use crate::probe::ssh::{SshConfig, UNVERIFIED_HOST_KEYS_WARNING};
use crate::probe::{probe_matrix, Echo, ProbeError, Prober, LOCAL_SOURCE};
use ec2_facts::read_facts;
use expect::check_expectations;
use state::{Config, Probed};
use transport::{check_transport, sources_of, ssh_error, SshTransport, SystemSsh};

pub const TYPE_NAME: &str = "peering_connectivity";
pub const DEFAULT_ECHO_COUNT: i64 = 2;
pub const DEFAULT_TIMEOUT_MS: i64 = 1000;
/// Targets probed at once. Probes are cheap (one socket each); the bound only keeps a
/// huge host map from exhausting file descriptors.
const PROBE_CONCURRENCY: usize = 256;

pub struct Connectivity {
    prober: Arc<dyn Prober>,
    ssh: Arc<dyn SshTransport>,
    /// The provider's EC2 client, for `mesh_id`; None: facts are never read.
    ec2: Option<Arc<Ec2Access<ProviderConfig>>>,
}

impl Connectivity {
    pub fn new(prober: Arc<dyn Prober>) -> Self {
        Connectivity {
            prober,
            ssh: Arc::new(SystemSsh),
            ec2: None,
        }
    }

    /// Probes through `ssh` instead of the real SSH transport (tests).
    pub fn with_ssh(mut self, ssh: Arc<dyn SshTransport>) -> Self {
        self.ssh = ssh;
        self
    }

    /// Reads the EC2 facts of `mesh_id` through the provider's client.
    pub fn with_ec2(mut self, access: Arc<Ec2Access<ProviderConfig>>) -> Self {
        self.ec2 = Some(access);
        self
    }
}

/// Parses and checks `hosts`; returns the addresses when every known one is valid.
fn check_hosts(hosts: &Value, diags: &mut Diagnostics) -> Option<BTreeMap<String, IpAddr>> {
    let map = hosts.as_map()?;
    if map.is_empty() {
        diags.error_at(
            AttributePath::root("hosts"),
            "No hosts to probe",
            "hosts is empty; give at least one host, e.g. hosts = { production = \"10.1.2.249\" }.",
        );
        return None;
    }
    let mut parsed = BTreeMap::new();
    let mut seen: BTreeMap<IpAddr, &str> = BTreeMap::new();
    let mut complete = true;
    for (name, value) in map {
        let path = AttributePath::root("hosts").key(name.clone());
        if name.trim().is_empty() || name.contains("->") {
            diags.error_at(
                path.clone(),
                "Invalid host name",
                format!("Host name {name:?} must be non-empty and must not contain \"->\" (used in `unreachable` entries)."),
            );
        }
        let Some(text) = known_str(value) else {
            complete &= !value.is_unknown();
            if value.is_null() {
                diags.error_at(
                    path,
                    "Missing address",
                    format!("Host {name:?} has no address; give an IPv4 or IPv6 address."),
                );
            }
            continue;
        };
        let addr = match text.parse::<IpAddr>() {
            Ok(a) => a,
            Err(_) => {
                diags.error_at(
                    path,
                    "Invalid host address",
                    format!(
                        "hosts[{name:?}] is {text:?}, which is not an IPv4 or IPv6 address. Use a literal address such as \"10.1.2.249\" or \"fd00::1\"; host names are not resolved."
                    ),
                );
                continue;
            }
        };
        if addr.is_unspecified()
            || addr.is_multicast()
            || addr == IpAddr::from([255, 255, 255, 255])
        {
            diags.error_at(
                path,
                "Address cannot be probed",
                format!("hosts[{name:?}] is {text:?}: unspecified, multicast and broadcast addresses cannot answer an echo; use the host's own address."),
            );
            continue;
        }
        if let Some(first) = seen.get(&addr) {
            diags.error_at(
                path,
                "Duplicate host address",
                format!("hosts[{first:?}] and hosts[{name:?}] both have address {addr}; each host needs its own address. Remove one of them."),
            );
            continue;
        }
        seen.insert(addr, name);
        parsed.insert(name.clone(), addr);
    }
    (complete && !diags.has_errors()).then_some(parsed)
}

fn check_settings(config: &Value, diags: &mut Diagnostics) {
    int_in_range(
        config.get("echo_count"),
        AttributePath::root("echo_count"),
        1,
        100,
        diags,
    );
    int_in_range(
        config.get("timeout_ms"),
        AttributePath::root("timeout_ms"),
        1,
        60_000,
        diags,
    );
}

/// The host addresses and the decoded configuration, when every check passes and every
/// value is known.
fn checked_config(
    config: &Value,
    diags: &mut Diagnostics,
) -> Option<(BTreeMap<String, IpAddr>, Config)> {
    check_settings(config, diags);
    check_expectations(config, diags);
    check_transport(config, diags);
    let hosts = check_hosts(config.get("hosts"), diags);
    let Some(hosts) = hosts.filter(|_| !diags.has_errors()) else {
        if !diags.has_errors() {
            diags.push(Diagnostic::error(
                "hosts is not known",
                "Every host address must be known before probing.",
            ));
        }
        return None;
    };
    let cfg = config
        .decode()
        .map_err(|e| diags.push(e.diagnostic("Configuration is not fully known", e.to_string())));
    Some((hosts, cfg.ok()?))
}

fn echo_of(cfg: &Config) -> Echo {
    Echo {
        count: cfg.echo_count() as u32,
        timeout: Duration::from_millis(cfg.timeout_ms() as u64),
    }
}

fn probe_error(e: ProbeError) -> Diagnostic {
    match e {
        ProbeError::Permission(msg) => Diagnostic::error("Cannot send ICMP from this machine", msg),
        ProbeError::Cancelled { .. } => Diagnostic::error(
            "Probing interrupted",
            format!("{e}; run again to get a complete matrix."),
        ),
        other => Diagnostic::error("Probing failed", other.to_string()),
    }
}

impl Connectivity {
    /// Probes the matrix with the configured transport. Warnings (unverified host keys)
    /// go to `diags`; an error that stops the run is returned.
    async fn probe(
        &self,
        cfg: &Config,
        hosts: &BTreeMap<String, IpAddr>,
        echo: &Echo,
        ctx: &Context,
        diags: &mut Diagnostics,
    ) -> Result<Probed, Diagnostic> {
        let Some(settings) = cfg
            .ssh
            .as_ref()
            .filter(|_| cfg.transport() == transport::SSH)
        else {
            tracing::info!(
                hosts = hosts.len(),
                ?echo,
                "probing connectivity from this machine"
            );
            let results = probe_matrix(
                self.prober.as_ref(),
                hosts,
                echo,
                PROBE_CONCURRENCY,
                &ctx.cancel,
            )
            .await
            .map_err(probe_error)?;
            return Ok(Probed {
                not_probed: vec![None; results.len()],
                results,
                sources: vec![LOCAL_SOURCE.to_string()],
            });
        };
        let config = SshConfig::from(settings);
        let sources = sources_of(cfg.sources.as_deref(), hosts);
        tracing::info!(
            sources = sources.len(),
            targets = hosts.len(),
            ?config,
            ?echo,
            "probing connectivity over SSH"
        );
        let run = self
            .ssh
            .probe_matrix(&config, &sources, hosts, echo, &ctx.cancel)
            .await
            .map_err(ssh_error)?;
        tracing::info!(connections = run.connections_opened, "SSH probing done");
        if !run.host_keys_verified {
            diags.push(
                Diagnostic::warning("Host keys not verified", UNVERIFIED_HOST_KEYS_WARNING)
                    .at(AttributePath::root("ssh").attr("insecure_ignore_host_keys")),
            );
        }
        let (results, not_probed) = run.results.into_iter().map(|r| (r.result, r.cause)).unzip();
        Ok(Probed {
            results,
            not_probed,
            sources: sources.into_keys().collect(),
        })
    }
}

#[async_trait]
impl DataSource for Connectivity {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema::schema()
    }

    async fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        check_hosts(config.get("hosts"), diags);
        check_settings(config, diags);
        check_expectations(config, diags);
        check_transport(config, diags);
    }

    async fn read(&self, ctx: &Context, config: &Value, diags: &mut Diagnostics) -> Option<Value> {
        let (hosts, cfg) = checked_config(config, diags)?;
        let echo = echo_of(&cfg);
        let probing = self.probe(&cfg, &hosts, &echo, ctx, diags);
        let reading = read_facts(
            self.ec2.as_deref(),
            cfg.mesh_id.as_deref(),
            &hosts,
            &ctx.cancel,
        );
        let (probed, facts) = tokio::join!(probing, reading);
        let probed = probed.map_err(|d| diags.push(d)).ok()?;
        tracing::info!(
            pairs = probed.results.len(),
            unreachable = probed.results.iter().filter(|r| !r.reachable).count(),
            "probing done"
        );
        let snapshot = facts.unwrap_or_else(|warning| {
            diags.push(warning);
            None
        });
        let state = state::build(cfg, probed, snapshot.as_ref());
        Value::encode(&state, &self.schema().value_type())
            .map_err(|e| {
                diags.push(Diagnostic::error(
                    "Could not build the data source state",
                    e.to_string(),
                ))
            })
            .ok()
    }
}
