//! Deletes that EC2 refuses while something still uses the object: a VPC or subnet
//! (`DependencyViolation`) or a security group (`InvalidGroup.InUse`) whose network
//! interfaces linger for minutes after their instances went away, or that another
//! step of the same destroy is still emptying. terraform-provider-aws retries these
//! until the delete timeout; so do we, backing off, within the step's limit.

use std::future::Future;
use std::time::Duration;

use tokio::time::Instant;

use super::ops::Ctx;
use crate::ec2::Ec2Error;

/// EC2's answers to a delete of an object still in use.
const IN_USE: [&str; 2] = ["DependencyViolation", "InvalidGroup.InUse"];

/// First wait between two attempts; doubled each time up to [`MAX_DELAY`].
const FIRST_DELAY: Duration = Duration::from_secs(2);
const MAX_DELAY: Duration = Duration::from_secs(30);

pub(super) fn in_use(err: &Ec2Error) -> bool {
    matches!(err, Ec2Error::Api { code, .. } if IN_USE.contains(&code.as_str()))
}

impl Ctx<'_> {
    /// Runs `delete` again while EC2 says the object is in use, until the delete
    /// timeout would pass; then the last refusal is returned, saying how long it lasted.
    pub(super) async fn while_in_use<F, Fut>(&self, delete: F) -> Result<(), Ec2Error>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<(), Ec2Error>>,
    {
        retry_in_use(self.timeouts.delete, delete).await
    }
}

pub(super) async fn retry_in_use<F, Fut>(limit: Duration, delete: F) -> Result<(), Ec2Error>
where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<(), Ec2Error>>,
{
    let start = Instant::now();
    let mut delay = FIRST_DELAY;
    loop {
        match delete().await {
            Err(e) if in_use(&e) => {
                let waited = start.elapsed();
                if waited + delay >= limit {
                    return Err(still_in_use(e, waited));
                }
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(MAX_DELAY);
            }
            other => return other,
        }
    }
}

fn still_in_use(err: Ec2Error, waited: Duration) -> Ec2Error {
    match err {
        Ec2Error::Api { code, message } if !waited.is_zero() => Ec2Error::Api {
            code,
            message: format!(
                "{message} (still refused after retrying for {}s, up to the delete timeout: something, often a network interface of a terminated instance, still uses it; the next apply tries again, or raise timeouts.delete)",
                waited.as_secs()
            ),
        },
        other => other,
    }
}
