//! One log line per Terraform call that reached EC2: requests by action, how many
//! changed something, and the process's peak memory. `TF_LOG_PROVIDER=INFO` shows it;
//! the apply/refresh benchmark reads it. Resources and data sources alike log it.

use std::collections::BTreeMap;
use std::future::Future;

use super::{Ec2Access, HasAwsSettings};
use crate::ec2::counting::summary;
use crate::ec2::Action;

impl<C: HasAwsSettings> Ec2Access<C> {
    /// Runs `call` (the handling of Terraform call `rpc`) and logs the EC2 requests
    /// it made. Calls running at the same time (several meshes) share the counts.
    pub async fn metered<T>(&self, rpc: &'static str, call: impl Future<Output = T>) -> T {
        let before = self.request_counts().await.unwrap_or_default();
        let out = call.await;
        let Some(counter) = self.connected().await.and_then(|c| c.counter) else {
            return out;
        };
        let made = counter.since(&before);
        let total: u64 = made.values().sum();
        let mutating: u64 = made
            .iter()
            .filter(|(a, _)| a.is_mutating())
            .map(|(_, n)| n)
            .sum();
        tracing::info!(
            rpc,
            requests = total,
            mutating,
            by_action = %summary(&made),
            peak_rss_kib = peak_rss_kib().unwrap_or(0),
            "EC2 requests"
        );
        out
    }

    async fn request_counts(&self) -> Option<BTreeMap<Action, u64>> {
        self.connected().await?.counter.map(|c| c.snapshot())
    }
}

/// The process's peak resident memory (Linux `VmHWM`), in KiB.
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[cfg(test)]
mod tests {
    #[test]
    fn peak_memory_is_read_on_linux() {
        let kib = super::peak_rss_kib().expect("VmHWM in /proc/self/status");
        assert!(kib > 100, "a test process uses more than 100 KiB: {kib}");
    }
}
