//! `AccountsEc2`: one [`Ec2`] over several AWS accounts, the provider's own and one per
//! key of `accounts`. Every method takes a *place* ([`super::place`]) where the other
//! clients take a region: it calls the client of the place's account with the bare
//! region and writes places back into what it returns, so the engine above never knows
//! accounts exist.
//!
//! Across accounts: a peering is requested in the requester's account with the peer's
//! account id (PeerOwnerId), accepted in the accepter's account, each side's DNS option
//! is set by its own account, and tags go to each account that sees the peering (each
//! account keeps its own). An inventory lists a peering only in its requester's place, so
//! it appears once across places. EC2 names a peering's sides by account id; the router
//! maps them to places by the ids its clients report (GetCallerIdentity).
//!
//! An account whose credentials do not work (a role that cannot be assumed, or one
//! that lands in another account than its ARN names) fails every call of that account
//! with a message naming the key and the role; the other accounts go on.

mod across;
mod calls;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::sync::Arc;

use tokio::sync::OnceCell;

use super::place::{self, place};
use super::types::PeeringObs;
use super::{Ec2, Ec2Error};

/// Another account: its key, its client and how it is reached.
pub struct Account {
    pub client: Arc<dyn Ec2>,
    /// How messages name the way in: `role arn:...` or `profile "ops"`.
    pub via: String,
    /// The account id the role ARN names; the credentials must reach that account.
    pub expected_id: Option<String>,
}

struct Other {
    account: Account,
    /// The account id, or why the account cannot be used: read once per provider run.
    id: OnceCell<Result<String, String>>,
}

pub struct AccountsEc2 {
    own: Arc<dyn Ec2>,
    others: BTreeMap<String, Other>,
    /// Account id -> key (None: the provider's own), once every account was asked.
    owners: OnceCell<BTreeMap<String, Option<String>>>,
}

impl AccountsEc2 {
    pub fn new(own: Arc<dyn Ec2>, others: BTreeMap<String, Account>) -> Self {
        let others = others
            .into_iter()
            .map(|(key, account)| {
                let id = OnceCell::new();
                (key, Other { account, id })
            })
            .collect();
        AccountsEc2 {
            own,
            others,
            owners: OnceCell::new(),
        }
    }

    /// The client of `place`'s account (ready to use), and the bare region.
    async fn at<'p>(&self, place: &'p str) -> Result<(&dyn Ec2, &'p str), Ec2Error> {
        let (key, region) = place::split(place);
        Ok((self.client(key).await?, region))
    }

    async fn client(&self, key: Option<&str>) -> Result<&dyn Ec2, Ec2Error> {
        let Some(key) = key else {
            return Ok(self.own.as_ref());
        };
        let other = self.other(key)?;
        self.ready(key, other).await?;
        Ok(other.account.client.as_ref())
    }

    fn other(&self, key: &str) -> Result<&Other, Ec2Error> {
        self.others.get(key).ok_or_else(|| {
            let known: Vec<String> = self.others.keys().map(|k| format!("\"{k}\"")).collect();
            let known = match known.is_empty() {
                true => "none is configured".to_string(),
                false => format!("the known keys are {}", known.join(", ")),
            };
            Ec2Error::Transport(format!(
                "account \"{key}\" is not among the provider's accounts ({known}); add it to accounts in the provider \"peering\" block"
            ))
        })
    }

    /// The account's id, checked once: its credentials work and reach the account its
    /// role names.
    async fn ready(&self, key: &str, other: &Other) -> Result<String, Ec2Error> {
        let checked = other
            .id
            .get_or_init(|| async {
                let via = &other.account.via;
                let id = other.account.client.account_id().await.map_err(|e| {
                    format!("account \"{key}\" cannot be used: its credentials ({via}) do not work: {e}. Check that the role exists, trusts the provider's own account (and external_id, when it asks for one), and that the provider's credentials may call sts:AssumeRole on it")
                })?;
                match &other.account.expected_id {
                    Some(expected) if *expected != id => Err(format!(
                        "account \"{key}\" cannot be used: its credentials ({via}) reach account {id}, not {expected} as the role ARN says"
                    )),
                    _ => Ok(id),
                }
            })
            .await;
        checked.clone().map_err(Ec2Error::Transport)
    }

    /// Which key (None: own) each account id belongs to; accounts that cannot be used are
    /// left out (their calls fail on their own).
    async fn owners(&self) -> Result<&BTreeMap<String, Option<String>>, Ec2Error> {
        let own = self.own.account_id().await?;
        let owners = self
            .owners
            .get_or_init(|| async {
                let mut owners = BTreeMap::from([(own, None)]);
                for (key, other) in &self.others {
                    if let Ok(id) = self.ready(key, other).await {
                        owners.entry(id).or_insert_with(|| Some(key.clone()));
                    }
                }
                owners
            })
            .await;
        Ok(owners)
    }

    /// The id of the account of `key` (None: own).
    async fn account_id_of(&self, key: Option<&str>) -> Result<String, Ec2Error> {
        match key {
            None => self.own.account_id().await,
            Some(key) => self.ready(key, self.other(key)?).await,
        }
    }

    /// `p` as its sides' places: each side's region in the account EC2 names as its
    /// owner (`caller`, the account that read it, when EC2 names none). An owner that is
    /// none of the provider's accounts keeps its account id as the key.
    async fn with_places(
        &self,
        mut p: PeeringObs,
        caller: Option<&str>,
    ) -> Result<PeeringObs, Ec2Error> {
        let owners = self.owners().await?;
        let key_of = |owner: &Option<String>| match owner {
            None => caller.map(str::to_string),
            Some(id) => owners.get(id).cloned().unwrap_or_else(|| Some(id.clone())),
        };
        p.requester_region = place(
            key_of(&p.requester_owner_id).as_deref(),
            &p.requester_region,
        );
        p.accepter_region = place(key_of(&p.accepter_owner_id).as_deref(), &p.accepter_region);
        Ok(p)
    }
}
