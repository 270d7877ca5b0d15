//! The real prober against loopback in this machine's own network namespace.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use tokio_util::sync::CancellationToken;

use super::icmp::{await_reply, probe_target};
use super::packet::{EchoSession, IcmpVersion};
use super::socket::{IcmpSocket, SocketKind};
use super::test_support::{icmp_socket_kind, loopback};
use super::{probe_matrix, render_report, Echo, IcmpProber, ProbeOutcome, Prober};

const ECHO: Echo = Echo {
    count: 3,
    timeout: Duration::from_secs(2),
};

fn assert_all_answered(outcome: &ProbeOutcome, echo: &Echo, what: &str) {
    assert_eq!(outcome.sent, echo.count, "{what}");
    assert_eq!(outcome.received, echo.count, "{what}");
    assert_eq!(outcome.rtts.len(), echo.count as usize, "{what}");
    for rtt in &outcome.rtts {
        assert!(
            *rtt > Duration::ZERO && *rtt < echo.timeout,
            "{what}: rtt {rtt:?}"
        );
    }
}

#[tokio::test]
async fn probe_icmp_loopback_v4_and_v6_answer() {
    let test = "probe_icmp_loopback_v4_and_v6_answer";
    for target in ["127.0.0.1", "127.0.0.2", "::1", "::ffff:127.0.0.3"] {
        let target = loopback(target);
        if icmp_socket_kind(test, IcmpVersion::of(target.to_canonical())).is_none() {
            return;
        }
        let outcome = IcmpProber::new().probe(target, &ECHO).await.unwrap();
        assert_all_answered(&outcome, &ECHO, &target.to_string());
    }
}

#[tokio::test]
async fn probe_icmp_concurrent_probes_to_one_address_get_their_own_replies() {
    let test = "probe_icmp_concurrent_probes_to_one_address_get_their_own_replies";
    let echo = Echo {
        count: 5,
        timeout: Duration::from_secs(2),
    };
    for target in ["127.0.0.1", "::1"] {
        let target = loopback(target);
        if icmp_socket_kind(test, IcmpVersion::of(target)).is_none() {
            return;
        }
        let probes = (0..3).map(|_| probe_target(target, &echo));
        for outcome in futures::future::join_all(probes).await {
            assert_all_answered(&outcome.unwrap(), &echo, &target.to_string());
        }
    }
}

/// A raw socket sees every echo reply; one that carries our identifier and sequence but not our
/// token must be ignored, and the same reply with our token accepted (the control).
#[tokio::test]
async fn probe_icmp_raw_socket_ignores_foreign_reply_with_our_ident_and_sequence() {
    let test = "probe_icmp_raw_socket_ignores_foreign_reply_with_our_ident_and_sequence";
    let target = loopback("127.0.0.1");
    match icmp_socket_kind(test, IcmpVersion::V4) {
        None => return,
        Some(SocketKind::Datagram) => {
            eprintln!("SKIPPED {test}: datagram sockets in use; the kernel demultiplexes them");
            return;
        }
        Some(SocketKind::Raw) => {}
    }
    let ours = EchoSession {
        version: IcmpVersion::V4,
        ident: 0x5eed,
        token: 0x1111_2222_3333_4444,
    };
    let foreign = EchoSession {
        token: 0x9999_8888_7777_6666,
        ..ours
    };
    let listener = IcmpSocket::open(IcmpVersion::V4).unwrap();
    listener.keep_only_replies_to(ours.ident).unwrap();
    let matcher = listener.matcher(ours, target);
    let sender = IcmpSocket::open(IcmpVersion::V4).unwrap();
    let timeout = Duration::from_millis(300);

    let sent_at = Instant::now();
    sender.send_to(&foreign.request(0), target).await.unwrap();
    let foreign_result = await_reply(&listener, &matcher, 0, sent_at, timeout).await;
    assert_eq!(
        foreign_result.unwrap(),
        None,
        "a foreign token must not match"
    );

    let sent_at = Instant::now();
    sender.send_to(&ours.request(0), target).await.unwrap();
    let own_result = await_reply(&listener, &matcher, 0, sent_at, timeout).await;
    assert!(own_result.unwrap().is_some(), "our own token must match");
}

/// The kernel-side filter of a raw socket lets through echo replies with its identifier only.
#[tokio::test]
async fn probe_icmp_raw_socket_filter_keeps_only_our_identifier() {
    let test = "probe_icmp_raw_socket_filter_keeps_only_our_identifier";
    for target in ["127.0.0.1", "::1"] {
        let target = loopback(target);
        let version = IcmpVersion::of(target);
        match icmp_socket_kind(test, version) {
            None => return,
            Some(SocketKind::Datagram) => {
                eprintln!("SKIPPED {test}: datagram sockets in use; they need no filter");
                return;
            }
            Some(SocketKind::Raw) => {}
        }
        let ours = EchoSession {
            version,
            ident: 0x7a11,
            token: 0x0123_4567_89ab_cdef,
        };
        let other = EchoSession {
            ident: 0x7a12,
            ..ours
        };
        let listener = IcmpSocket::open(version).unwrap();
        listener.keep_only_replies_to(ours.ident).unwrap();
        let sender = IcmpSocket::open(version).unwrap();
        let timeout = Duration::from_millis(300);

        // This matcher ignores identifiers: only the kernel filter can keep the reply out.
        let mut other_matcher = listener.matcher(other, target);
        other_matcher.check_ident = false;
        let sent_at = Instant::now();
        sender.send_to(&other.request(0), target).await.unwrap();
        let filtered = await_reply(&listener, &other_matcher, 0, sent_at, timeout).await;
        assert_eq!(
            filtered.unwrap(),
            None,
            "{target}: the filter let another ident through"
        );

        let sent_at = Instant::now();
        sender.send_to(&ours.request(0), target).await.unwrap();
        let own_matcher = listener.matcher(ours, target);
        let kept = await_reply(&listener, &own_matcher, 0, sent_at, timeout).await;
        assert!(
            kept.unwrap().is_some(),
            "{target}: the filter dropped our own reply"
        );
    }
}

#[tokio::test]
async fn probe_icmp_matrix_over_loopback_is_all_reachable() {
    let test = "probe_icmp_matrix_over_loopback_is_all_reachable";
    if icmp_socket_kind(test, IcmpVersion::V4).is_none()
        || icmp_socket_kind(test, IcmpVersion::V6).is_none()
    {
        return;
    }
    let hosts: BTreeMap<String, _> = [
        ("b-two", "127.0.0.2"),
        ("a-one", "127.0.0.1"),
        ("c-six", "::1"),
    ]
    .into_iter()
    .map(|(name, address)| (name.to_string(), loopback(address)))
    .collect();
    let echo = Echo {
        count: 2,
        timeout: Duration::from_secs(2),
    };

    let results = probe_matrix(
        &IcmpProber::new(),
        &hosts,
        &echo,
        8,
        &CancellationToken::new(),
    )
    .await
    .unwrap();

    let names: Vec<&str> = results.iter().map(|result| result.to.as_str()).collect();
    assert_eq!(names, ["a-one", "b-two", "c-six"]);
    for result in &results {
        assert!(result.reachable && result.loss_percent == 0.0, "{result:?}");
        let (min, avg, max) = (result.rtt_min_ms, result.rtt_avg_ms, result.rtt_max_ms);
        assert!(min <= avg && avg <= max && min.unwrap() > 0.0, "{result:?}");
    }
    assert!(render_report(&results).ends_with("all 3 pairs reachable\n"));
}
