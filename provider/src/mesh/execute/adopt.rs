//! Creates whose outcome is unknown. When a create fails in a way that may have taken
//! effect (a 5xx, a lost or cut-off answer, a timeout), the object may exist: every
//! create tags the object in the same call, so it is looked for by its component tag,
//! for a bounded time because tag filters lag behind creates. Found: it is adopted.
//! Not found: the create is made again. A duplicate that still slips through (found
//! later than the wait) is deleted by the apply's next round, which keeps the one in use.

use std::future::Future;
use std::time::Duration;

use super::ops::Ctx;
use crate::ec2::types::{Tags, TAG_COMPONENT, TAG_MESH};
use crate::ec2::Ec2Error;
use crate::mesh::key::Key;

/// Waits before each look by tag: about 15 s in all, longer than EC2's tag filters
/// usually lag.
const LOOKUP_WAITS: [Duration; 5] = [
    Duration::ZERO,
    Duration::from_secs(1),
    Duration::from_secs(2),
    Duration::from_secs(4),
    Duration::from_secs(8),
];

/// Creates in all (the first one included) while each fails ambiguously and its object
/// is not found.
const CREATE_ATTEMPTS: usize = 3;

/// Where a component would be found: its region and the VPCs whose contents to list
/// (an object inside an adopted VPC is only listed when that VPC is named).
pub(super) struct Place<'p> {
    pub region: &'p str,
    pub vpc_ids: Vec<String>,
}

impl Ctx<'_> {
    /// Creates the component unless it has an id already, and records the id it gets;
    /// a create that may have taken effect is resolved as described above.
    pub(super) async fn create<F, Fut>(
        &self,
        key: Key,
        place: Place<'_>,
        create: F,
    ) -> Result<(), Ec2Error>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<String, Ec2Error>>,
    {
        if self.lock_ids().contains_key(&key) {
            return Ok(());
        }
        let mut attempt = 0;
        loop {
            attempt += 1;
            let err = match create().await {
                Ok(id) => {
                    self.lock_ids().insert(key, id);
                    return Ok(());
                }
                Err(err) if err.may_have_taken_effect() && err != Ec2Error::Cancelled => err,
                // A create made again after an ambiguous failure meets the first one.
                Err(err) if attempt > 1 && is_duplicate(&err) => err,
                Err(err) => return Err(err),
            };
            tracing::debug!(component = %key, error = %err, "create may have taken effect; looking for it by its tags");
            if let Some(id) = self.find_tagged(&key, &place).await? {
                tracing::info!(component = %key, id, "adopted the object of a create whose answer was lost");
                self.lock_ids().insert(key, id);
                return Ok(());
            }
            if attempt >= CREATE_ATTEMPTS {
                return Err(err);
            }
            tracing::debug!(component = %key, "not found by its tags: creating it again");
        }
    }

    /// The id of the object tagged as `key` of this mesh, waiting out tag-filter lag.
    async fn find_tagged(&self, key: &Key, place: &Place<'_>) -> Result<Option<String>, Ec2Error> {
        let component = key.to_string();
        let is_it = |tags: &Tags| {
            tags.get(TAG_MESH).map(String::as_str) == Some(self.mesh_id)
                && tags.get(TAG_COMPONENT) == Some(&component)
        };
        for wait in LOOKUP_WAITS {
            tokio::time::sleep(wait).await;
            let inv = self
                .ec2
                .inventory(place.region, self.mesh_id, &place.vpc_ids)
                .await?;
            let mut ids: Vec<&String> = match key {
                Key::Vpc(_) => inv
                    .vpcs
                    .iter()
                    .filter(|o| is_it(&o.tags))
                    .map(|o| &o.id)
                    .collect(),
                Key::Subnet(..) => inv
                    .subnets
                    .iter()
                    .filter(|o| is_it(&o.tags))
                    .map(|o| &o.id)
                    .collect(),
                Key::RouteTable(..) => inv
                    .route_tables
                    .iter()
                    .filter(|o| !o.main && is_it(&o.tags))
                    .map(|o| &o.id)
                    .collect(),
                Key::InternetGateway(_) => inv
                    .internet_gateways
                    .iter()
                    .filter(|o| is_it(&o.tags))
                    .map(|o| &o.id)
                    .collect(),
                Key::SecurityGroup(_) => inv
                    .security_groups
                    .iter()
                    .filter(|o| is_it(&o.tags))
                    .map(|o| &o.id)
                    .collect(),
                Key::Peering(_) => inv
                    .peerings
                    .iter()
                    .filter(|o| is_it(&o.tags))
                    .map(|o| &o.id)
                    .collect(),
                Key::MainRouteTable(_) | Key::Association(..) => return Ok(None),
            };
            ids.sort();
            if let Some(id) = ids.first() {
                return Ok(Some((*id).clone()));
            }
        }
        Ok(None)
    }
}

/// EC2's refusal of a second object where one exists (a security group of that name).
fn is_duplicate(err: &Ec2Error) -> bool {
    err.code()
        .is_some_and(|c| c.ends_with(".Duplicate") || c.ends_with("AlreadyExists"))
}
