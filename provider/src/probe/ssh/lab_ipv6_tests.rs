//! The SSH transport over IPv6 only, against real sshd in the namespace lab (root only):
//! the bastion by its IPv6 address (in brackets, as users copy it from URLs), the sources
//! by theirs (the tunnels through the bastion go to IPv6 addresses), and IPv6 targets
//! pinged with the remote host's IPv6 ping.

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv6Addr};

use super::lab::{SshLab, BASTION_V6};
use super::lab_tests::{assert_answered, assert_lost, config, probe, row};
use super::{SshConfig, SshProber};

/// A LAN address nobody has (neighbour discovery gets no answer).
const NOBODY_V6: Ipv6Addr = Ipv6Addr::new(0x2001, 0xdb8, 0x78, 0, 0, 0, 0, 0xfa);

#[test]
fn ssh_lab_ipv6_bastion_sources_and_targets() {
    let Some(lab) = SshLab::create("ssh_lab_ipv6_bastion_sources_and_targets", 2) else {
        return;
    };
    // The client has no route to the hosts' IPv6 addresses either.
    let h1 = lab.hosts[0].ipv6.to_string();
    assert!(!lab.exec_ok(
        &lab.client,
        &["ping", "-6", "-n", "-c", "1", "-W", "1", &h1]
    ));
    let sources: BTreeMap<String, IpAddr> = lab
        .hosts
        .iter()
        .enumerate()
        .map(|(index, host)| (format!("h{}", index + 1), IpAddr::V6(host.ipv6)))
        .collect();
    let mut targets = sources.clone();
    targets.insert("h1-v4".to_string(), IpAddr::V4(lab.hosts[0].ipv4));
    targets.insert("nobody".to_string(), IpAddr::V6(NOBODY_V6));
    let config = SshConfig {
        bastion_address: format!("[{BASTION_V6}]"),
        ..config(&lab)
    };
    let prober = SshProber::new(&config).unwrap();

    let run =
        probe(&lab, &prober, &sources, &targets).unwrap_or_else(|e| panic!("{e}\n{}", lab.logs()));
    assert!(run.host_keys_verified, "known_hosts names them by IPv6");
    assert_eq!(run.results.len(), 6, "{run:#?}");
    for (from, to) in [("h1", "h2"), ("h2", "h1"), ("h2", "h1-v4")] {
        assert_answered(row(&run, from, to));
    }
    assert_eq!(
        row(&run, "h1", "h2").result.address,
        IpAddr::V6(lab.hosts[1].ipv6)
    );
    assert_lost(row(&run, "h1", "nobody"));
    assert_lost(row(&run, "h2", "nobody"));
    assert_eq!(run.connections_opened, sources.len() + 1);
    // The tunnels went to the hosts' IPv6 addresses: each host saw the bastion's.
    let bastion_lan = lab.bastion.ipv6.to_string();
    for name in ["h1", "h2"] {
        let log = lab.log(name);
        assert!(
            log.contains(&format!("Accepted publickey for root from {bastion_lan} ")),
            "{log}"
        );
    }
}
