//! The SSH transport against real sshd processes in the namespace lab (root only; see
//! [`super::lab`]): the prober runs in the client namespace, which reaches only the bastion.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::lab::{SshLab, BASTION, NOBODY};
use super::{SshConfig, SshError, SshProbeResult, SshProber, SshRun};
use crate::probe::{render_report, Echo};

pub(super) fn config(lab: &SshLab) -> SshConfig {
    SshConfig {
        bastion_user: "root".to_string(),
        user: "root".to_string(),
        known_hosts: lab.known_hosts.clone(),
        ..SshConfig::new(BASTION.to_string(), lab.client_key.clone())
    }
}

pub(super) fn echo() -> Echo {
    Echo {
        count: 2,
        timeout: Duration::from_millis(1000),
    }
}

/// Every host of the lab by its IPv4 address, named h1, h2, ...
pub(super) fn by_ipv4(lab: &SshLab) -> BTreeMap<String, IpAddr> {
    lab.hosts
        .iter()
        .enumerate()
        .map(|(index, host)| (format!("h{}", index + 1), IpAddr::V4(host.ipv4)))
        .collect()
}

/// h1, h2 (as sources), plus h2's IPv6 address and an address nobody has (as targets).
pub(super) fn hosts(lab: &SshLab) -> (BTreeMap<String, IpAddr>, BTreeMap<String, IpAddr>) {
    let sources = by_ipv4(lab);
    let mut targets = sources.clone();
    targets.insert("h2-v6".to_string(), IpAddr::V6(lab.hosts[1].ipv6));
    targets.insert("nobody".to_string(), IpAddr::V4(NOBODY));
    (sources, targets)
}

pub(super) fn probe(
    lab: &SshLab,
    prober: &SshProber,
    sources: &BTreeMap<String, IpAddr>,
    targets: &BTreeMap<String, IpAddr>,
) -> Result<SshRun, SshError> {
    lab.run_in_client(|| async {
        let cancel = CancellationToken::new();
        prober
            .probe_matrix(sources, targets, &echo(), &cancel)
            .await
    })
}

pub(super) fn row<'a>(run: &'a SshRun, from: &str, to: &str) -> &'a SshProbeResult {
    run.results
        .iter()
        .find(|row| row.result.from == from && row.result.to == to)
        .unwrap_or_else(|| panic!("no row {from}->{to} in {run:#?}"))
}

pub(super) fn assert_answered(row: &SshProbeResult) {
    let result = &row.result;
    assert_eq!(row.cause, None, "{row:?}");
    assert_eq!((result.sent, result.received), (2, 2), "{row:?}");
    assert!(result.reachable && result.loss_percent == 0.0, "{row:?}");
    let (min, avg, max) = (
        result.rtt_min_ms.unwrap(),
        result.rtt_avg_ms.unwrap(),
        result.rtt_max_ms.unwrap(),
    );
    assert!(
        0.0 < min && min <= avg && avg <= max && max < 1000.0,
        "{row:?}"
    );
}

pub(super) fn assert_lost(row: &SshProbeResult) {
    assert_eq!(row.cause, None, "{row:?}");
    assert_eq!((row.result.sent, row.result.received), (2, 0), "{row:?}");
    assert!(
        !row.result.reachable && row.result.loss_percent == 100.0,
        "{row:?}"
    );
    assert_eq!(row.result.rtt_avg_ms, None);
}

#[test]
fn ssh_lab_probes_every_pair_over_one_connection_per_source() {
    let Some(mut lab) = SshLab::create(
        "ssh_lab_probes_every_pair_over_one_connection_per_source",
        2,
    ) else {
        return;
    };
    // The client has no route to the hosts: every probe must go through the bastion.
    let h1 = lab.hosts[0].ipv4.to_string();
    assert!(!lab.exec_ok(&lab.client, &["ping", "-n", "-c", "1", "-W", "1", &h1]));
    let (sources, targets) = hosts(&lab);
    let prober = SshProber::new(&config(&lab)).unwrap();

    let run =
        probe(&lab, &prober, &sources, &targets).unwrap_or_else(|e| panic!("{e}\n{}", lab.logs()));
    assert!(run.host_keys_verified);
    assert_eq!(run.results.len(), 6, "{run:#?}");
    for (from, to) in [("h1", "h2"), ("h2", "h1"), ("h1", "h2-v6"), ("h2", "h2-v6")] {
        assert_answered(row(&run, from, to));
    }
    assert_lost(row(&run, "h1", "nobody"));
    assert_lost(row(&run, "h2", "nobody"));
    assert_eq!(run.connections_opened, sources.len() + 1);
    assert_eq!(prober.connections_opened(), sources.len() + 1);
    let rows: Vec<_> = run.results.iter().map(|row| row.result.clone()).collect();
    assert!(render_report(&rows).ends_with("2 of 6 pairs unreachable: h1->nobody, h2->nobody\n"));

    // A source whose sshd is down: its rows say why, the others are unaffected.
    lab.stop_sshd(2);
    let run =
        probe(&lab, &prober, &sources, &targets).unwrap_or_else(|e| panic!("{e}\n{}", lab.logs()));
    assert_answered(row(&run, "h1", "h2"));
    assert_lost(row(&run, "h1", "nobody"));
    for to in ["h1", "h2-v6", "nobody"] {
        let row = row(&run, "h2", to);
        assert_eq!(
            (row.result.sent, row.result.reachable),
            (0, false),
            "{row:?}"
        );
        let cause = row.cause.as_deref().unwrap_or_default();
        assert!(
            cause.contains("the bastion could not connect to h2 (10.78.0.12) port 22"),
            "{cause}"
        );
    }
    assert_eq!(run.connections_opened, 2);
    assert_eq!(prober.connections_opened(), 5);
}

#[test]
fn ssh_lab_key_and_host_key_problems_are_errors() {
    let Some(lab) = SshLab::create("ssh_lab_key_and_host_key_problems_are_errors", 2) else {
        return;
    };
    let (sources, targets) = hosts(&lab);
    let sources: BTreeMap<_, _> = sources
        .into_iter()
        .filter(|(name, _)| name == "h1")
        .collect();
    let run_with = |config: SshConfig| {
        let prober = SshProber::new(&config).unwrap();
        probe(&lab, &prober, &sources, &targets)
    };

    let wrong_key = SshConfig {
        private_key: lab.wrong_key.clone(),
        ..config(&lab)
    };
    let error = run_with(wrong_key).unwrap_err();
    assert!(
        matches!(error, SshError::BastionAuthRefused { .. }),
        "{error:?}"
    );
    let message = error.to_string();
    assert!(
        message.contains("the bastion 192.0.2.2 refused ssh.private_key for user \"root\""),
        "{message}"
    );
    assert!(!message.contains(&lab.wrong_key), "{message}");

    // Nothing listens on port 2222: refused at once.
    let wrong_port = SshConfig {
        port: 2222,
        ..config(&lab)
    };
    let error = run_with(wrong_port).unwrap_err();
    let message = error.to_string();
    assert!(
        matches!(error, SshError::BastionUnreachable { port: 2222, .. }),
        "{error:?}"
    );
    assert!(
        message.contains("cannot open an SSH connection to the bastion 192.0.2.2 port 2222"),
        "{message}"
    );

    // Cancelled while the pings run (each takes at least a second): no partial matrix.
    let prober = SshProber::new(&config(&lab)).unwrap();
    let cancelled = lab.run_in_client(|| async {
        let cancel = CancellationToken::new();
        let trigger = cancel.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(500)).await;
            trigger.cancel();
        });
        prober
            .probe_matrix(&sources, &targets, &echo(), &cancel)
            .await
    });
    assert!(
        matches!(
            cancelled,
            Err(SshError::Cancelled {
                completed: 0,
                total: 3
            })
        ),
        "{cancelled:?}"
    );
    assert_eq!(prober.connections_opened(), 2);

    // The bastion presents its own key, known_hosts has h1's under the bastion's address.
    let impostor = format!("{BASTION} {}\n", lab.host_key("h1"));
    let changed = SshConfig {
        known_hosts: impostor,
        ..config(&lab)
    };
    let message = run_with(changed).unwrap_err().to_string();
    assert!(
        message.contains("the bastion 192.0.2.2 presented the host key ssh-ed25519 SHA256:"),
        "{message}"
    );
    assert!(
        message.contains("which does not match ssh.known_hosts (line 1)"),
        "{message}"
    );
    assert!(
        message.contains(&format!("`192.0.2.2 {}`", lab.host_key("bastion"))),
        "{message}"
    );

    let h1_only = format!("{} {}\n", lab.hosts[0].ipv4, lab.host_key("h1"));
    let unknown = SshConfig {
        known_hosts: h1_only,
        ..config(&lab)
    };
    let message = run_with(unknown).unwrap_err().to_string();
    assert!(
        message.contains("192.0.2.2 presented the host key ssh-ed25519 SHA256:")
            && message.contains("is not in ssh.known_hosts"),
        "{message}"
    );

    // A host's changed key stops the run too: it may be an attack, not a network fault.
    let h1_changed = format!(
        "{BASTION} {}\n{} {}\n",
        lab.host_key("bastion"),
        lab.hosts[0].ipv4,
        lab.host_key("h2")
    );
    let error = run_with(SshConfig {
        known_hosts: h1_changed,
        ..config(&lab)
    })
    .unwrap_err();
    assert!(matches!(error, SshError::HostKey { .. }), "{error:?}");
    let message = error.to_string();
    assert!(
        message.starts_with(
            "refusing to log in to h1 (10.78.0.11): h1 (10.78.0.11) presented the host key"
        ) && message.contains("does not match"),
        "{message}"
    );

    // A host that refuses the key (the bastion accepts it): an error naming the host.
    lab.accept_wrong_key_on_bastion();
    let error = run_with(SshConfig {
        private_key: lab.wrong_key.clone(),
        ..config(&lab)
    })
    .unwrap_err();
    assert!(
        matches!(error, SshError::HostAuthRefused { .. }),
        "{error:?}"
    );
    assert!(
        error
            .to_string()
            .starts_with("h1 (10.78.0.11) refused ssh.private_key for user \"root\""),
        "{error}"
    );

    let insecure = SshConfig {
        known_hosts: String::new(),
        insecure_ignore_host_keys: true,
        ..config(&lab)
    };
    let run = run_with(insecure).unwrap_or_else(|e| panic!("{e}\n{}", lab.logs()));
    assert!(!run.host_keys_verified);
    assert_answered(row(&run, "h1", "h2"));
    assert_eq!(run.connections_opened, 2);
}
