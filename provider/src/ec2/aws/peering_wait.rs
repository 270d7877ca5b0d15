//! `wait_peering` on AWS: every peering waited on in a region is described in one
//! DescribeVpcPeeringConnections per polling round ([`BatchPoller`]).
//!
//! The round asks by filter (`vpc-peering-connection-id`), not by id: asked by id, EC2
//! fails the whole call when one id is not visible yet (eventual consistency right
//! after a create), which would fail every waiter of the round. By filter, a missing id
//! is simply not listed, and only its own waiter decides what that means.

use std::time::Duration;

use tokio::time::Instant;

use super::convert::{filter, flatten_peering};
use super::inventory::{describe_all, MAX_FILTER_VALUES};
use super::AwsEc2;
use crate::ec2::types::{PeeringObs, PeeringStatus};
use crate::ec2::waiting::{settled, wait_timeout};
use crate::ec2::Action;
use crate::ec2::Ec2Error;

impl AwsEc2 {
    /// The peerings among `ids` that `region` sees: one request per 200 ids (the most
    /// values a filter takes), plus one per further page.
    async fn describe_peerings(
        &self,
        region: &str,
        ids: Vec<String>,
    ) -> Result<Vec<(String, PeeringObs)>, Ec2Error> {
        let client = self.client(region).await;
        let mut found = Vec::new();
        for chunk in ids.chunks(MAX_FILTER_VALUES) {
            let by_id = filter("vpc-peering-connection-id", chunk.iter().cloned());
            let listed = describe_all!(
                self,
                region,
                Action::DescribeVpcPeeringConnections,
                client
                    .describe_vpc_peering_connections()
                    .filters(by_id.clone()),
                vpc_peering_connections
            );
            // The emulator ignores the filter: keep only what was asked for.
            found.extend(
                listed
                    .iter()
                    .filter_map(|p| flatten_peering(p, region))
                    .filter(|p| chunk.contains(&p.id))
                    .map(|p| (p.id.clone(), p)),
            );
        }
        Ok(found)
    }

    /// Is `id` one we created so recently that EC2 may not list it yet?
    fn just_created(&self, id: &str) -> bool {
        self.created_at(id)
            .is_some_and(|at| at.elapsed() < self.policy.not_found_window())
    }

    pub(super) async fn wait_peering_impl(
        &self,
        region: &str,
        id: &str,
        target: &[PeeringStatus],
        timeout: Duration,
    ) -> Result<PeeringObs, Ec2Error> {
        let deadline = Instant::now() + timeout;
        let mut watch = self.peering_polls.watch(region, id);
        let mut last = None;
        loop {
            let next = watch.next(self.poll_interval, |ids| {
                self.describe_peerings(region, ids)
            });
            let seen = match tokio::time::timeout_at(deadline, next).await {
                Ok(seen) => seen?,
                Err(_) => return Err(wait_timeout(id, target, last, timeout)),
            };
            match seen {
                Some(p) => match settled(&p, target) {
                    Some(done) => return done,
                    None => last = Some(p.status),
                },
                None if self.just_created(id) => {}
                None => {
                    return Err(Ec2Error::NotFound {
                        kind: "VPC peering connection",
                        id: id.to_string(),
                    })
                }
            }
        }
    }
}
