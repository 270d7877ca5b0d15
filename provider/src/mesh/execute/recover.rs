//! Making sense of refusals that may mean "already done": an association or attachment
//! that exists (a repeated step, or a lost response) is checked against a fresh
//! inventory of the VPC; a deletion of something gone is done.

use super::ops::Ctx;
use crate::ec2::Ec2Error;

pub(super) const ALREADY_ASSOCIATED: &str = "Resource.AlreadyAssociated";
pub(super) const NOT_ATTACHED: &str = "Gateway.NotAttached";

impl Ctx<'_> {
    /// The id of the association of `subnet` with `table`, if there is one.
    pub(super) async fn association(
        &self,
        region: &str,
        vpc_id: &str,
        table: &str,
        subnet: &str,
    ) -> Result<Option<String>, Ec2Error> {
        let inventory = self
            .ec2
            .inventory(region, self.mesh_id, &[vpc_id.to_string()])
            .await?;
        let found = inventory
            .route_tables
            .iter()
            .filter(|t| t.id == table)
            .flat_map(|t| &t.associations)
            .find(|(_, s)| s == subnet);
        Ok(found.map(|(assoc, _)| assoc.clone()))
    }

    /// Whether gateway `igw` is attached to `vpc_id`.
    pub(super) async fn attached(
        &self,
        region: &str,
        vpc_id: &str,
        igw: &str,
    ) -> Result<bool, Ec2Error> {
        let inventory = self
            .ec2
            .inventory(region, self.mesh_id, &[vpc_id.to_string()])
            .await?;
        Ok(inventory
            .internet_gateways
            .iter()
            .any(|g| g.id == igw && g.attached_vpc_ids.iter().any(|v| v == vpc_id)))
    }
}

/// A deletion of something already gone is done.
pub(super) fn gone(result: Result<(), Ec2Error>) -> Result<(), Ec2Error> {
    match result {
        Err(Ec2Error::NotFound { .. }) => Ok(()),
        other => other,
    }
}
