use std::time::Instant;

use super::*;
use crate::probe::fake::FakeProber;

const ECHO: Echo = Echo {
    count: 3,
    timeout: Duration::from_millis(100),
};

fn ip(text: &str) -> IpAddr {
    text.parse().unwrap()
}

fn hosts(entries: &[(&str, &str)]) -> BTreeMap<String, IpAddr> {
    entries
        .iter()
        .map(|(name, address)| (name.to_string(), ip(address)))
        .collect()
}

fn numbered_hosts(count: u8) -> BTreeMap<String, IpAddr> {
    (1..=count)
        .map(|n| (format!("host{n:02}"), IpAddr::from([127, 0, 0, n])))
        .collect()
}

fn outcome(sent: u32, rtts_us: &[u64]) -> ProbeOutcome {
    ProbeOutcome {
        sent,
        received: rtts_us.len() as u32,
        rtts: rtts_us
            .iter()
            .map(|&us| Duration::from_micros(us))
            .collect(),
    }
}

fn assert_close(actual: Option<f64>, expected: f64) {
    let actual = actual.expect("an RTT");
    assert!((actual - expected).abs() < 1e-9, "{actual} != {expected}");
}

#[tokio::test]
async fn probe_matrix_results_are_sorted_whatever_order_probes_finish_in() {
    let hosts = hosts(&[
        ("shared", "127.0.0.4"),
        ("development", "127.0.0.2"),
        ("production", "127.0.0.1"),
        ("testing", "127.0.0.3"),
    ]);
    // The alphabetically first host finishes last.
    let prober = FakeProber::new()
        .answering(
            ip("127.0.0.2"),
            outcome(3, &[1000]),
            Duration::from_millis(60),
        )
        .answering(
            ip("127.0.0.1"),
            outcome(3, &[1000]),
            Duration::from_millis(40),
        )
        .answering(
            ip("127.0.0.4"),
            outcome(3, &[1000]),
            Duration::from_millis(20),
        )
        .answering(ip("127.0.0.3"), outcome(3, &[1000]), Duration::ZERO);
    let cancel = CancellationToken::new();

    let results = probe_matrix(&prober, &hosts, &ECHO, 4, &cancel)
        .await
        .unwrap();

    let order: Vec<(&str, &str)> = results
        .iter()
        .map(|r| (r.from.as_str(), r.to.as_str()))
        .collect();
    assert_eq!(
        order,
        [
            ("local", "development"),
            ("local", "production"),
            ("local", "shared"),
            ("local", "testing"),
        ]
    );
    assert_eq!(results[0].address, ip("127.0.0.2"));
    assert_eq!(results[3].address, ip("127.0.0.3"));
}

#[tokio::test]
async fn probe_matrix_loss_and_rtt_arithmetic_keeps_sub_millisecond_precision() {
    let hosts = hosts(&[("development", "127.0.0.2"), ("production", "::1")]);
    let prober = FakeProber::new()
        .answering(ip("127.0.0.2"), outcome(3, &[1500, 2500]), Duration::ZERO)
        .answering(ip("::1"), outcome(4, &[250, 750, 125, 900]), Duration::ZERO);

    let results = probe_matrix(&prober, &hosts, &ECHO, 2, &CancellationToken::new())
        .await
        .unwrap();

    let development = &results[0];
    assert_eq!((development.sent, development.received), (3, 2));
    assert!((development.loss_percent - 100.0 / 3.0).abs() < 1e-9);
    assert_close(development.rtt_min_ms, 1.5);
    assert_close(development.rtt_avg_ms, 2.0);
    assert_close(development.rtt_max_ms, 2.5);
    assert!(development.reachable);

    let production = &results[1];
    assert_eq!(production.loss_percent, 0.0);
    assert_close(production.rtt_min_ms, 0.125);
    assert_close(production.rtt_avg_ms, 0.50625);
    assert_close(production.rtt_max_ms, 0.9);
}

#[tokio::test]
async fn probe_matrix_unreachable_host_is_data_not_error() {
    let hosts = hosts(&[("production", "127.0.0.1"), ("shared", "127.0.0.4")]);
    let prober = FakeProber::new().silent(ip("127.0.0.4"), &ECHO);

    let results = probe_matrix(&prober, &hosts, &ECHO, 2, &CancellationToken::new())
        .await
        .unwrap();

    assert!(results[0].reachable);
    assert_eq!(
        results[1],
        PairResult {
            from: "local".into(),
            to: "shared".into(),
            address: ip("127.0.0.4"),
            sent: 3,
            received: 0,
            loss_percent: 100.0,
            rtt_min_ms: None,
            rtt_avg_ms: None,
            rtt_max_ms: None,
            reachable: false,
        }
    );
}

#[test]
fn probe_matrix_nothing_sent_counts_as_total_loss() {
    let result = PairResult::from_outcome("local", "x", ip("127.0.0.1"), &outcome(0, &[]));
    assert_eq!(result.loss_percent, 100.0);
    assert!(!result.reachable);
}

#[tokio::test]
async fn probe_matrix_honours_the_concurrency_bound() {
    let hosts = numbered_hosts(10);
    for (concurrency, expected_peak) in [(3, 3), (0, 1), (1, 1), (64, 10)] {
        let prober = FakeProber::new().with_default_delay(Duration::from_millis(15));
        let results = probe_matrix(
            &prober,
            &hosts,
            &ECHO,
            concurrency,
            &CancellationToken::new(),
        )
        .await
        .unwrap();
        assert_eq!(results.len(), 10);
        assert_eq!(
            prober.max_in_flight(),
            expected_peak,
            "concurrency {concurrency}"
        );
    }
}

#[tokio::test]
async fn probe_matrix_cancellation_stops_promptly_and_drops_running_probes() {
    let hosts = numbered_hosts(3);
    let prober = FakeProber::new().hanging(ip("127.0.0.2"));
    let cancel = CancellationToken::new();
    let trigger = cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(50)).await;
        trigger.cancel();
    });

    let started = Instant::now();
    let result = probe_matrix(&prober, &hosts, &ECHO, 3, &cancel).await;

    assert!(started.elapsed() < Duration::from_secs(2));
    assert!(
        matches!(
            result,
            Err(ProbeError::Cancelled {
                completed: 2,
                total: 3
            })
        ),
        "{result:?}"
    );
    assert_eq!(prober.abandoned(), 1, "the hanging probe must be dropped");
}

#[tokio::test]
async fn probe_matrix_already_cancelled_runs_nothing() {
    let prober = FakeProber::new().hanging(ip("127.0.0.1"));
    let cancel = CancellationToken::new();
    cancel.cancel();

    let result = probe_matrix(&prober, &numbered_hosts(2), &ECHO, 2, &cancel).await;

    assert!(matches!(
        result,
        Err(ProbeError::Cancelled {
            completed: 0,
            total: 2
        })
    ));
    assert_eq!(prober.max_in_flight(), 0);
}

#[tokio::test]
async fn probe_matrix_permission_error_is_propagated_and_stops_the_run() {
    let message = "cannot send ICMP: test says no";
    let prober = FakeProber::new()
        .hanging(ip("127.0.0.1"))
        .refusing(ip("127.0.0.2"), message);

    let result = probe_matrix(
        &prober,
        &numbered_hosts(3),
        &ECHO,
        3,
        &CancellationToken::new(),
    )
    .await;

    match result {
        Err(ProbeError::Permission(actual)) => assert_eq!(actual, message),
        other => panic!("expected a permission error, got {other:?}"),
    }
    assert_eq!(
        prober.abandoned(),
        1,
        "the hanging probe must not block the error"
    );
}

/// Callers await the matrix inside boxed `Send` futures with generic lifetimes (async_trait).
#[tokio::test]
async fn probe_matrix_future_is_send_for_any_lifetimes() {
    fn boxed<'a>(
        prober: &'a dyn Prober,
        hosts: &'a BTreeMap<String, IpAddr>,
        cancel: &'a CancellationToken,
    ) -> futures::future::BoxFuture<'a, usize> {
        Box::pin(async move {
            let results = probe_matrix(prober, hosts, &ECHO, 1, cancel).await;
            results.map_or(0, |results| results.len())
        })
    }
    let (prober, hosts, cancel) = (
        FakeProber::new(),
        numbered_hosts(2),
        CancellationToken::new(),
    );
    assert_eq!(boxed(&prober, &hosts, &cancel).await, 2);
}

#[tokio::test]
async fn probe_matrix_of_no_hosts_is_empty() {
    let prober = FakeProber::new();
    let results = probe_matrix(
        &prober,
        &BTreeMap::new(),
        &ECHO,
        4,
        &CancellationToken::new(),
    )
    .await
    .unwrap();
    assert!(results.is_empty());
}
