//! Client-side pacing that mirrors EC2's request token buckets (per account, region and
//! API action), so a big mesh waits for tokens instead of bouncing off
//! `RequestLimitExceeded`. Another client of the same account shares AWS's buckets, so
//! throttling can still happen; the retry policy covers that.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

use super::Action;

/// EC2's throttling categories, with their bucket sizes and refill rates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Category {
    /// Describe* calls (filtered or paginated).
    NonMutating,
    Mutating,
    /// Create/Accept/DeleteVpcPeeringConnection, Authorize/RevokeSecurityGroupIngress (and
    /// EC2's RejectVpcPeeringConnection, which the provider never calls).
    ResourceIntensive,
    /// CreateTags / DeleteTags.
    Tagging,
    /// Not an EC2 call (STS).
    Unpaced,
}

impl Category {
    /// Every action named, no catch-all: a new action needs its category decided.
    pub fn of(action: Action) -> Category {
        use Action::*;
        match action {
            GetCallerIdentity => Category::Unpaced,
            CreateTags | DeleteTags => Category::Tagging,
            CreateVpcPeeringConnection
            | AcceptVpcPeeringConnection
            | DeleteVpcPeeringConnection
            | AuthorizeSecurityGroupIngress
            | RevokeSecurityGroupIngress => Category::ResourceIntensive,
            DescribeVpcs
            | DescribeSubnets
            | DescribeRouteTables
            | DescribeInternetGateways
            | DescribeSecurityGroups
            | DescribeVpcPeeringConnections
            | DescribeVpcAttribute
            | DescribeInstances => Category::NonMutating,
            CreateVpc
            | ModifyVpcAttribute
            | DeleteVpc
            | CreateSubnet
            | DeleteSubnet
            | CreateRouteTable
            | AssociateRouteTable
            | DisassociateRouteTable
            | DeleteRouteTable
            | CreateInternetGateway
            | AttachInternetGateway
            | DetachInternetGateway
            | DeleteInternetGateway
            | CreateRoute
            | ReplaceRoute
            | DeleteRoute
            | CreateSecurityGroup
            | DeleteSecurityGroup
            | ModifyVpcPeeringConnectionOptions
            | AssociateVpcCidrBlock
            | DisassociateVpcCidrBlock
            | AssociateSubnetCidrBlock
            | DisassociateSubnetCidrBlock => Category::Mutating,
        }
    }

    /// (bucket size, tokens added per second)
    pub fn bucket(self) -> Option<(f64, f64)> {
        match self {
            Category::NonMutating => Some((100.0, 20.0)),
            Category::Mutating | Category::ResourceIntensive => Some((50.0, 5.0)),
            Category::Tagging => Some((100.0, 10.0)),
            Category::Unpaced => None,
        }
    }
}

#[derive(Debug)]
struct Bucket {
    capacity: f64,
    per_second: f64,
    /// May go negative: callers reserve future tokens and sleep until they exist, which
    /// keeps waiting callers in arrival order.
    tokens: f64,
    updated: Instant,
}

impl Bucket {
    /// Takes one token and says how long to wait until it is really there.
    fn reserve(&mut self, now: Instant) -> Duration {
        let elapsed = now.saturating_duration_since(self.updated).as_secs_f64();
        self.tokens = (self.tokens + elapsed * self.per_second).min(self.capacity);
        self.updated = now;
        self.tokens -= 1.0;
        if self.tokens >= 0.0 {
            Duration::ZERO
        } else {
            Duration::from_secs_f64(-self.tokens / self.per_second)
        }
    }
}

/// One bucket per (region, action), created full on first use.
#[derive(Debug, Default)]
pub struct Pacer {
    buckets: Mutex<HashMap<(String, Action), Bucket>>,
}

impl Pacer {
    pub fn new() -> Self {
        Self::default()
    }

    /// Waits until a request of `action` in `region` may be sent.
    pub async fn acquire(&self, region: &str, action: Action) {
        let Some((capacity, per_second)) = Category::of(action).bucket() else {
            return;
        };
        let now = Instant::now();
        let wait = {
            let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
            let bucket = buckets
                .entry((region.to_string(), action))
                .or_insert_with(|| Bucket {
                    capacity,
                    per_second,
                    tokens: capacity,
                    updated: now,
                });
            bucket.reserve(now)
        };
        if !wait.is_zero() {
            tracing::trace!(
                region,
                action = action.as_str(),
                ?wait,
                "pacing EC2 request"
            );
            tokio::time::sleep(wait).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Float refill arithmetic may be off by nanoseconds.
    fn about(actual: Duration, expected: Duration) -> bool {
        actual.abs_diff(expected) < Duration::from_millis(1)
    }

    #[test]
    fn categories_follow_ec2() {
        assert_eq!(Category::of(Action::DescribeVpcs), Category::NonMutating);
        assert_eq!(Category::of(Action::CreateRoute), Category::Mutating);
        assert_eq!(
            Category::of(Action::CreateVpcPeeringConnection),
            Category::ResourceIntensive
        );
        assert_eq!(
            Category::of(Action::AuthorizeSecurityGroupIngress),
            Category::ResourceIntensive
        );
        assert_eq!(Category::of(Action::CreateTags), Category::Tagging);
        assert_eq!(Category::of(Action::GetCallerIdentity), Category::Unpaced);
        for &action in Action::ALL {
            let reads = Category::of(action) == Category::NonMutating;
            assert_eq!(reads, action.is_describe(), "{action}");
        }
    }

    #[tokio::test(start_paused = true)]
    async fn burst_then_refill_rate() {
        let pacer = Pacer::new();
        let start = Instant::now();
        // 190 peering requests: a burst of 50, then 5 per second.
        for _ in 0..190 {
            pacer
                .acquire("us-east-1", Action::CreateVpcPeeringConnection)
                .await;
        }
        assert!(about(start.elapsed(), Duration::from_secs(28))); // (190 - 50) / 5
    }

    #[tokio::test(start_paused = true)]
    async fn buckets_are_per_action_and_region() {
        let pacer = Pacer::new();
        let start = Instant::now();
        for _ in 0..50 {
            pacer
                .acquire("us-east-1", Action::CreateVpcPeeringConnection)
                .await;
            pacer
                .acquire("us-east-1", Action::AcceptVpcPeeringConnection)
                .await;
            pacer
                .acquire("eu-west-2", Action::CreateVpcPeeringConnection)
                .await;
            pacer.acquire("us-east-1", Action::DescribeVpcs).await;
        }
        assert_eq!(start.elapsed(), Duration::ZERO);
        pacer
            .acquire("us-east-1", Action::CreateVpcPeeringConnection)
            .await;
        assert!(about(start.elapsed(), Duration::from_millis(200)));
    }

    #[tokio::test(start_paused = true)]
    async fn concurrent_callers_are_spread_out() {
        let pacer = std::sync::Arc::new(Pacer::new());
        let start = Instant::now();
        let tasks: Vec<_> = (0..60)
            .map(|_| {
                let pacer = pacer.clone();
                tokio::spawn(async move {
                    pacer.acquire("us-east-1", Action::CreateRoute).await;
                    Instant::now()
                })
            })
            .collect();
        let mut finished = Vec::new();
        for t in tasks {
            finished.push(t.await.unwrap() - start);
        }
        finished.sort();
        assert_eq!(finished[49], Duration::ZERO);
        assert!(about(finished[59], Duration::from_secs(2)));
        // Idle time refills the bucket.
        tokio::time::sleep(Duration::from_secs(10)).await;
        let before = Instant::now();
        pacer.acquire("us-east-1", Action::CreateRoute).await;
        assert_eq!(before.elapsed(), Duration::ZERO);
    }
}
