//! `data "peering_connectivity"` under real Terraform, probing real hosts in
//! the network-namespace lab: answers, drops, silence and IPv6 come back as
//! exact numbers, and unreachable hosts are data, not errors.

use std::collections::BTreeMap;

use acceptance_tests::{for_each_terraform, Lab, Workspace};
use serde_json::{json, Value};

const ECHO_COUNT: u64 = 3;

/// The configuration every lab scenario applies: hosts come from a variable,
/// the four outputs expose everything the data source computes.
fn connectivity_config() -> String {
    format!(
        r#"
variable "hosts" {{
  type = map(string)
}}

data "peering_connectivity" "check" {{
  hosts      = var.hosts
  echo_count = {ECHO_COUNT}
  timeout_ms = 1000
}}

output "results" {{
  value = data.peering_connectivity.check.results
}}
output "all_reachable" {{
  value = data.peering_connectivity.check.all_reachable
}}
output "unreachable" {{
  value = data.peering_connectivity.check.unreachable
}}
output "report" {{
  value = data.peering_connectivity.check.report
}}
"#
    )
}

/// A lab with two live IPv4 hosts, one that drops ICMP echo, and one probed
/// over IPv6; `None` when the lab cannot be built here (message printed).
fn build_lab(test: &str) -> Option<Lab> {
    let mut lab = Lab::require(test)?;
    for name in ["alpha", "bravo", "dropped", "sixer"] {
        lab.add_host(name)
            .unwrap_or_else(|e| panic!("adding {name}: {e}"));
    }
    lab.drop_icmp_echo("dropped").expect("nftables drop rule");
    Some(lab)
}

/// Applies the configuration with `hosts` inside the lab's runner and returns
/// the outputs (`name -> value`), and the workspace, to keep it alive (and
/// kept on disk) until the checks are done.
fn apply_in_lab(
    test: &str,
    tf: &acceptance_tests::Terraform,
    lab: &Lab,
    hosts: &BTreeMap<&str, String>,
) -> (Workspace, Value) {
    let ws = Workspace::new(test, tf).in_netns(lab.runner());
    ws.write_main(&connectivity_config());
    ws.write_vars(&json!({ "hosts": hosts }));
    ws.init().expect_success();
    ws.apply().expect_success();
    let outputs = ws.output_json().expect_success().json();
    // Reading data is all this configuration does; destroy must still work.
    ws.destroy().expect_success();
    let values: serde_json::Map<String, Value> = outputs
        .as_object()
        .expect("outputs object")
        .iter()
        .map(|(name, output)| (name.clone(), output["value"].clone()))
        .collect();
    (ws, Value::Object(values))
}

/// The result for host `to`, checked for what every result must satisfy.
fn result_for<'a>(results: &'a [Value], to: &str, address: &str) -> &'a Value {
    let matching: Vec<&Value> = results.iter().filter(|r| r["to"] == to).collect();
    assert_eq!(
        matching.len(),
        1,
        "exactly one result for {to}: {results:#?}"
    );
    let result = matching[0];
    assert_eq!(result["from"], "local", "{result}");
    assert_eq!(result["address"], address, "{result}");
    assert_eq!(result["sent"], json!(ECHO_COUNT), "{result}");
    result
}

fn assert_live(results: &[Value], to: &str, address: &str) {
    let r = result_for(results, to, address);
    assert_eq!(r["received"], json!(ECHO_COUNT), "{r}");
    assert_eq!(r["loss_percent"].as_f64(), Some(0.0), "{r}");
    assert_eq!(r["reachable"], true, "{r}");
    let rtt = |key: &str| {
        r[key]
            .as_f64()
            .unwrap_or_else(|| panic!("{key} is a number for a live host: {r}"))
    };
    let (min, avg, max) = (rtt("rtt_min_ms"), rtt("rtt_avg_ms"), rtt("rtt_max_ms"));
    assert!(
        min > 0.0 && min <= avg && avg <= max,
        "0 < min <= avg <= max: {r}"
    );
    assert!(max < 1000.0, "an answer within the 1000 ms timeout: {r}");
}

fn assert_dead(results: &[Value], to: &str, address: &str) {
    let r = result_for(results, to, address);
    assert_eq!(r["received"], json!(0), "{r}");
    assert_eq!(r["loss_percent"].as_f64(), Some(100.0), "{r}");
    assert_eq!(r["reachable"], false, "{r}");
    for key in ["rtt_min_ms", "rtt_avg_ms", "rtt_max_ms"] {
        assert!(r[key].is_null(), "{key} is null without answers: {r}");
    }
}

#[test]
fn live_dropped_missing_and_ipv6_hosts() {
    let test = "live_dropped_missing_and_ipv6_hosts";
    let Some(lab) = build_lab(test) else { return };
    let hosts: BTreeMap<&str, String> = BTreeMap::from([
        ("alpha", lab.host("alpha").ipv4.to_string()),
        ("bravo", lab.host("bravo").ipv4.to_string()),
        ("dropped", lab.host("dropped").ipv4.to_string()),
        ("nohost", lab.unused_ipv4().to_string()),
        ("sixer", lab.host("sixer").ipv6.to_string()),
    ]);
    for_each_terraform(test, |tf| {
        let (_ws, outputs) = apply_in_lab(test, tf, &lab, &hosts);
        let results = outputs["results"].as_array().expect("results is a list");
        assert_eq!(
            results.len(),
            hosts.len(),
            "one result per host: {results:#?}"
        );
        for name in ["alpha", "bravo", "sixer"] {
            assert_live(results, name, &hosts[name]);
        }
        for name in ["dropped", "nohost"] {
            assert_dead(results, name, &hosts[name]);
        }
        assert_eq!(outputs["all_reachable"], false);
        assert_eq!(
            outputs["unreachable"],
            json!(["local->dropped", "local->nohost"])
        );
        let report = outputs["report"].as_str().expect("report is a string");
        for name in hosts.keys() {
            assert!(report.contains(name), "report mentions {name}:\n{report}");
        }
    });
}

#[test]
fn all_reachable_when_every_host_answers() {
    let test = "all_reachable_when_every_host_answers";
    let Some(lab) = build_lab(test) else { return };
    let hosts: BTreeMap<&str, String> = BTreeMap::from([
        ("alpha", lab.host("alpha").ipv4.to_string()),
        ("alpha6", lab.host("alpha").ipv6.to_string()),
        ("bravo", lab.host("bravo").ipv4.to_string()),
    ]);
    for_each_terraform(test, |tf| {
        let (_ws, outputs) = apply_in_lab(test, tf, &lab, &hosts);
        let results = outputs["results"].as_array().expect("results is a list");
        assert_eq!(
            results.len(),
            hosts.len(),
            "one result per host: {results:#?}"
        );
        for (name, address) in &hosts {
            assert_live(results, name, address);
        }
        assert_eq!(outputs["all_reachable"], true);
        assert_eq!(outputs["unreachable"], json!([]));
    });
}
