//! Expected versus observed: the verdict table, `all_as_expected`, validation of
//! `host_vpcs` and `expect`, and what the data source reads for the `local` transport.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::json;
use tfplugin::diag::{Diagnostics, Severity};
use tfplugin::provider::DataSource;
use tfplugin::value::Value;

use super::{config, ctx, data_source, validate};
use crate::connectivity::expect::{all_as_expected, Expectations, Judgement, Verdict};
use crate::probe::{PairResult, ProbeOutcome};

fn result(from: &str, to: &str, reachable: bool) -> PairResult {
    let received = u32::from(reachable);
    let outcome = ProbeOutcome {
        sent: 1,
        received,
        rtts: vec![Duration::from_millis(1); received as usize],
    };
    PairResult::from_outcome(from, to, "192.0.2.1".parse().unwrap(), &outcome)
}

/// Hub `shared` with spokes `prod` and `dev`; hosts p1, p2 in prod, d1 in dev, s1 in shared.
fn hub() -> Expectations {
    let host_vpcs = [
        ("p1", "prod"),
        ("p2", "prod"),
        ("d1", "dev"),
        ("s1", "shared"),
    ]
    .map(|(h, v)| (h.to_string(), v.to_string()));
    let expect = [
        ("shared", vec!["dev", "prod"]),
        ("prod", vec!["shared"]),
        ("dev", vec!["shared"]),
    ]
    .map(|(v, peers)| (v.to_string(), peers.iter().map(|p| p.to_string()).collect()));
    Expectations::new(BTreeMap::from(host_vpcs), Some(BTreeMap::from(expect)))
}

#[test]
fn verdict_table() {
    use Verdict::*;
    let cases = [
        ("p1", "s1", true, Some(true), Some(Ok)),
        ("p1", "s1", false, Some(true), Some(UnexpectedlyUnreachable)),
        ("s1", "d1", true, Some(true), Some(Ok)),
        ("p1", "p2", true, Some(true), Some(Ok)),
        ("p1", "p2", false, Some(true), Some(UnexpectedlyUnreachable)),
        ("p1", "d1", false, Some(false), Some(Ok)),
        ("d1", "p1", true, Some(false), Some(UnexpectedlyReachable)),
        ("local", "p1", false, None, None),
        ("p1", "unplaced", false, None, None),
        ("unplaced", "p1", true, None, None),
    ];
    let hub = hub();
    for (from, to, reachable, expected, verdict) in cases {
        assert_eq!(
            hub.judge(&result(from, to, reachable)),
            Judgement { expected, verdict },
            "{from} -> {to}, reachable {reachable}"
        );
    }
}

#[test]
fn no_expect_means_no_expectation() {
    let e = Expectations::new(BTreeMap::from([("a".into(), "x".into())]), None);
    assert_eq!(e.judge(&result("a", "a", false)), Judgement::default());
}

#[test]
fn verdict_names_match_the_docs() {
    let names = [
        Verdict::Ok,
        Verdict::UnexpectedlyUnreachable,
        Verdict::UnexpectedlyReachable,
    ]
    .map(Verdict::as_str);
    assert_eq!(
        names,
        ["ok", "unexpectedly_unreachable", "unexpectedly_reachable"]
    );
}

#[test]
fn all_as_expected_ignores_results_without_expectation() {
    let hub = hub();
    let judge = |rows: &[(&str, &str, bool)]| -> Vec<Judgement> {
        rows.iter()
            .map(|(f, t, r)| hub.judge(&result(f, t, *r)))
            .collect()
    };
    assert!(all_as_expected(&[]));
    assert!(all_as_expected(&judge(&[("local", "p1", false)])));
    assert!(all_as_expected(&judge(&[
        ("p1", "s1", true),
        ("p1", "d1", false)
    ])));
    assert!(!all_as_expected(&judge(&[
        ("p1", "s1", true),
        ("d1", "p1", true)
    ])));
    assert!(!all_as_expected(&judge(&[("p1", "s1", false)])));
}

fn paths(d: &Diagnostics) -> Vec<String> {
    d.0.iter()
        .map(|x| {
            x.attribute
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default()
        })
        .collect()
}

#[tokio::test]
async fn host_vpcs_key_must_be_a_host() {
    let d = validate(json!({
        "hosts": {"a": "10.0.0.1"},
        "host_vpcs": {"a": "x", "ghost": "x"},
    }))
    .await;
    assert_eq!(paths(&d), ["host_vpcs[\"ghost\"]"], "{d}");
    assert!(
        d.0[0].detail.contains("not a key of hosts") && d.0[0].detail.contains("remove it"),
        "{d}"
    );
}

#[tokio::test]
async fn expect_without_host_vpcs_is_an_error_on_expect() {
    let d = validate(json!({"hosts": {"a": "10.0.0.1"}, "expect": {"x": []}})).await;
    assert_eq!(paths(&d), ["expect"], "{d}");
    assert!(d.0[0].detail.contains("Add host_vpcs"), "{d}");
}

#[tokio::test]
async fn host_vpcs_vpc_must_be_in_expect() {
    let d = validate(json!({
        "hosts": {"a": "10.0.0.1", "b": "10.0.0.2"},
        "host_vpcs": {"a": "x", "b": "typo"},
        "expect": {"x": [], "y": ["x"]},
    }))
    .await;
    assert_eq!(paths(&d), ["host_vpcs[\"b\"]"], "{d}");
    assert!(d.0[0].detail.contains("\"x\", \"y\""), "{d}");
}

#[tokio::test]
async fn unknown_expectations_are_checked_later() {
    let ds = data_source(&[], false);
    let mut cfg = config(
        &ds,
        json!({"hosts": {"a": "10.0.0.1"}, "host_vpcs": {"a": "x"}, "expect": {"x": []}}),
    );
    let set = |cfg: &mut Value, attr: &str, value: Value| {
        if let Value::Object(m) = cfg {
            m.insert(attr.into(), value);
        }
    };
    set(&mut cfg, "expect", Value::Unknown);
    set(
        &mut cfg,
        "host_vpcs",
        Value::Map(BTreeMap::from([("a".to_string(), Value::Unknown)])),
    );
    let mut d = Diagnostics::new();
    ds.validate(&cfg, &mut d).await;
    assert!(d.is_empty(), "{d}");
    set(&mut cfg, "host_vpcs", Value::Unknown);
    ds.validate(&cfg, &mut d).await;
    assert!(d.is_empty(), "{d}");
}

#[tokio::test]
async fn local_results_have_no_expectation() {
    let ds = data_source(&[("127.0.0.1", Some(2)), ("127.0.0.9", None)], false);
    let cfg = config(
        &ds,
        json!({
            "hosts": {"web": "127.0.0.1", "db": "127.0.0.9"},
            "host_vpcs": {"web": "prod", "db": "prod"},
            "expect": {"prod": []},
        }),
    );
    let mut d = Diagnostics::new();
    let state = ds.read(&ctx(), &cfg, &mut d).await.expect("state");
    assert!(d.is_empty(), "{d}");
    assert_eq!(state.get("all_as_expected").as_bool(), Some(true));
    assert_eq!(state.get("diagnosis").as_list().map(<[_]>::len), Some(0));
    assert_eq!(
        state.get("expect").get("prod").as_list().map(<[_]>::len),
        Some(0)
    );
    for row in state.get("results").as_list().unwrap() {
        for attr in ["expected", "verdict", "cause"] {
            assert!(row.get(attr).is_null(), "{attr} of {row:?}");
        }
    }
    let mermaid = state.get("mermaid").as_str().unwrap();
    assert!(mermaid.contains("subgraph v_prod[\"prod\"]"), "{mermaid}");
    assert!(mermaid.contains("runner -.->|\"x\"| h_db"), "{mermaid}");
}

#[tokio::test]
async fn local_reaching_nothing_gets_a_cause() {
    let ds = data_source(&[("127.0.0.8", None), ("127.0.0.9", None)], false);
    let cfg = config(&ds, json!({"hosts": {"a": "127.0.0.8", "b": "127.0.0.9"}}));
    let mut d = Diagnostics::new();
    let state = ds.read(&ctx(), &cfg, &mut d).await.expect("state");
    let results = state.get("results").as_list().unwrap();
    let cause = results[0].get("cause").as_str().unwrap();
    assert!(cause.contains("reached none of the 2 hosts"), "{cause}");
    assert_eq!(state.get("all_as_expected").as_bool(), Some(true));
}

#[tokio::test]
async fn mesh_id_without_a_provider_warns_and_results_stand() {
    let ds = data_source(&[("127.0.0.1", Some(1))], false);
    let cfg = config(
        &ds,
        json!({"hosts": {"a": "127.0.0.1"}, "mesh_id": "seed-lab"}),
    );
    let mut d = Diagnostics::new();
    let state = ds.read(&ctx(), &cfg, &mut d).await.expect("state");
    assert!(!d.has_errors(), "{d}");
    assert_eq!(d.0.len(), 1, "{d}");
    assert_eq!(d.0[0].severity, Severity::Warning);
    assert_eq!(paths(&d), ["mesh_id"]);
    assert!(
        d.0[0].detail.contains("without a configured provider"),
        "{d}"
    );
    assert_eq!(state.get("mesh_id").as_str(), Some("seed-lab"));
    assert_eq!(state.get("all_reachable").as_bool(), Some(true));
}
