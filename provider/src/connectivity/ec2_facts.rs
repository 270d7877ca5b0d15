//! Reading the EC2 facts of the mesh named by `mesh_id` for the diagnosis: the mesh's
//! inventory (every region its peerings and security groups lead to, as the
//! `peering_mesh` import finds them) and, per region, one DescribeInstances over its VPCs.
//! The `region` of every observation is a place (`eu-west-1`, or `dev/eu-west-1` for the
//! account under key `dev` of the provider's `accounts`): the provider's client reads each
//! with that account's credentials, and this module only hands places back to it.
//!
//! Facts are an extra: when they cannot be read (provider not configured, no
//! credentials, no permission, no such mesh) the probe results still stand, and a
//! warning on `mesh_id` says why the diagnosis is limited.

mod build;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::net::IpAddr;

use tfplugin::diag::{AttributePath, Diagnostic};
use tokio_util::sync::CancellationToken;

use super::diagnosis::Snapshot;
use crate::config::ProviderConfig;
use crate::ec2::access::{ConnectError, Ec2Access};
use crate::ec2::place;
use crate::ec2::types::InstanceObs;
use crate::ec2::{Ec2, Ec2Error};
use crate::mesh::discover::discover_across;

/// The permissions reading the facts needs, for the warning when EC2 refuses.
pub const IAM_ACTIONS: &str = "ec2:DescribeVpcs, ec2:DescribeSubnets, ec2:DescribeRouteTables, ec2:DescribeInternetGateways, ec2:DescribeSecurityGroups, ec2:DescribeVpcPeeringConnections and ec2:DescribeInstances";

/// The facts of `mesh_id` (None: no mesh named, nothing read), or the warning that says
/// why there are none. `access` is None when the data source runs without a provider.
pub async fn read_facts(
    access: Option<&Ec2Access<ProviderConfig>>,
    mesh_id: Option<&str>,
    hosts: &BTreeMap<String, IpAddr>,
    cancel: &CancellationToken,
) -> Result<Option<Snapshot>, Diagnostic> {
    let Some(mesh_id) = mesh_id else {
        return Ok(None);
    };
    let Some(access) = access else {
        return Err(limited(
            mesh_id,
            "the data source runs without a configured provider",
        ));
    };
    let (config, conn) = access.connect().await.map_err(|e| match e {
        ConnectError::NotConfigured => limited(mesh_id, "the provider \"peering\" is not configured (its region and credentials must be known when the data source is read)"),
        ConnectError::Failed(why) => limited(mesh_id, &format!("EC2 cannot be reached: {why}")),
    })?;
    let accounts: Vec<String> = config.aws.accounts.keys().cloned().collect();
    let read = access.metered(
        "ReadDataSource",
        read_snapshot(conn.ec2.as_ref(), &conn.region, &accounts, mesh_id, hosts),
    );
    let snapshot = tokio::select! {
        () = cancel.cancelled() => return Err(limited(mesh_id, "reading EC2 was cancelled")),
        read = read => read,
    };
    match snapshot {
        Ok(Some(s)) => Ok(Some(s)),
        Ok(None) => Err(limited(mesh_id, &format!("no VPC of mesh {mesh_id} was found from region {} (use peering_mesh.NAME.id, and the provider region the mesh was made in)", place::describe(&conn.region)))),
        Err(e) => Err(limited(mesh_id, &format!("reading it from EC2 failed: {e} (the provider's credentials, and those of every account of its `accounts` the mesh reaches, need {IAM_ACTIONS})"))),
    }
}

fn limited(mesh_id: &str, why: &str) -> Diagnostic {
    Diagnostic::warning(
        "Diagnosis without EC2 facts",
        format!("The EC2 facts of mesh {mesh_id} were not read: {why}. The probe results stand; causes come from them alone and diagnosis stays empty."),
    )
    .at(AttributePath::root("mesh_id"))
}

/// The snapshot of `mesh_id` as seen from `region`; None when no VPC of it is found. The
/// mesh may reach the provider's other `accounts` (their keys): each account's objects
/// and instances are read with its own credentials, as `peering_mesh` import finds them.
pub async fn read_snapshot(
    ec2: &dyn Ec2,
    region: &str,
    accounts: &[String],
    mesh_id: &str,
    hosts: &BTreeMap<String, IpAddr>,
) -> Result<Option<Snapshot>, Ec2Error> {
    let inventory = discover_across(ec2, mesh_id, region, accounts).await?;
    if inventory.vpcs.is_empty() {
        return Ok(None);
    }
    // Per place (account and region), not per region: VPC ids of one region in two
    // accounts are asked of each account.
    let mut vpcs_by_place: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for v in &inventory.vpcs {
        let ids = vpcs_by_place.entry(v.region.as_str()).or_default();
        ids.push(v.id.clone());
    }
    let mut instances: Vec<InstanceObs> = Vec::new();
    for (place, ids) in &vpcs_by_place {
        instances.extend(ec2.instances(place, ids).await?);
    }
    tracing::info!(
        mesh_id,
        vpcs = inventory.vpcs.len(),
        instances = instances.len(),
        "EC2 facts read for the diagnosis"
    );
    Ok(Some(build::snapshot(
        &inventory, &instances, mesh_id, hosts,
    )))
}
