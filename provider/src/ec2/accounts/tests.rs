//! The router over fake accounts sharing one world (`ec2::fake::accounts`).

use std::collections::BTreeMap;
use std::sync::Arc;

use ipnet::Ipv4Net;

use super::{Account, AccountsEc2};
use crate::ec2::fake::accounts::{router, router_with_unassumable, FakeAccount};
use crate::ec2::types::{PeeringStatus, Tags, TAG_MESH};
use crate::ec2::{Action, Ec2, FakeEc2};

const OWN: &str = "111111111111";
const DEV: &str = "222222222222";

fn net(s: &str) -> Ipv4Net {
    s.parse().expect("cidr")
}

fn tags() -> Tags {
    Tags::from([(TAG_MESH.to_string(), "mesh-1".to_string())])
}

struct World {
    own: Arc<FakeAccount>,
    dev: Arc<FakeAccount>,
    ec2: AccountsEc2,
}

fn world() -> World {
    let world = Arc::new(FakeEc2::new());
    let own = Arc::new(FakeAccount::new(world.clone(), OWN));
    let dev = Arc::new(FakeAccount::new(world, DEV));
    let ec2 = router(&own, &[("dev", &dev)]);
    World { own, dev, ec2 }
}

impl World {
    /// A tagged VPC made through the router at `at`; its id.
    async fn vpc(&self, at: &str, cidr: &str) -> String {
        self.ec2.create_vpc(at, net(cidr), &tags()).await.unwrap()
    }
}

#[tokio::test]
async fn a_cross_account_peering_is_requested_with_the_owner_id_and_accepted_by_the_accepter() {
    let w = world();
    let a = w.vpc("us-east-1", "10.1.0.0/16").await;
    let b = w.vpc("dev/us-west-2", "10.2.0.0/16").await;
    assert!(w.own.log().contains(&"create_vpc 10.1.0.0/16".to_string()));
    assert!(w.dev.log().contains(&"create_vpc 10.2.0.0/16".to_string()));

    let id = w
        .ec2
        .create_peering("us-east-1", &a, &b, "dev/us-west-2", &tags())
        .await
        .unwrap();
    assert!(
        w.own
            .log()
            .contains(&format!("create_peering_to_account {a}:{b} {DEV}")),
        "{:?}",
        w.own.log()
    );
    assert!(
        w.dev.log().contains(&format!("set_tags {id}")),
        "tagged in the accepter's account too: {:?}",
        w.dev.log()
    );

    // The requester's account may not accept; the accepter's may.
    let refused = w.ec2.accept_peering("us-east-1", &id).await;
    assert!(refused.is_err(), "{refused:?}");
    w.ec2.accept_peering("dev/us-west-2", &id).await.unwrap();
    assert!(w.dev.log().contains(&format!("accept_peering {id}")));

    let seen = w.ec2.describe_peering("dev/us-west-2", &id).await.unwrap();
    assert_eq!(seen.status, PeeringStatus::Active);
    assert_eq!(
        (
            seen.requester_region.as_str(),
            seen.accepter_region.as_str()
        ),
        ("us-east-1", "dev/us-west-2")
    );

    // Listed once: in the requester's place, with both sides as places.
    let own_inv = w.ec2.inventory("us-east-1", "mesh-1", &[]).await.unwrap();
    assert_eq!(own_inv.peerings.len(), 1);
    assert_eq!(own_inv.peerings[0].accepter_region, "dev/us-west-2");
    assert_eq!(
        own_inv
            .vpcs
            .iter()
            .map(|v| v.region.as_str())
            .collect::<Vec<_>>(),
        ["us-east-1"]
    );
    let dev_inv = w
        .ec2
        .inventory("dev/us-west-2", "mesh-1", &[])
        .await
        .unwrap();
    assert!(dev_inv.peerings.is_empty());
    assert_eq!(dev_inv.vpcs.len(), 1);
    assert_eq!(dev_inv.vpcs[0].region, "dev/us-west-2");
    assert_eq!(dev_inv.vpcs[0].id, b);

    // DNS: each side by its own account.
    w.ec2
        .set_peering_dns("us-east-1", "dev/us-west-2", &id, true)
        .await
        .unwrap();
    let seen = w.ec2.describe_peering("us-east-1", &id).await.unwrap();
    assert!(seen.requester_dns && seen.accepter_dns);
    assert!(w.own.log().contains(&format!("set_peering_dns_side {id}")));
    assert!(w.dev.log().contains(&format!("set_peering_dns_side {id}")));

    // Tag changes reach both accounts.
    let before = w.dev.log().len();
    w.ec2
        .set_tags("us-east-1", std::slice::from_ref(&id), &tags(), &[])
        .await
        .unwrap();
    assert!(w.dev.log()[before..].contains(&format!("set_tags {id}")));
}

#[tokio::test]
async fn within_one_other_account_the_router_only_swaps_places() {
    let w = world();
    let a = w.vpc("dev/us-east-1", "10.1.0.0/16").await;
    let b = w.vpc("dev/us-west-2", "10.2.0.0/16").await;
    let id = w
        .ec2
        .create_peering("dev/us-east-1", &a, &b, "dev/us-west-2", &tags())
        .await
        .unwrap();
    assert!(w.dev.log().contains(&format!("create_peering {a}:{b}")));
    assert!(w.own.log().is_empty(), "{:?}", w.own.log());
    w.ec2.accept_peering("dev/us-west-2", &id).await.unwrap();
    let inv = w
        .ec2
        .inventory("dev/us-east-1", "mesh-1", &[])
        .await
        .unwrap();
    assert_eq!(inv.peerings[0].requester_region, "dev/us-east-1");
    assert_eq!(inv.peerings[0].accepter_region, "dev/us-west-2");
}

#[tokio::test]
async fn an_account_key_not_configured_is_refused_naming_the_known_keys() {
    let w = world();
    let err = w
        .ec2
        .create_vpc("ops/us-east-1", net("10.1.0.0/16"), &tags())
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("\"ops\"") && text.contains("\"dev\"") && text.contains("accounts"),
        "{text}"
    );
}

const ROLE: &str = "arn:aws:iam::333333333333:role/mesh";

fn broken_router(broken: Arc<FakeEc2>) -> AccountsEc2 {
    let world = Arc::new(FakeEc2::new());
    let own = Arc::new(FakeAccount::new(world, OWN));
    let others = BTreeMap::from([(
        "broken".to_string(),
        Account {
            client: broken,
            via: format!("role {ROLE}"),
            expected_id: Some("333333333333".into()),
        },
    )]);
    AccountsEc2::new(own, others)
}

#[tokio::test]
async fn a_role_that_cannot_be_assumed_fails_only_its_accounts_calls_naming_key_and_role() {
    let own = Arc::new(FakeAccount::new(Arc::new(FakeEc2::new()), OWN));
    let (ec2, broken) = router_with_unassumable(own, "broken", "333333333333");
    for _ in 0..2 {
        let err = ec2
            .create_vpc("broken/us-east-1", net("10.1.0.0/16"), &tags())
            .await
            .unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("account \"broken\"")
                && text.contains(ROLE)
                && text.contains("sts:AssumeRole"),
            "{text}"
        );
        assert!(!text.contains("Transport("), "no Debug output: {text}");
    }
    assert_eq!(
        broken.count(Action::CreateVpc),
        0,
        "nothing is sent with credentials that do not work"
    );
    assert_eq!(
        broken.count(Action::GetCallerIdentity),
        1,
        "the role is tried once per provider run"
    );
    ec2.create_vpc("us-east-1", net("10.1.0.0/16"), &tags())
        .await
        .expect("the own account goes on");
}

#[tokio::test]
async fn credentials_that_reach_another_account_than_the_role_names_are_refused() {
    let ec2 = broken_router(Arc::new(FakeEc2::with_account_id("444444444444")));
    let err = ec2
        .inventory("broken/us-east-1", "mesh-1", &[])
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("reach account 444444444444, not 333333333333"),
        "{err}"
    );
}
