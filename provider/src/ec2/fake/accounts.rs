//! Several AWS accounts over one [`FakeEc2`]: a [`FakeAccount`] is one account's view of
//! a shared world, in which every region of account `N` is the world region `N:region`.
//! So an object of one account is invisible to the others, a cross-account peering is
//! visible from its two sides only, and accepting it or setting a side's DNS option from
//! the wrong account fails, as in EC2. Each view logs the calls it was given, so tests
//! can check which account did what. Build a router over views with [`router`].

mod trait_impl;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use super::FakeEc2;
use crate::ec2::accounts::{Account, AccountsEc2};
use crate::ec2::types::PeeringObs;
use crate::ec2::Ec2;

pub struct FakeAccount {
    world: Arc<FakeEc2>,
    id: String,
    log: Mutex<Vec<String>>,
}

impl FakeAccount {
    pub fn new(world: Arc<FakeEc2>, id: &str) -> Self {
        FakeAccount {
            world,
            id: id.to_string(),
            log: Mutex::new(Vec::new()),
        }
    }

    /// The calls this account was given: `method target`.
    pub fn log(&self) -> Vec<String> {
        self.log.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub(super) fn note(&self, call: &str, target: &str) {
        let mut log = self.log.lock().unwrap_or_else(|e| e.into_inner());
        log.push(format!("{call} {target}"));
    }

    /// The world region of this account's `region`.
    pub(super) fn w(&self, region: &str) -> String {
        format!("{}:{region}", self.id)
    }

    pub(super) fn peering(&self, mut p: PeeringObs) -> PeeringObs {
        let (owner, region) = unworld(&p.requester_region);
        (p.requester_owner_id, p.requester_region) = (Some(owner), region);
        let (owner, region) = unworld(&p.accepter_region);
        (p.accepter_owner_id, p.accepter_region) = (Some(owner), region);
        p
    }
}

/// (account id, bare region) of a world region.
fn unworld(region: &str) -> (String, String) {
    let (id, bare) = region.split_once(':').expect("a world region");
    (id.to_string(), bare.to_string())
}

pub(super) fn bare(region: &str) -> String {
    unworld(region).1
}

/// A router over the own account `own` and the keyed others; each other account is
/// reached by a role named after its id.
pub fn router(own: &Arc<FakeAccount>, others: &[(&str, &Arc<FakeAccount>)]) -> AccountsEc2 {
    let others = others
        .iter()
        .map(|(key, view)| {
            let account = Account {
                client: Arc::clone(view) as Arc<dyn Ec2>,
                via: format!("role {}", role_arn(&view.id)),
                expected_id: Some(view.id.clone()),
            };
            (key.to_string(), account)
        })
        .collect::<BTreeMap<_, _>>();
    AccountsEc2::new(Arc::clone(own) as Arc<dyn Ec2>, others)
}

/// A router over `own` and one account `key` whose role (`arn:aws:iam::ID:role/mesh`)
/// cannot be assumed: its client fails every GetCallerIdentity with AccessDenied.
/// Returns the router and that client (to count what reached it).
pub fn router_with_unassumable(
    own: Arc<FakeAccount>,
    key: &str,
    id: &str,
) -> (AccountsEc2, Arc<FakeEc2>) {
    let broken = Arc::new(FakeEc2::with_account_id(id));
    broken.fail_always_on(
        crate::ec2::Action::GetCallerIdentity,
        crate::ec2::Ec2Error::Api {
            code: "AccessDenied".into(),
            message: "not authorized to perform: sts:AssumeRole".into(),
        },
    );
    let account = Account {
        client: broken.clone(),
        via: format!("role {}", role_arn(id)),
        expected_id: Some(id.to_string()),
    };
    let others = BTreeMap::from([(key.to_string(), account)]);
    (AccountsEc2::new(own, others), broken)
}

/// The role ARN the fake accounts are reached by.
pub fn role_arn(id: &str) -> String {
    format!("arn:aws:iam::{id}:role/mesh")
}
