//! The run's building blocks that need no network: bounded concurrency, and a `Send` future.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::run::bounded;
use super::{SshConfig, SshProber};
use crate::probe::Echo;

#[tokio::test(start_paused = true)]
async fn ssh_bounded_runs_everything_never_more_than_the_limit() {
    let (running, peak) = (AtomicUsize::new(0), AtomicUsize::new(0));
    let task = |n: u64| {
        let (running, peak) = (&running, &peak);
        async move {
            let now = running.fetch_add(1, Ordering::SeqCst) + 1;
            peak.fetch_max(now, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(10 * (n % 3 + 1))).await;
            running.fetch_sub(1, Ordering::SeqCst);
            n
        }
    };
    let started = tokio::time::Instant::now();
    let mut done = bounded((0..20).map(task), 4).await;
    done.sort_unstable();
    assert_eq!(done, (0..20).collect::<Vec<_>>());
    assert_eq!(peak.load(Ordering::SeqCst), 4);
    // Concurrent, not one after another (which would take 390 ms).
    assert!(
        started.elapsed() < Duration::from_millis(150),
        "{:?}",
        started.elapsed()
    );
    // A limit of 0 still makes progress, one at a time.
    peak.store(0, Ordering::SeqCst);
    assert_eq!(bounded((0..3).map(task), 0).await.len(), 3);
    assert_eq!(peak.load(Ordering::SeqCst), 1);
}

fn insecure_config() -> SshConfig {
    let key = russh::keys::ssh_key::private::Ed25519Keypair::from_seed(&[9; 32]);
    let key = russh::keys::PrivateKey::new(key.into(), "test").unwrap();
    SshConfig {
        insecure_ignore_host_keys: true,
        ..SshConfig::new(
            "127.0.0.1",
            key.to_openssh(russh::keys::ssh_key::LineEnding::LF)
                .unwrap()
                .to_string(),
        )
    }
}

/// The data source awaits `probe_matrix` behind `async_trait`, which needs a `Send` future.
#[test]
fn ssh_probe_matrix_future_is_send() {
    fn assert_send<T: Send>(_: &T) {}
    let prober = SshProber::new(&insecure_config()).unwrap();
    let hosts = BTreeMap::new();
    let echo = Echo {
        count: 1,
        timeout: Duration::from_secs(1),
    };
    let cancel = CancellationToken::new();
    let future = prober.probe_matrix(&hosts, &hosts, &echo, &cancel);
    assert_send(&future);
}
