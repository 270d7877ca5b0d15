mod expectations;
mod mermaid_golden;
mod ssh;
mod ssh_lab;

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use serde_json::json;
use tfplugin::diag::Diagnostics;
use tfplugin::provider::{Context, DataSource};
use tfplugin::value::Value;
use tokio_util::sync::CancellationToken;

use super::Connectivity;
use crate::probe::{Echo, ProbeError, ProbeOutcome, Prober};

/// Answers from a table: an address listed with `Some(rtt_ms)` replies to every request,
/// `None` never replies; `deny` makes every probe fail for lack of permission.
struct TableProber {
    rtts: BTreeMap<IpAddr, Option<u64>>,
    deny: bool,
}

impl Prober for TableProber {
    fn probe<'a>(
        &'a self,
        target: IpAddr,
        echo: &'a Echo,
    ) -> BoxFuture<'a, Result<ProbeOutcome, ProbeError>> {
        Box::pin(async move {
            if self.deny {
                return Err(ProbeError::Permission(
                    "raw sockets need CAP_NET_RAW".into(),
                ));
            }
            let rtt = self.rtts.get(&target).copied().flatten();
            Ok(ProbeOutcome {
                sent: echo.count,
                received: if rtt.is_some() { echo.count } else { 0 },
                rtts: rtt
                    .map(|ms| vec![Duration::from_millis(ms); echo.count as usize])
                    .unwrap_or_default(),
            })
        })
    }
}

fn data_source(rtts: &[(&str, Option<u64>)], deny: bool) -> Connectivity {
    let rtts = rtts.iter().map(|(a, r)| (a.parse().unwrap(), *r)).collect();
    Connectivity::new(Arc::new(TableProber { rtts, deny }))
}

fn config(ds: &Connectivity, j: serde_json::Value) -> Value {
    Value::encode(&j, &ds.schema().value_type()).expect("config conforms")
}

fn ctx() -> Context {
    Context {
        cancel: CancellationToken::new(),
    }
}

async fn validate(j: serde_json::Value) -> Diagnostics {
    let ds = data_source(&[], false);
    let mut d = Diagnostics::new();
    ds.validate(&config(&ds, j), &mut d).await;
    d
}

#[tokio::test]
async fn bad_address_names_host_path_and_value() {
    let d = validate(json!({"hosts": {"a": "10.1.2.300", "b": "10.1.2.3"}})).await;
    assert_eq!(d.0.len(), 1, "{d}");
    assert_eq!(
        d.0[0].attribute.as_ref().unwrap().to_string(),
        "hosts[\"a\"]"
    );
    assert!(d.0[0].detail.contains("\"10.1.2.300\""), "{d}");
}

#[tokio::test]
async fn duplicate_address_names_both_hosts() {
    let d = validate(json!({"hosts": {"a": "10.1.2.3", "b": "10.1.2.3"}})).await;
    assert_eq!(d.0.len(), 1, "{d}");
    assert!(
        d.0[0].detail.contains("hosts[\"a\"]") && d.0[0].detail.contains("hosts[\"b\"]"),
        "{d}"
    );
    assert!(d.0[0].detail.contains("10.1.2.3"), "{d}");
}

#[tokio::test]
async fn settings_out_of_range_are_rejected() {
    let d = validate(json!({"hosts": {"a": "::1"}, "echo_count": 0, "timeout_ms": 60001})).await;
    let paths: Vec<String> =
        d.0.iter()
            .map(|x| x.attribute.as_ref().unwrap().to_string())
            .collect();
    assert_eq!(paths, ["echo_count", "timeout_ms"], "{d}");
    assert!(
        d.0[0].detail.contains("echo_count is 0") && d.0[0].detail.contains("between 1 and 100")
    );
}

#[tokio::test]
async fn empty_hosts_and_unprobeable_addresses_are_rejected() {
    assert_eq!(validate(json!({"hosts": {}})).await.0.len(), 1);
    let d = validate(json!({"hosts": {"any": "0.0.0.0", "mc": "ff02::1"}})).await;
    assert_eq!(d.0.len(), 2, "{d}");
}

#[tokio::test]
async fn unknown_addresses_are_checked_later() {
    let ds = data_source(&[], false);
    let mut cfg = config(&ds, json!({"hosts": {"a": "10.0.0.1"}}));
    if let Value::Object(m) = &mut cfg {
        m.insert(
            "hosts".into(),
            Value::Map(BTreeMap::from([("a".to_string(), Value::Unknown)])),
        );
    }
    let mut d = Diagnostics::new();
    ds.validate(&cfg, &mut d).await;
    assert!(d.is_empty(), "{d}");
}

#[tokio::test]
async fn read_reports_every_pair_with_defaults_filled() {
    let ds = data_source(
        &[
            ("127.0.0.1", Some(3)),
            ("::1", Some(1)),
            ("127.0.0.9", None),
        ],
        false,
    );
    let cfg = config(
        &ds,
        json!({"hosts": {"web": "127.0.0.1", "v6": "::1", "dead": "127.0.0.9"}}),
    );
    let mut d = Diagnostics::new();
    let state = ds.read(&ctx(), &cfg, &mut d).await.expect("state");
    assert!(d.is_empty(), "{d}");
    assert_eq!(state.get("echo_count").as_i64(), Some(2));
    assert_eq!(state.get("timeout_ms").as_i64(), Some(1000));
    assert_eq!(state.get("all_reachable").as_bool(), Some(false));
    let unreachable: Vec<&str> = state
        .get("unreachable")
        .as_list()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(unreachable, ["local->dead"]);
    let results = state.get("results").as_list().unwrap();
    let to: Vec<&str> = results
        .iter()
        .filter_map(|r| r.get("to").as_str())
        .collect();
    assert_eq!(to, ["dead", "v6", "web"]);
    let web = &results[2];
    assert_eq!(web.get("from").as_str(), Some("local"));
    assert_eq!(web.get("address").as_str(), Some("127.0.0.1"));
    assert_eq!(
        (web.get("sent").as_i64(), web.get("received").as_i64()),
        (Some(2), Some(2))
    );
    assert_eq!(web.get("rtt_avg_ms").as_f64(), Some(3.0));
    assert_eq!(web.get("reachable").as_bool(), Some(true));
    let dead = &results[0];
    assert_eq!(dead.get("loss_percent").as_f64(), Some(100.0));
    assert!(dead.get("rtt_min_ms").is_null());
    let report = state.get("report").as_str().unwrap();
    assert!(
        ["web", "v6", "dead"].iter().all(|h| report.contains(h)),
        "{report}"
    );
}

#[tokio::test]
async fn missing_icmp_permission_is_an_error_with_the_fix() {
    let ds = data_source(&[], true);
    let cfg = config(&ds, json!({"hosts": {"a": "127.0.0.1"}, "echo_count": 1}));
    let mut d = Diagnostics::new();
    assert!(ds.read(&ctx(), &cfg, &mut d).await.is_none());
    assert!(d.has_errors());
    assert!(d.0[0].detail.contains("CAP_NET_RAW"), "{d}");
}
