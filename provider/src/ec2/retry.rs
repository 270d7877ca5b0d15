//! Which failed EC2 requests to try again, and how long to wait first. One policy for
//! the whole client: the SDK's own retries are disabled (see `aws/sdk_config.rs`).
//!
//! Retried: throttling (`RequestLimitExceeded`, `Throttling`, ...), HTTP 500/502/503/504
//! and network failures, up to `max_retries` retries with capped exponential backoff and
//! jitter; and `...NotFound` about an object this client itself created a moment ago
//! (EC2 is eventually consistent), for a bounded time after that create.

use std::time::Duration;

/// A failed request, as far as retrying is concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// EC2 error code, e.g. `RequestLimitExceeded`; None when EC2 did not answer with one.
    pub code: Option<String>,
    pub http_status: Option<u16>,
    /// The request may not have reached EC2 or its answer was lost (I/O, timeout).
    pub transport: bool,
}

impl Failure {
    pub fn is_throttling(&self) -> bool {
        self.code.as_deref().is_some_and(is_throttling_code)
    }

    /// EC2 may have performed the request although it failed: the answer was lost or
    /// the server broke mid-way. Throttling and "unavailable" answers mean nothing was done.
    pub fn is_ambiguous(&self) -> bool {
        if self.is_throttling()
            || matches!(
                self.code.as_deref(),
                Some("ServiceUnavailable" | "Unavailable")
            )
        {
            return false;
        }
        self.transport
            || matches!(
                self.code.as_deref(),
                Some("InternalError" | "InternalFailure")
            )
            || self.http_status.is_some_and(|s| s >= 500)
    }

    pub fn is_not_found(&self) -> bool {
        self.code
            .as_deref()
            .is_some_and(|c| c.ends_with(".NotFound") || c.ends_with("NotFound"))
    }
}

pub fn is_throttling_code(code: &str) -> bool {
    matches!(
        code,
        "RequestLimitExceeded"
            | "Throttling"
            | "ThrottlingException"
            | "RequestThrottled"
            | "RequestThrottledException"
            | "SlowDown"
    )
}

fn is_transient_code(code: &str) -> bool {
    matches!(
        code,
        "InternalError" | "InternalFailure" | "ServiceUnavailable" | "Unavailable"
    )
}

/// EC2's policy: full budget for throttling and 5xx, capped exponential backoff with
/// "equal jitter" (half fixed, half random), so clients that were throttled together do
/// not come back together.
#[derive(Debug)]
pub struct Ec2RetryPolicy {
    pub max_attempts: u32,
    pub base: Duration,
    pub cap: Duration,
    pub not_found_window: Duration,
}

impl Ec2RetryPolicy {
    /// `max_retries` from the provider configuration (0 = try once).
    pub fn from_max_retries(max_retries: i64) -> Self {
        Ec2RetryPolicy {
            max_attempts: u32::try_from(max_retries.max(0))
                .unwrap_or(u32::MAX)
                .saturating_add(1),
            base: Duration::from_millis(250),
            cap: Duration::from_secs(20),
            // terraform-provider-aws waits up to 2 minutes for new objects to propagate.
            not_found_window: Duration::from_secs(120),
        }
    }

    /// The un-jittered ceiling for the wait after `attempt`.
    pub fn ceiling(&self, attempt: u32) -> Duration {
        let factor = 1u32
            .checked_shl(attempt.saturating_sub(1).min(20))
            .unwrap_or(u32::MAX);
        self.base.saturating_mul(factor).min(self.cap)
    }
}

impl Ec2RetryPolicy {
    /// Attempts in all, the first one included.
    pub fn max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// Worth another attempt (budget permitting)? NotFound is decided separately, by
    /// [`Ec2RetryPolicy::not_found_window`].
    pub fn is_retriable(&self, failure: &Failure) -> bool {
        failure.transport
            || failure.is_throttling()
            || failure.code.as_deref().is_some_and(is_transient_code)
            || failure
                .http_status
                .is_some_and(|s| matches!(s, 500 | 502 | 503 | 504))
    }

    /// Wait before attempt `attempt + 1` (`attempt` counts from 1).
    pub fn backoff(&self, attempt: u32) -> Duration {
        let ceiling = self.ceiling(attempt);
        ceiling / 2 + ceiling.div_f64(2.0).mul_f64(fastrand::f64())
    }

    /// How long after our own create of an object NotFound about it is still retried.
    pub fn not_found_window(&self) -> Duration {
        self.not_found_window
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failure(code: Option<&str>, status: Option<u16>) -> Failure {
        Failure {
            code: code.map(str::to_string),
            http_status: status,
            transport: false,
        }
    }

    #[test]
    fn classifies_throttling_and_server_errors() {
        let p = Ec2RetryPolicy::from_max_retries(3);
        assert_eq!(p.max_attempts(), 4);
        assert!(p.is_retriable(&failure(Some("RequestLimitExceeded"), Some(503))));
        assert!(p.is_retriable(&failure(Some("Throttling"), Some(400))));
        assert!(p.is_retriable(&failure(None, Some(502))));
        assert!(p.is_retriable(&failure(Some("InternalError"), Some(500))));
        assert!(p.is_retriable(&Failure {
            code: None,
            http_status: None,
            transport: true
        }));
        assert!(!p.is_retriable(&failure(Some("VpcLimitExceeded"), Some(400))));
        assert!(!p.is_retriable(&failure(Some("InvalidVpcID.NotFound"), Some(400))));
        assert!(!p.is_retriable(&failure(Some("UnauthorizedOperation"), Some(403))));
        assert!(failure(Some("InvalidVpcPeeringConnectionID.NotFound"), None).is_not_found());
        assert_eq!(Ec2RetryPolicy::from_max_retries(0).max_attempts(), 1);
        assert!(!failure(Some("RequestLimitExceeded"), Some(503)).is_ambiguous());
        assert!(failure(Some("InternalError"), Some(500)).is_ambiguous());
        assert!(failure(None, Some(504)).is_ambiguous());
        assert!(!failure(Some("InvalidParameterValue"), Some(400)).is_ambiguous());
    }

    #[test]
    fn backoff_grows_is_capped_and_jittered() {
        let p = Ec2RetryPolicy::from_max_retries(10);
        assert_eq!(p.ceiling(1), Duration::from_millis(250));
        assert_eq!(p.ceiling(3), Duration::from_secs(1));
        assert_eq!(p.ceiling(30), Duration::from_secs(20));
        let mut seen = std::collections::BTreeSet::new();
        for attempt in 1..=12 {
            for _ in 0..50 {
                let wait = p.backoff(attempt);
                assert!(
                    wait >= p.ceiling(attempt) / 2 && wait <= p.ceiling(attempt),
                    "{wait:?} at {attempt}"
                );
                seen.insert(wait);
            }
        }
        assert!(seen.len() > 100, "jitter spreads the waits");
    }
}
