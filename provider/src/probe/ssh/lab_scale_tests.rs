//! More targets than OpenSSH's `MaxSessions` (10) per source, against real sshd in the
//! namespace lab (root only): still one connection per source plus the bastion's, one
//! remote command per source, and every pair probed.

use std::net::IpAddr;

use super::lab::{SshLab, NOBODY};
use super::lab_tests::{assert_answered, assert_lost, by_ipv4, config, probe, row};
use super::SshProber;

const HOSTS: u8 = 12;

/// Lines of sshd `name`'s log (LogLevel VERBOSE) that contain `what`.
fn count_in_log(lab: &SshLab, name: &str, what: &str) -> usize {
    lab.log(name)
        .lines()
        .filter(|line| line.contains(what))
        .count()
}

#[test]
fn ssh_lab_more_targets_than_max_sessions_one_connection_and_command_per_source() {
    let Some(lab) = SshLab::create(
        "ssh_lab_more_targets_than_max_sessions_one_connection_and_command_per_source",
        HOSTS,
    ) else {
        return;
    };
    let sources = by_ipv4(&lab);
    // Every host by IPv4 and IPv6, and an address nobody has: 25 targets, 24 per source.
    let mut targets = sources.clone();
    for (index, host) in lab.hosts.iter().enumerate() {
        targets.insert(format!("h{}-v6", index + 1), IpAddr::V6(host.ipv6));
    }
    targets.insert("nobody".to_string(), IpAddr::V4(NOBODY));
    let prober = SshProber::new(&config(&lab)).unwrap();

    let run =
        probe(&lab, &prober, &sources, &targets).unwrap_or_else(|e| panic!("{e}\n{}", lab.logs()));
    assert_eq!(run.results.len(), sources.len() * (targets.len() - 1));
    for row in &run.results {
        if row.result.to == "nobody" {
            assert_lost(row);
        } else {
            assert_answered(row);
        }
    }
    assert_answered(row(&run, "h12", "h1-v6"));
    // Counted by the prober and by every sshd: one login on the bastion (no command run
    // there: it only forwards), one login and one command on each source.
    assert_eq!(run.connections_opened, sources.len() + 1);
    let problem = |what: String| format!("{what}\n{}", lab.logs());
    assert_eq!(
        count_in_log(&lab, "bastion", "Accepted publickey for root"),
        1,
        "{}",
        problem("bastion logins".into())
    );
    assert_eq!(count_in_log(&lab, "bastion", "Starting session"), 0);
    for index in 1..=usize::from(HOSTS) {
        let name = format!("h{index}");
        let logins = count_in_log(&lab, &name, "Accepted publickey for root");
        let commands = count_in_log(&lab, &name, "Starting session: command");
        assert_eq!(
            (logins, commands),
            (1, 1),
            "{}",
            problem(format!("{name}: logins and commands"))
        );
    }
}
