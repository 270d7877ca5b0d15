use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::future::join_all;
use tokio::time::Instant;

use super::*;
use crate::ec2::types::Tags;

const INTERVAL: Duration = Duration::from_secs(2);

/// A describe that answers, for every id asked, the number of the round (from 1), and
/// logs when it ran and what it was asked.
#[derive(Clone, Default)]
struct Rounds {
    log: Arc<Mutex<Vec<Call>>>,
}

/// When a describe ran, and the ids it was asked about.
type Call = (Instant, Vec<String>);

/// What a round of these tests answers: the round's number for every id asked.
type Answer = futures::future::BoxFuture<'static, Result<Vec<(String, u32)>, Ec2Error>>;

impl Rounds {
    fn describe(&self, latency: Duration) -> impl FnOnce(Vec<String>) -> Answer {
        let log = self.log.clone();
        move |ids| {
            Box::pin(async move {
                let round = {
                    let mut log = log.lock().unwrap();
                    log.push((Instant::now(), ids.clone()));
                    log.len() as u32
                };
                tokio::time::sleep(latency).await;
                Ok(ids.into_iter().map(|id| (id, round)).collect())
            })
        }
    }

    fn asked(&self) -> Vec<Vec<String>> {
        self.log
            .lock()
            .unwrap()
            .iter()
            .map(|(_, ids)| ids.clone())
            .collect()
    }
}

/// Polls until the round number reaches `until`; returns the rounds it saw.
async fn wait_until(poller: &BatchPoller<u32>, rounds: &Rounds, id: &str, until: u32) -> Vec<u32> {
    let mut watch = poller.watch("eu-west-1", id);
    let mut seen = Vec::new();
    loop {
        let round = watch
            .next(INTERVAL, rounds.describe(Duration::ZERO))
            .await
            .unwrap();
        let round = round.expect("every asked id is answered");
        seen.push(round);
        if round >= until {
            return seen;
        }
    }
}

fn ids(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

#[tokio::test(start_paused = true)]
async fn waiters_of_a_region_share_one_describe_per_round() {
    let poller = BatchPoller::default();
    let rounds = Rounds::default();
    let seen = join_all([
        wait_until(&poller, &rounds, "pcx-a", 1),
        wait_until(&poller, &rounds, "pcx-b", 3),
        wait_until(&poller, &rounds, "pcx-c", 2),
    ])
    .await;
    assert_eq!(seen, [vec![1], vec![1, 2, 3], vec![1, 2]]);
    assert_eq!(
        rounds.asked(),
        [
            ids(&["pcx-a", "pcx-b", "pcx-c"]),
            ids(&["pcx-b", "pcx-c"]),
            ids(&["pcx-b"])
        ],
        "one call per round, naming every id still waited on"
    );
    let log = rounds.log.lock().unwrap();
    for pair in log.windows(2) {
        assert!(
            pair[1].0 - pair[0].0 >= INTERVAL,
            "rounds are an interval apart"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn regions_poll_apart_and_a_late_waiter_joins_the_next_round() {
    let poller = BatchPoller::default();
    let rounds = Rounds::default();
    let late = async {
        tokio::time::sleep(INTERVAL / 2).await;
        wait_until(&poller, &rounds, "pcx-late", 2).await
    };
    let other_region = async {
        tokio::time::sleep(INTERVAL / 4).await;
        let mut watch = poller.watch("us-east-1", "pcx-far");
        watch.next(INTERVAL, rounds.describe(Duration::ZERO)).await
    };
    let early = wait_until(&poller, &rounds, "pcx-early", 2);
    let (early, late, far) = tokio::join!(early, late, other_region);
    // Calls are numbered across regions: 1 (early, t=0), 2 (far, t=0.5 s: its region
    // had no round yet), 3 (early and late, t=2 s: one interval after the first).
    assert_eq!(early, [1, 3]);
    assert_eq!(
        late,
        [3],
        "the late waiter's first round is the region's second"
    );
    assert_eq!(far.unwrap(), Some(2));
    assert_eq!(
        rounds.asked(),
        [
            ids(&["pcx-early"]),
            ids(&["pcx-far"]),
            ids(&["pcx-early", "pcx-late"])
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn a_leader_that_gives_up_hands_the_round_to_the_next_waiter() {
    let poller = BatchPoller::default();
    let rounds = Rounds::default();
    let slow = Duration::from_secs(10);
    let mut quitting = poller.watch("eu-west-1", "pcx-quit");
    let mut staying = poller.watch("eu-west-1", "pcx-stay");
    let quitter = async {
        let next = quitting.next(INTERVAL, rounds.describe(slow));
        let out = tokio::time::timeout(Duration::from_secs(1), next).await;
        drop(quitting);
        out
    };
    let stayer = async {
        tokio::task::yield_now().await;
        staying.next(INTERVAL, rounds.describe(slow)).await
    };
    let (quit, stay) = tokio::join!(quitter, stayer);
    assert!(quit.is_err(), "the first leader timed out");
    assert_eq!(stay.unwrap(), Some(2));
    assert_eq!(
        rounds.asked(),
        [ids(&["pcx-quit", "pcx-stay"]), ids(&["pcx-stay"])],
        "the quitter's id is no longer asked about"
    );
}

#[tokio::test(start_paused = true)]
async fn a_failed_describe_is_every_waiters_error_and_a_missing_id_is_none() {
    let poller: BatchPoller<u32> = BatchPoller::default();
    let throttled = Ec2Error::Exhausted {
        attempts: 3,
        last: Box::new(Ec2Error::Api {
            code: "RequestLimitExceeded".into(),
            message: "Request limit exceeded.".into(),
        }),
    };
    let mut a = poller.watch("eu-west-1", "pcx-a");
    let mut b = poller.watch("eu-west-1", "pcx-b");
    let fail = |_: Vec<String>| async { Err(throttled.clone()) };
    let (ra, rb) = tokio::join!(a.next(INTERVAL, fail), b.next(INTERVAL, fail));
    assert_eq!((ra, rb), (Err(throttled.clone()), Err(throttled.clone())));
    let only_a = |_: Vec<String>| async { Ok(vec![("pcx-a".to_string(), 7)]) };
    let (ra, rb) = tokio::join!(a.next(INTERVAL, only_a), b.next(INTERVAL, only_a));
    assert_eq!((ra, rb), (Ok(Some(7)), Ok(None)));
}

fn peering(status: PeeringStatus, message: Option<&str>) -> PeeringObs {
    PeeringObs {
        id: "pcx-1".into(),
        requester_vpc_id: "vpc-1".into(),
        requester_region: "eu-west-1".into(),
        accepter_vpc_id: "vpc-2".into(),
        accepter_region: "eu-west-1".into(),
        status,
        requester_dns: false,
        accepter_dns: false,
        tags: Tags::new(),
        requester_owner_id: None,
        accepter_owner_id: None,
        status_message: message.map(str::to_string),
    }
}

#[test]
fn a_dead_peering_is_reported_with_ec2s_words() {
    let active = [PeeringStatus::Active];
    assert_eq!(
        settled(&peering(PeeringStatus::Provisioning, None), &active),
        None
    );
    assert!(matches!(
        settled(&peering(PeeringStatus::Active, None), &active),
        Some(Ok(_))
    ));
    let failed = peering(PeeringStatus::Failed, Some("Overlapping CIDR range"));
    let err = settled(&failed, &active).unwrap().unwrap_err();
    assert_eq!(
        err.to_string(),
        "VPC peering connection pcx-1 is failed: Overlapping CIDR range. A failed peering never becomes active."
    );
    let rejected = settled(&peering(PeeringStatus::Rejected, None), &active).unwrap();
    assert_eq!(
        rejected.unwrap_err().to_string(),
        "VPC peering connection pcx-1 is rejected (EC2 gave no reason). A rejected peering never becomes active."
    );
    let expired = settled(&peering(PeeringStatus::Expired, Some("expired")), &active);
    assert!(matches!(
        expired,
        Some(Err(Ec2Error::PeeringFailed {
            status: PeeringStatus::Expired,
            ..
        }))
    ));
    let deleted = settled(&peering(PeeringStatus::Deleted, None), &active);
    assert!(matches!(deleted, Some(Err(Ec2Error::NotFound { .. }))));
    assert!(matches!(
        settled(
            &peering(PeeringStatus::Deleted, None),
            &[PeeringStatus::Deleted]
        ),
        Some(Ok(_))
    ));
}
