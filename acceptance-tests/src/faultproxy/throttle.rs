//! EC2's request throttling: a token bucket per action, sized by the
//! action's category.

use std::collections::HashMap;
use std::time::Instant;

/// One token bucket: `capacity` calls at once, `refill_per_second` after.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Bucket {
    pub capacity: u32,
    pub refill_per_second: f64,
}

impl Bucket {
    pub fn new(capacity: u32, refill_per_second: f64) -> Bucket {
        Bucket {
            capacity,
            refill_per_second,
        }
    }
}

/// Bucket sizes per category of action; every action gets its own bucket of
/// its category's size (EC2 throttles per account, region and action).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Throttle {
    /// `Describe*`.
    pub describe: Bucket,
    /// Other mutating actions (CreateVpc, CreateRoute, ...).
    pub mutating: Bucket,
    /// Create/Accept/Delete/RejectVpcPeeringConnection, Authorize/RevokeSecurityGroupIngress.
    pub resource_intensive: Bucket,
    /// CreateTags, DeleteTags.
    pub tags: Bucket,
}

impl Throttle {
    /// AWS's published bucket sizes and refill rates.
    pub fn aws_buckets() -> Throttle {
        Throttle {
            describe: Bucket::new(100, 20.0),
            mutating: Bucket::new(50, 5.0),
            resource_intensive: Bucket::new(50, 5.0),
            tags: Bucket::new(100, 10.0),
        }
    }
    /// Small buckets that a 4-VPC apply runs into a few times, refilling
    /// fast enough that a paced client loses seconds, not minutes.
    pub fn tight() -> Throttle {
        Throttle {
            describe: Bucket::new(10, 5.0),
            mutating: Bucket::new(4, 2.0),
            resource_intensive: Bucket::new(3, 2.0),
            tags: Bucket::new(4, 2.0),
        }
    }
    /// The same bucket for every action (tests: `Bucket::new(2, 0.0)` answers
    /// the third call of any action with RequestLimitExceeded, always).
    pub fn uniform(bucket: Bucket) -> Throttle {
        Throttle {
            describe: bucket,
            mutating: bucket,
            resource_intensive: bucket,
            tags: bucket,
        }
    }
    /// The bucket size for `action`.
    pub fn bucket_for(&self, action: &str) -> Bucket {
        const RESOURCE_INTENSIVE: [&str; 6] = [
            "CreateVpcPeeringConnection",
            "AcceptVpcPeeringConnection",
            "DeleteVpcPeeringConnection",
            "RejectVpcPeeringConnection",
            "AuthorizeSecurityGroupIngress",
            "RevokeSecurityGroupIngress",
        ];
        if action.starts_with("Describe") {
            self.describe
        } else if action == "CreateTags" || action == "DeleteTags" {
            self.tags
        } else if RESOURCE_INTENSIVE.contains(&action) {
            self.resource_intensive
        } else {
            self.mutating
        }
    }
}

/// The buckets' current levels, one per action.
#[derive(Default)]
pub(crate) struct Buckets(HashMap<String, Level>);

struct Level {
    tokens: f64,
    refilled: Instant,
}

impl Buckets {
    /// Takes a token from `action`'s bucket (sized `bucket`, full at first
    /// use); false when it is empty.
    pub(crate) fn take(&mut self, action: &str, bucket: Bucket, now: Instant) -> bool {
        let capacity = f64::from(bucket.capacity);
        let level = self.0.entry(action.to_string()).or_insert(Level {
            tokens: capacity,
            refilled: now,
        });
        let elapsed = now.saturating_duration_since(level.refilled).as_secs_f64();
        level.tokens = (level.tokens + elapsed * bucket.refill_per_second).min(capacity);
        level.refilled = now;
        if level.tokens < 1.0 {
            return false;
        }
        level.tokens -= 1.0;
        true
    }

    pub(crate) fn clear(&mut self) {
        self.0.clear();
    }
}
