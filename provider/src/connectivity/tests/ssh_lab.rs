//! The data source with `transport = "ssh"` against real sshd in the namespace lab of
//! [`crate::probe::ssh::lab`] (root only; skipped otherwise, failed under CI=true): the
//! read runs in the client namespace, which reaches only the bastion.

use serde_json::json;
use tfplugin::diag::Diagnostics;
use tfplugin::provider::DataSource;
use tfplugin::value::Value;

use super::{config, ctx, data_source};
use crate::probe::ssh::lab::{SshLab, BASTION, BASTION_V6, NOBODY};

#[test]
fn ssh_transport_reads_the_matrix_from_every_host_through_the_bastion() {
    let Some(lab) = SshLab::create(
        "ssh_transport_reads_the_matrix_from_every_host_through_the_bastion",
        2,
    ) else {
        return;
    };
    let ds = data_source(&[], false);
    let settings = |extra: serde_json::Value| {
        let mut ssh = json!({
            "bastion_address": BASTION.to_string(), "bastion_user": "root", "user": "root",
            "private_key": lab.client_key, "known_hosts": lab.known_hosts,
        });
        ssh.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        json!({
            "hosts": {"h1": lab.hosts[0].ipv4.to_string(), "h2": lab.hosts[1].ipv4.to_string(), "nobody": NOBODY.to_string()},
            "transport": "ssh", "ssh": ssh, "echo_count": 1, "timeout_ms": 1000,
        })
    };
    let read = |lab: &SshLab, j: serde_json::Value| {
        let cfg = config(&ds, j);
        lab.run_in_client(|| async {
            let mut d = Diagnostics::new();
            let state = ds.read(&ctx(), &cfg, &mut d).await;
            (state, d)
        })
    };
    let pairs = |state: &Value, reachable: bool| -> Vec<String> {
        let rows = state.get("results").as_list().unwrap();
        rows.iter()
            .filter(|r| r.get("reachable").as_bool() == Some(reachable))
            .map(|r| {
                format!(
                    "{}->{}",
                    r.get("from").as_str().unwrap(),
                    r.get("to").as_str().unwrap()
                )
            })
            .collect()
    };

    let (state, d) = read(&lab, settings(json!({})));
    let state = state.unwrap_or_else(|| panic!("{d}\n{}", lab.logs()));
    assert!(d.is_empty(), "{d}");
    assert_eq!(pairs(&state, true), ["h1->h2", "h2->h1"]);
    let failed = pairs(&state, false);
    assert_eq!(
        failed,
        ["h1->nobody", "h2->nobody", "nobody->h1", "nobody->h2"]
    );
    let rows = state.get("results").as_list().unwrap();
    let from_nobody = rows
        .iter()
        .find(|r| r.get("from").as_str() == Some("nobody"))
        .unwrap();
    assert_eq!(from_nobody.get("sent").as_i64(), Some(0));
    let cause = from_nobody.get("cause").as_str().unwrap();
    assert!(cause.starts_with("not probed: "), "{cause}");

    // Host keys unchecked: the same matrix, with a warning.
    let (state, d) = read(
        &lab,
        settings(json!({"known_hosts": null, "insecure_ignore_host_keys": true})),
    );
    assert!(state.is_some(), "{d}");
    assert_eq!(d.0.len(), 1, "{d}");
    assert_eq!(
        d.0[0].attribute.as_ref().unwrap().to_string(),
        "ssh.insecure_ignore_host_keys"
    );

    // A key nobody accepts: an error on ssh.private_key that does not show the key.
    let (state, d) = read(&lab, settings(json!({"private_key": lab.wrong_key})));
    assert!(state.is_none());
    assert_eq!(
        d.0[0].attribute.as_ref().unwrap().to_string(),
        "ssh.private_key",
        "{d}"
    );
    let body: String = lab
        .wrong_key
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect();
    assert!(!d.to_string().contains(&body));
}

#[test]
fn ssh_transport_probes_ipv6_hosts_through_an_ipv6_bastion() {
    let Some(lab) = SshLab::create("ssh_transport_probes_ipv6_hosts_through_an_ipv6_bastion", 2)
    else {
        return;
    };
    let ds = data_source(&[], false);
    let (h1, h2) = (lab.hosts[0].ipv6.to_string(), lab.hosts[1].ipv6.to_string());
    let cfg = config(
        &ds,
        json!({
            "hosts": {"h1": h1, "h2": h2, "h2-v4": lab.hosts[1].ipv4.to_string()},
            "sources": ["h1", "h2"],
            "transport": "ssh", "echo_count": 1, "timeout_ms": 1000,
            "ssh": {
                "bastion_address": format!("[{BASTION_V6}]"), "bastion_user": "root",
                "user": "root", "private_key": lab.client_key, "known_hosts": lab.known_hosts,
            },
        }),
    );
    let (state, d) = lab.run_in_client(|| async {
        let mut d = Diagnostics::new();
        let state = ds.read(&ctx(), &cfg, &mut d).await;
        (state, d)
    });
    let state = state.unwrap_or_else(|| panic!("{d}\n{}", lab.logs()));
    assert!(d.is_empty(), "{d}");
    let rows: Vec<(String, String, bool)> = state
        .get("results")
        .as_list()
        .unwrap()
        .iter()
        .map(|r| {
            let text = |name: &str| r.get(name).as_str().unwrap().to_string();
            let pair = format!("{}->{}", text("from"), text("to"));
            (pair, text("address"), r.get("reachable").as_bool().unwrap())
        })
        .collect();
    let v4 = lab.hosts[1].ipv4.to_string();
    let expected = [
        ("h1->h2", h2.as_str()),
        ("h1->h2-v4", v4.as_str()),
        ("h2->h1", h1.as_str()),
        ("h2->h2-v4", v4.as_str()),
    ];
    let expected: Vec<(String, String, bool)> = expected
        .iter()
        .map(|(pair, address)| (pair.to_string(), address.to_string(), true))
        .collect();
    assert_eq!(rows, expected);
}
