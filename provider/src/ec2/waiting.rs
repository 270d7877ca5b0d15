//! Waiting for peerings: what a waiter makes of one observation ([`settled`]), and the
//! poller that serves every waiter of a region with one Describe call per polling round
//! ([`BatchPoller`]).
//!
//! Why batch: an apply waits on every peering twice (for `pending-acceptance`, then for
//! `active`). Polled one by one that is about two DescribeVpcPeeringConnections per
//! peering per round (92 for a 10-VPC mesh), and Describe calls share one token bucket
//! per region with every other refresh of the account. One call per round names them all.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::watch;
use tokio::time::Instant;

use super::types::{PeeringObs, PeeringStatus};
use super::Ec2Error;

/// What a waiter for `target` makes of `p`: done (the target, or an error for a peering
/// that can no longer reach it), or None to keep waiting. `failed`, `rejected` and
/// `expired` carry EC2's status message; a deleted peering is NotFound.
pub fn settled(p: &PeeringObs, target: &[PeeringStatus]) -> Option<Result<PeeringObs, Ec2Error>> {
    if target.contains(&p.status) {
        return Some(Ok(p.clone()));
    }
    match p.status {
        PeeringStatus::Failed | PeeringStatus::Rejected | PeeringStatus::Expired => {
            Some(Err(Ec2Error::PeeringFailed {
                id: p.id.clone(),
                status: p.status,
                message: p.status_message.clone(),
            }))
        }
        PeeringStatus::Deleting | PeeringStatus::Deleted => Some(Err(Ec2Error::NotFound {
            kind: "VPC peering connection",
            id: p.id.clone(),
        })),
        _ => None,
    }
}

/// The error of a wait that ran out of time, naming the status last seen.
pub fn wait_timeout(
    id: &str,
    target: &[PeeringStatus],
    last: Option<PeeringStatus>,
    after: Duration,
) -> Ec2Error {
    let wanted: Vec<&str> = target.iter().map(|t| t.as_str()).collect();
    let current = last.map_or("not seen yet", PeeringStatus::as_str);
    Ec2Error::Timeout {
        what: format!(
            "EC2 VPC Peering Connection ({id}) to be {} (current status: {current})",
            wanted.join(" or ")
        ),
        after,
    }
}

/// One polling round's answer: the objects seen, by id, or the error the Describe gave.
type Answer<T> = Arc<Result<HashMap<String, T>, Ec2Error>>;

#[derive(Clone)]
struct Round<T> {
    /// The ids this round asked about.
    asked: Arc<BTreeSet<String>>,
    answer: Answer<T>,
}

struct Region<T> {
    /// Ids being waited on, with the number of waiters of each.
    waiting: Mutex<BTreeMap<String, usize>>,
    /// Held by the waiter that runs the next round; holds when the last round ran.
    /// A lock, not a flag: a leader whose wait is dropped (timeout, cancellation)
    /// releases it, and the next waiter in line leads.
    lead: tokio::sync::Mutex<Option<Instant>>,
    rounds: watch::Sender<Option<Round<T>>>,
}

/// Batches the polls of many waiters: per region, at most one Describe (of every id
/// being waited on there) per `interval`, its answer handed to each waiter. There is no
/// background task: one of the waiters runs each round, so nothing polls when nobody
/// waits. Generic over what is observed so the batching is tested without the SDK.
pub struct BatchPoller<T> {
    regions: Mutex<HashMap<String, Arc<Region<T>>>>,
}

impl<T> Default for BatchPoller<T> {
    fn default() -> Self {
        BatchPoller {
            regions: Mutex::new(HashMap::new()),
        }
    }
}

impl<T: Clone + Send + Sync> BatchPoller<T> {
    /// Starts waiting on `id` in `region`; the id is asked about in every round until
    /// the returned [`Watch`] is dropped.
    pub fn watch(&self, region: &str, id: &str) -> Watch<T> {
        let region = {
            let mut regions = self.regions.lock().unwrap_or_else(|e| e.into_inner());
            regions
                .entry(region.to_string())
                .or_insert_with(|| {
                    Arc::new(Region {
                        waiting: Mutex::new(BTreeMap::new()),
                        lead: tokio::sync::Mutex::new(None),
                        rounds: watch::channel(None).0,
                    })
                })
                .clone()
        };
        *region
            .waiting
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(id.to_string())
            .or_default() += 1;
        let rounds = region.rounds.subscribe();
        Watch {
            region,
            id: id.to_string(),
            rounds,
        }
    }
}

/// One waiter's registration; dropping it stops asking about its id.
pub struct Watch<T> {
    region: Arc<Region<T>>,
    id: String,
    rounds: watch::Receiver<Option<Round<T>>>,
}

impl<T: Clone + Send + Sync> Watch<T> {
    /// The next round's observation of this waiter's id: `Ok(None)` when the Describe
    /// did not list it. When no round is under way this waiter runs one, no sooner than
    /// `interval` after the region's previous round, with `describe` (given every id
    /// waited on in the region, it returns what it found).
    pub async fn next<F, Fut>(
        &mut self,
        interval: Duration,
        describe: F,
    ) -> Result<Option<T>, Ec2Error>
    where
        F: FnOnce(Vec<String>) -> Fut,
        Fut: Future<Output = Result<Vec<(String, T)>, Ec2Error>>,
    {
        let mut describe = Some(describe);
        loop {
            tokio::select! {
                biased;
                changed = self.rounds.changed() => {
                    if changed.is_err() {
                        // Cannot happen while we hold the region (it owns the sender).
                        continue;
                    }
                    let round = self.rounds.borrow_and_update().clone();
                    if let Some(found) = round.and_then(|r| self.mine(&r)) {
                        return found;
                    }
                }
                mut last = self.region.lead.lock() => {
                    if self.rounds.has_changed().unwrap_or(false) {
                        continue; // a round ended while we queued: read it first
                    }
                    let Some(describe) = describe.take() else {
                        // Our describe ran in a round that missed us: should not happen, as
                        // we register before the first round; wait for the next leader.
                        drop(last);
                        self.rounds.changed().await.ok();
                        continue;
                    };
                    if let Some(at) = *last {
                        tokio::time::sleep_until(at + interval).await;
                    }
                    // Waiters that start together (one executor task polls them all)
                    // register before the snapshot and share this round.
                    tokio::task::yield_now().await;
                    let asked: BTreeSet<String> = self
                        .region
                        .waiting
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .keys()
                        .cloned()
                        .collect();
                    let answer = describe(asked.iter().cloned().collect())
                        .await
                        .map(|found| found.into_iter().collect());
                    *last = Some(Instant::now());
                    self.region.rounds.send_replace(Some(Round {
                        asked: Arc::new(asked),
                        answer: Arc::new(answer),
                    }));
                }
            }
        }
    }

    fn mine(&self, round: &Round<T>) -> Option<Result<Option<T>, Ec2Error>> {
        if !round.asked.contains(&self.id) {
            return None;
        }
        Some(match round.answer.as_ref() {
            Ok(found) => Ok(found.get(&self.id).cloned()),
            Err(e) => Err(e.clone()),
        })
    }
}

impl<T> Drop for Watch<T> {
    fn drop(&mut self) {
        let mut waiting = self
            .region
            .waiting
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if let Some(n) = waiting.get_mut(&self.id) {
            *n -= 1;
            if *n == 0 {
                waiting.remove(&self.id);
            }
        }
    }
}

#[cfg(test)]
mod tests;
