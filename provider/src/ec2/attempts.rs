//! Runs one logical EC2 call as a series of attempts under an [`Ec2RetryPolicy`].

use std::future::Future;
use std::time::Duration;

use tokio::time::Instant;

use super::retry::{Ec2RetryPolicy, Failure};
use super::Ec2Error;

/// Waits between NotFound retries stay short: the object usually shows up in seconds.
const MAX_NOT_FOUND_WAIT: Duration = Duration::from_secs(5);

/// One failed attempt: what retrying needs to know, and the error to report if we stop.
#[derive(Debug, Clone)]
pub struct AttemptError {
    pub failure: Failure,
    pub error: Ec2Error,
    /// For NotFound about an object this client created itself: when it did. Such a
    /// NotFound is retried until `created_at + not_found_window`, with its own short
    /// waits, without using up the throttling budget.
    pub created_at: Option<Instant>,
}

/// What the caller knows about the call being retried.
#[derive(Debug, Clone, Copy, Default)]
pub struct CallTraits {
    /// Creates an object and has no client token: repeating it after an ambiguous
    /// failure could create a second object, so it is only repeated when EC2 surely
    /// did nothing (throttling). The object, if made, is found later by its tags.
    pub creates_object: bool,
}

/// Calls `attempt` until it succeeds, fails for good, or the policy's budget is spent.
pub async fn run_attempts<T, F, Fut>(
    policy: &Ec2RetryPolicy,
    call: CallTraits,
    mut attempt: F,
) -> Result<T, Ec2Error>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, AttemptError>>,
{
    let mut retriable_failures = 0u32;
    let mut not_found_failures = 0u32;
    loop {
        let err = match attempt().await {
            Ok(value) => return Ok(value),
            Err(err) => err,
        };
        if err.failure.is_not_found() {
            let fresh = err
                .created_at
                .is_some_and(|t| t.elapsed() < policy.not_found_window());
            if !fresh {
                return Err(err.error);
            }
            not_found_failures += 1;
            tracing::debug!(error = %err.error, "object not visible yet after our create; retrying");
            tokio::time::sleep(policy.backoff(not_found_failures).min(MAX_NOT_FOUND_WAIT)).await;
            continue;
        }
        if !policy.is_retriable(&err.failure) || (call.creates_object && err.failure.is_ambiguous())
        {
            return Err(err.error);
        }
        retriable_failures += 1;
        if retriable_failures >= policy.max_attempts() {
            return Err(Ec2Error::Exhausted {
                attempts: retriable_failures,
                last: Box::new(err.error),
            });
        }
        let wait = policy.backoff(retriable_failures);
        tracing::debug!(error = %err.error, attempt = retriable_failures, ?wait, "retrying EC2 request");
        tokio::time::sleep(wait).await;
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use super::*;
    use crate::ec2::retry::Ec2RetryPolicy;

    fn fail(code: &str, status: u16) -> AttemptError {
        AttemptError {
            failure: Failure {
                code: Some(code.to_string()),
                http_status: Some(status),
                transport: false,
            },
            error: Ec2Error::Api {
                code: code.to_string(),
                message: String::new(),
            },
            created_at: None,
        }
    }

    /// NotFound about an object we created at `created_at` (if we did).
    fn not_found(created_at: Option<Instant>) -> AttemptError {
        let mut e = fail("InvalidVpcPeeringConnectionID.NotFound", 400);
        e.error = Ec2Error::NotFound {
            kind: "VPC peering connection",
            id: "pcx-1".into(),
        };
        e.created_at = created_at;
        e
    }

    #[tokio::test(start_paused = true)]
    async fn throttling_is_retried_with_backoff_then_succeeds() {
        let policy = Ec2RetryPolicy::from_max_retries(5);
        let calls = AtomicU32::new(0);
        let start = Instant::now();
        let out = run_attempts(&policy, CallTraits::default(), || async {
            match calls.fetch_add(1, Ordering::SeqCst) {
                0..=2 => Err(fail("RequestLimitExceeded", 503)),
                _ => Ok("done"),
            }
        })
        .await;
        assert_eq!(out, Ok("done"));
        assert_eq!(calls.load(Ordering::SeqCst), 4);
        // Three waits: at least half of 250ms + 500ms + 1s, at most all of it.
        let waited = start.elapsed();
        assert!(
            waited >= Duration::from_millis(875) && waited <= Duration::from_millis(1750),
            "{waited:?}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn gives_up_after_max_attempts() {
        let policy = Ec2RetryPolicy::from_max_retries(2);
        let calls = AtomicU32::new(0);
        let out: Result<(), _> = run_attempts(&policy, CallTraits::default(), || async {
            calls.fetch_add(1, Ordering::SeqCst);
            Err(fail("InternalError", 500))
        })
        .await;
        assert_eq!(calls.load(Ordering::SeqCst), 3);
        assert!(
            matches!(out, Err(Ec2Error::Exhausted { attempts: 3, .. })),
            "{out:?}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn permanent_errors_are_not_retried() {
        let policy = Ec2RetryPolicy::from_max_retries(5);
        let calls = AtomicU32::new(0);
        let out: Result<(), _> = run_attempts(&policy, CallTraits::default(), || async {
            calls.fetch_add(1, Ordering::SeqCst);
            Err(fail("VpcLimitExceeded", 400))
        })
        .await;
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        assert!(matches!(out, Err(Ec2Error::Api { code, .. }) if code == "VpcLimitExceeded"));
    }

    #[tokio::test(start_paused = true)]
    async fn creates_are_not_repeated_after_ambiguous_failures() {
        let policy = Ec2RetryPolicy::from_max_retries(5);
        let create = CallTraits {
            creates_object: true,
        };
        let calls = AtomicU32::new(0);
        let out: Result<(), _> = run_attempts(&policy, create, || async {
            calls.fetch_add(1, Ordering::SeqCst);
            Err(fail("InternalError", 500))
        })
        .await;
        assert!(matches!(out, Err(Ec2Error::Api { .. })));
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        // Throttled creates were not performed: repeating them is safe.
        let calls = AtomicU32::new(0);
        let out = run_attempts(&policy, create, || async {
            match calls.fetch_add(1, Ordering::SeqCst) {
                0 => Err(fail("RequestLimitExceeded", 503)),
                _ => Ok(()),
            }
        })
        .await;
        assert_eq!((out, calls.load(Ordering::SeqCst)), (Ok(()), 2));
    }

    #[tokio::test(start_paused = true)]
    async fn not_found_is_retried_only_right_after_our_create() {
        let policy = Ec2RetryPolicy::from_max_retries(0);
        let call = CallTraits::default();
        // Not created by us: NotFound is final at once.
        let calls = AtomicU32::new(0);
        let out: Result<(), _> = run_attempts(&policy, call, || async {
            calls.fetch_add(1, Ordering::SeqCst);
            Err(not_found(None))
        })
        .await;
        assert!(matches!(out, Err(Ec2Error::NotFound { .. })));
        assert_eq!(calls.load(Ordering::SeqCst), 1);

        // Just created: retried (despite max_retries = 0) until it shows up.
        let created = Instant::now();
        let calls = AtomicU32::new(0);
        let out = run_attempts(&policy, call, || async {
            match calls.fetch_add(1, Ordering::SeqCst) {
                0..=3 => Err(not_found(Some(created))),
                _ => Ok(()),
            }
        })
        .await;
        assert_eq!(out, Ok(()));
        assert_eq!(calls.load(Ordering::SeqCst), 5);

        // Never shows up: stops once the window has passed.
        let start = Instant::now();
        let out: Result<(), _> =
            run_attempts(&policy, call, || async { Err(not_found(Some(start))) }).await;
        assert!(matches!(out, Err(Ec2Error::NotFound { .. })));
        let waited = start.elapsed();
        assert!(
            waited >= policy.not_found_window
                && waited < policy.not_found_window + MAX_NOT_FOUND_WAIT * 2
        );
    }
}
