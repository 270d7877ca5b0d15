//! A scripted [`Prober`] for tests of everything above the ICMP layer (also usable by the data
//! source's tests): per-address outcomes, delays, permission failures or probes that never end,
//! and counters of how many probes ran at once and how many were abandoned unfinished.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use futures::future::BoxFuture;
use futures::FutureExt;

use super::{Echo, ProbeError, ProbeOutcome, Prober};

#[derive(Debug, Clone)]
enum Script {
    /// Returns `outcome` after `delay`.
    Answer {
        outcome: ProbeOutcome,
        delay: Duration,
    },
    /// Fails with [`ProbeError::Permission`] carrying this message.
    Refuse(String),
    /// Never finishes (until dropped).
    Hang,
}

#[derive(Debug, Default)]
pub(crate) struct FakeProber {
    scripts: HashMap<IpAddr, Script>,
    /// How long unscripted probes take; they answer every echo in 1 ms.
    default_delay: Duration,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
    abandoned: AtomicUsize,
}

impl FakeProber {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    pub(crate) fn with_default_delay(mut self, delay: Duration) -> Self {
        self.default_delay = delay;
        self
    }

    /// `address` yields `outcome` after `delay`.
    pub(crate) fn answering(
        mut self,
        address: IpAddr,
        outcome: ProbeOutcome,
        delay: Duration,
    ) -> Self {
        self.scripts
            .insert(address, Script::Answer { outcome, delay });
        self
    }

    /// Every echo lost, as if each request timed out.
    pub(crate) fn silent(self, address: IpAddr, echo: &Echo) -> Self {
        let outcome = ProbeOutcome {
            sent: echo.count,
            received: 0,
            rtts: Vec::new(),
        };
        self.answering(address, outcome, Duration::ZERO)
    }

    pub(crate) fn refusing(mut self, address: IpAddr, message: &str) -> Self {
        self.scripts
            .insert(address, Script::Refuse(message.to_string()));
        self
    }

    pub(crate) fn hanging(mut self, address: IpAddr) -> Self {
        self.scripts.insert(address, Script::Hang);
        self
    }

    /// The most probes that were running at the same time.
    pub(crate) fn max_in_flight(&self) -> usize {
        self.max_in_flight.load(Ordering::SeqCst)
    }

    /// Probes dropped before they finished (cancelled or cut short by another probe's error).
    pub(crate) fn abandoned(&self) -> usize {
        self.abandoned.load(Ordering::SeqCst)
    }

    async fn run(&self, target: IpAddr, echo: &Echo) -> Result<ProbeOutcome, ProbeError> {
        let guard = InFlight::enter(self);
        let script = self.scripts.get(&target).cloned().unwrap_or_else(|| {
            let rtts = vec![Duration::from_millis(1); echo.count as usize];
            Script::Answer {
                outcome: ProbeOutcome {
                    sent: echo.count,
                    received: echo.count,
                    rtts,
                },
                delay: self.default_delay,
            }
        });
        let result = match script {
            Script::Answer { outcome, delay } => {
                tokio::time::sleep(delay).await;
                Ok(outcome)
            }
            Script::Refuse(message) => Err(ProbeError::Permission(message)),
            Script::Hang => futures::future::pending().await,
        };
        guard.finish();
        result
    }
}

impl Prober for FakeProber {
    fn probe<'a>(
        &'a self,
        target: IpAddr,
        echo: &'a Echo,
    ) -> BoxFuture<'a, Result<ProbeOutcome, ProbeError>> {
        self.run(target, echo).boxed()
    }
}

/// Counts a running probe; dropping it unfinished counts the probe as abandoned.
struct InFlight<'a> {
    prober: &'a FakeProber,
    finished: bool,
}

impl<'a> InFlight<'a> {
    fn enter(prober: &'a FakeProber) -> Self {
        let now = prober.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        prober.max_in_flight.fetch_max(now, Ordering::SeqCst);
        Self {
            prober,
            finished: false,
        }
    }

    fn finish(mut self) {
        self.finished = true;
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.prober.in_flight.fetch_sub(1, Ordering::SeqCst);
        if !self.finished {
            self.prober.abandoned.fetch_add(1, Ordering::SeqCst);
        }
    }
}
