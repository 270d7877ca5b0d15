//! `transport = "ssh"` through the data source, with a scripted SSH transport: settings
//! reach the prober with their defaults, sources default to every host, unreachable sources
//! become causes, bastion problems become errors on the attribute to fix, and the private
//! key shows nowhere.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::future::BoxFuture;
use serde_json::json;
use tfplugin::diag::Diagnostics;
use tfplugin::provider::DataSource;
use tfplugin::value::Value;
use tokio_util::sync::CancellationToken;

use super::{config, ctx, data_source};
use crate::connectivity::transport::SshTransport;
use crate::connectivity::Connectivity;
use crate::probe::ssh::config_tests::{test_key_openssh, KNOWN_HOSTS};
use crate::probe::ssh::{SshConfig, SshError, SshProbeResult, SshRun};
use crate::probe::{Echo, PairResult, ProbeOutcome};

fn key_body(key: &str) -> String {
    key.lines().filter(|l| !l.starts_with("-----")).collect()
}

/// What the fake was asked, and what it answers.
#[derive(Default)]
struct Seen {
    config: Option<SshConfig>,
    sources: Vec<String>,
}

struct FakeSsh {
    seen: Mutex<Seen>,
    /// Sources that cannot be reached; every other pair answers in 0.5 ms.
    down: Vec<&'static str>,
    /// Pairs whose probes get no reply.
    lost: Vec<(&'static str, &'static str)>,
    error: Mutex<Option<SshError>>,
    verified: bool,
}

impl FakeSsh {
    fn new(down: Vec<&'static str>) -> Arc<Self> {
        Arc::new(FakeSsh {
            seen: Mutex::default(),
            down,
            lost: Vec::new(),
            error: Mutex::new(None),
            verified: true,
        })
    }
}

/// A pair that was probed with one echo request: answered in 0.5 ms, or lost.
fn row(from: &str, to: &str, address: IpAddr, answered: bool) -> SshProbeResult {
    let outcome = ProbeOutcome {
        sent: 1,
        received: u32::from(answered),
        rtts: if answered {
            vec![Duration::from_micros(500)]
        } else {
            Vec::new()
        },
    };
    SshProbeResult {
        result: PairResult::from_outcome(from, to, address, &outcome),
        cause: None,
    }
}

impl SshTransport for FakeSsh {
    fn probe_matrix<'a>(
        &'a self,
        config: &'a SshConfig,
        sources: &'a BTreeMap<String, IpAddr>,
        targets: &'a BTreeMap<String, IpAddr>,
        _echo: &'a Echo,
        _cancel: &'a CancellationToken,
    ) -> BoxFuture<'a, Result<SshRun, SshError>> {
        Box::pin(async move {
            let mut seen = self.seen.lock().unwrap();
            seen.config = Some(config.clone());
            seen.sources = sources.keys().cloned().collect();
            if let Some(error) = self.error.lock().unwrap().take() {
                return Err(error);
            }
            let mut results = Vec::new();
            for from in sources.keys() {
                for (to, address) in targets.iter().filter(|(to, _)| *to != from) {
                    results.push(if self.down.contains(&from.as_str()) {
                        let cause = format!("SSH with {from} through the bastion failed: timeout");
                        SshProbeResult::not_probed(from, to, *address, cause)
                    } else {
                        let lost = self.lost.contains(&(from.as_str(), to.as_str()));
                        row(from, to, *address, !lost)
                    });
                }
            }
            Ok(SshRun {
                results,
                host_keys_verified: self.verified,
                connections_opened: sources.len() + 1,
            })
        })
    }
}

fn ssh_source(fake: Arc<FakeSsh>) -> Connectivity {
    data_source(&[], false).with_ssh(fake)
}

fn hosts() -> serde_json::Value {
    json!({"a": "10.1.2.249", "b": "10.2.1.29", "c": "10.3.1.129"})
}

fn ssh_settings() -> serde_json::Value {
    json!({"bastion_address": "203.0.113.9", "private_key": test_key_openssh(), "known_hosts": KNOWN_HOSTS})
}

async fn read(ds: &Connectivity, j: serde_json::Value) -> (Option<Value>, Diagnostics) {
    let mut d = Diagnostics::new();
    let state = ds.read(&ctx(), &config(ds, j), &mut d).await;
    (state, d)
}

/// Reads the three hosts over SSH with the default settings; expects no diagnostics.
async fn read_clean(ds: &Connectivity) -> Value {
    let j = json!({"hosts": hosts(), "transport": "ssh", "ssh": ssh_settings()});
    let (state, d) = read(ds, j).await;
    assert!(d.is_empty(), "{d}");
    state.expect("state")
}

fn strings(v: &Value) -> Vec<&str> {
    v.as_list()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect()
}

#[tokio::test]
async fn ssh_probes_from_every_host_with_the_defaults() {
    let fake = FakeSsh::new(vec![]);
    let ds = ssh_source(fake.clone());
    let state = read_clean(&ds).await;
    let seen = fake.seen.lock().unwrap();
    let cfg = seen.config.as_ref().unwrap();
    assert_eq!(
        (cfg.bastion_user.as_str(), cfg.user.as_str(), cfg.port),
        ("ec2-user", "ec2-user", 22)
    );
    assert!(!cfg.insecure_ignore_host_keys);
    assert_eq!(seen.sources, ["a", "b", "c"]);
    assert_eq!(strings(state.get("sources")), ["a", "b", "c"]);
    assert_eq!(state.get("transport").as_str(), Some("ssh"));
    let results = state.get("results").as_list().unwrap();
    let pairs: Vec<String> = results
        .iter()
        .map(|r| {
            format!(
                "{}->{}",
                r.get("from").as_str().unwrap(),
                r.get("to").as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(pairs, ["a->b", "a->c", "b->a", "b->c", "c->a", "c->b"]);
    assert_eq!(state.get("all_reachable").as_bool(), Some(true));
    let report = state.get("report").as_str().unwrap();
    assert!(report.starts_with("from \\ to"), "{report}");
    assert!(report.contains("0.500"), "{report}");
}

#[tokio::test]
async fn an_unreachable_source_gives_results_with_the_ssh_error_as_cause() {
    let ds = ssh_source(FakeSsh::new(vec!["b"]));
    let settings = json!({"bastion_address": "203.0.113.9", "private_key": test_key_openssh(), "known_hosts": KNOWN_HOSTS, "user": "root", "port": 2222});
    let (state, d) = read(
        &ds,
        json!({"hosts": hosts(), "transport": "ssh", "ssh": settings, "sources": ["b", "c"]}),
    )
    .await;
    let state = state.expect("state");
    assert!(d.is_empty(), "{d}");
    assert_eq!(strings(state.get("sources")), ["b", "c"]);
    assert_eq!(strings(state.get("unreachable")), ["b->a", "b->c"]);
    let results = state.get("results").as_list().unwrap();
    let b_a = &results[0];
    assert_eq!(b_a.get("sent").as_i64(), Some(0));
    let cause = b_a.get("cause").as_str().unwrap();
    assert!(
        cause.starts_with("not probed: SSH with b through the bastion failed"),
        "{cause}"
    );
    assert!(state.get("report").as_str().unwrap().contains('?'));
}

#[tokio::test]
async fn unverified_host_keys_warn_on_the_attribute() {
    let fake = Arc::new(FakeSsh {
        verified: false,
        ..Arc::into_inner(FakeSsh::new(vec![])).unwrap()
    });
    let ds = ssh_source(fake);
    let settings = json!({"bastion_address": "203.0.113.9", "private_key": test_key_openssh(), "insecure_ignore_host_keys": true});
    let (state, d) = read(
        &ds,
        json!({"hosts": hosts(), "transport": "ssh", "ssh": settings}),
    )
    .await;
    assert!(state.is_some());
    assert_eq!(d.0.len(), 1, "{d}");
    assert!(!d.has_errors());
    assert_eq!(
        d.0[0].attribute.as_ref().unwrap().to_string(),
        "ssh.insecure_ignore_host_keys"
    );
    assert!(d.0[0].detail.contains("not verified"), "{d}");
}

#[tokio::test]
async fn bastion_problems_are_errors_on_the_attribute_to_fix() {
    let cases = [
        (
            SshError::BastionAuthRefused {
                address: "203.0.113.9".into(),
                user: "ec2-user".into(),
            },
            "ssh.private_key",
        ),
        (
            SshError::BastionHostKey {
                problem: "its key changed".into(),
            },
            "ssh.known_hosts",
        ),
        (
            SshError::HostKey {
                host: "b (10.2.1.29)".into(),
                problem: "its key changed".into(),
            },
            "ssh.known_hosts",
        ),
        (
            SshError::HostAuthRefused {
                host: "b (10.2.1.29)".into(),
                user: "ec2-user".into(),
            },
            "ssh.private_key",
        ),
        (
            SshError::BastionUnreachable {
                address: "203.0.113.9".into(),
                port: 22,
                reason: "refused".into(),
            },
            "ssh.bastion_address",
        ),
    ];
    for (error, path) in cases {
        let fake = FakeSsh::new(vec![]);
        *fake.error.lock().unwrap() = Some(error);
        let ds = ssh_source(fake);
        let (state, d) = read(
            &ds,
            json!({"hosts": hosts(), "transport": "ssh", "ssh": ssh_settings()}),
        )
        .await;
        assert!(state.is_none());
        assert_eq!(d.0.len(), 1, "{d}");
        assert_eq!(d.0[0].attribute.as_ref().unwrap().to_string(), path, "{d}");
        assert!(
            !d.to_string().contains(&key_body(&test_key_openssh())),
            "{d}"
        );
    }
}

async fn validate(j: serde_json::Value) -> Diagnostics {
    let ds = ssh_source(FakeSsh::new(vec![]));
    let mut d = Diagnostics::new();
    ds.validate(&config(&ds, j), &mut d).await;
    d
}

fn paths(d: &Diagnostics) -> Vec<String> {
    d.0.iter()
        .map(|x| {
            x.attribute
                .as_ref()
                .map(|p| p.to_string())
                .unwrap_or_default()
        })
        .collect()
}

#[tokio::test]
async fn transport_ssh_and_sources_are_checked_with_paths() {
    let with = |extra: serde_json::Value| {
        let mut j = json!({"hosts": hosts()});
        j.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        j
    };
    let cases = [
        (json!({"transport": "ftp"}), "transport"),
        (json!({"transport": "ssh"}), "ssh"),
        (json!({"ssh": ssh_settings()}), "ssh"),
        (json!({"sources": ["a"]}), "sources[0]"),
        (
            json!({"transport": "ssh", "ssh": ssh_settings(), "sources": ["a", "z"]}),
            "sources[1]",
        ),
        (
            json!({"transport": "ssh", "ssh": ssh_settings(), "sources": ["a", "a"]}),
            "sources[1]",
        ),
        (
            json!({"transport": "ssh", "ssh": ssh_settings(), "sources": []}),
            "sources",
        ),
        (
            json!({"transport": "ssh", "ssh": {"bastion_address": "b", "private_key": "nonsense", "known_hosts": KNOWN_HOSTS}}),
            "ssh.private_key",
        ),
        (
            json!({"transport": "ssh", "ssh": {"bastion_address": "b", "private_key": test_key_openssh()}}),
            "ssh.known_hosts",
        ),
        (
            json!({"transport": "ssh", "ssh": {"bastion_address": "b", "private_key": test_key_openssh(), "known_hosts": "junk"}}),
            "ssh.known_hosts",
        ),
        (
            json!({"transport": "ssh", "ssh": {"bastion_address": "b", "private_key": test_key_openssh(), "known_hosts": KNOWN_HOSTS, "port": 0}}),
            "ssh.port",
        ),
        (
            json!({"transport": "ssh", "ssh": {"bastion_address": " ", "private_key": test_key_openssh(), "known_hosts": KNOWN_HOSTS}}),
            "ssh.bastion_address",
        ),
    ];
    for (extra, path) in cases {
        let d = validate(with(extra.clone())).await;
        assert_eq!(paths(&d), [path], "{extra}: {d}");
        assert!(
            !d.to_string().contains(&key_body(&test_key_openssh())),
            "{d}"
        );
    }
    let fine = json!({"transport": "ssh", "ssh": ssh_settings(), "sources": ["a"]});
    assert!(validate(with(fine)).await.is_empty());
    assert!(
        validate(with(json!({"transport": "local", "sources": ["local"]})))
            .await
            .is_empty()
    );
}

#[tokio::test]
async fn local_transport_reports_its_defaults() {
    let ds = data_source(&[("127.0.0.1", Some(1))], false);
    let (state, d) = read(&ds, json!({"hosts": {"lo": "127.0.0.1"}})).await;
    let state = state.expect("state");
    assert!(d.is_empty(), "{d}");
    assert_eq!(state.get("transport").as_str(), Some("local"));
    assert_eq!(strings(state.get("sources")), ["local"]);
    assert!(state.get("ssh").is_null());
}

#[tokio::test]
async fn spokes_are_unreachable_as_expected_because_peering_is_not_transitive() {
    let fake = Arc::new(FakeSsh {
        lost: vec![("b", "c"), ("c", "b")],
        ..Arc::into_inner(FakeSsh::new(vec![])).unwrap()
    });
    let ds = ssh_source(fake);
    let j = json!({
        "hosts": hosts(), "transport": "ssh", "ssh": ssh_settings(),
        "host_vpcs": {"a": "hub", "b": "spoke1", "c": "spoke2"},
        "expect": {"hub": ["spoke1", "spoke2"], "spoke1": ["hub"], "spoke2": ["hub"]},
    });
    let (state, d) = read(&ds, j).await;
    let state = state.expect("state");
    assert!(d.is_empty(), "{d}");
    assert_eq!(state.get("all_as_expected").as_bool(), Some(true));
    let results = state.get("results").as_list().unwrap();
    let find = |from: &str, to: &str| {
        results
            .iter()
            .find(|r| r.get("from").as_str() == Some(from) && r.get("to").as_str() == Some(to))
            .unwrap()
    };
    let b_c = find("b", "c");
    assert_eq!(b_c.get("expected").as_bool(), Some(false));
    assert_eq!(b_c.get("reachable").as_bool(), Some(false));
    assert_eq!(b_c.get("verdict").as_str(), Some("ok"));
    let cause = b_c.get("cause").as_str().unwrap();
    assert!(
        cause.contains("both peer with hub, but peering is not transitive"),
        "{cause}"
    );
    assert!(find("b", "a").get("cause").is_null());
    assert!(state.get("diagnosis").as_list().unwrap().is_empty());
}

#[tokio::test]
async fn targets_of_unreachable_sources_are_not_blamed() {
    let ds = ssh_source(FakeSsh::new(vec!["a", "b"]));
    let state = read_clean(&ds).await;
    let results = state.get("results").as_list().unwrap();
    for r in results
        .iter()
        .filter(|r| r.get("from").as_str() != Some("c"))
    {
        let cause = r.get("cause").as_str().unwrap();
        assert!(cause.starts_with("not probed: SSH with "), "{cause}");
    }
    for r in results
        .iter()
        .filter(|r| r.get("from").as_str() == Some("c"))
    {
        assert!(r.get("cause").is_null());
    }
}
