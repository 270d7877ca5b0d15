//! Finding a mesh in EC2: its id, and the inventory of every region and adopted VPC it
//! touches, read until nothing new turns up. The `peering_mesh` resource reads its mesh
//! this way, and `peering_connectivity` the mesh it diagnoses.

use std::collections::{BTreeMap, BTreeSet};

use sha2::{Digest, Sha256};

use super::key::Key;
use crate::ec2::place;
use crate::ec2::types::{
    Inventory, RouteTarget, SecurityGroupObs, Tags, VpcObs, TAG_COMPONENT, TAG_MESH,
};
use crate::ec2::{Ec2, Ec2Error};

/// `mesh-` and 16 hex digits of SHA-256 over `name|region|account`: the same mesh
/// gets the same id on every run, so a create that was interrupted and run again finds
/// (and adopts) what it already made.
pub fn mesh_id(name: &str, region: &str, account: &str) -> String {
    let digest = Sha256::digest(format!("{name}|{region}|{account}").as_bytes());
    let hex: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
    format!("mesh-{hex}")
}

/// Which regions to read, each with the VPC ids to include beyond the tagged ones
/// (adopted VPCs carry no mesh tag).
pub type Scope = BTreeMap<String, BTreeSet<String>>;

pub fn add_to_scope(scope: &mut Scope, region: &str, vpc_id: Option<&str>) {
    let ids = scope.entry(region.to_string()).or_default();
    ids.extend(vpc_id.map(str::to_string));
}

/// One inventory per region, merged. Objects seen from two regions (a cross-region
/// peering) are kept once.
pub async fn fetch(ec2: &dyn Ec2, mesh_id: &str, scope: &Scope) -> Result<Inventory, Ec2Error> {
    let mut all = Inventory::default();
    for (region, ids) in scope {
        let ids: Vec<String> = ids.iter().cloned().collect();
        all.merge(ec2.inventory(region, mesh_id, &ids).await?);
    }
    dedup_by_id(&mut all.vpcs, |v| &v.id);
    dedup_by_id(&mut all.subnets, |s| &s.id);
    dedup_by_id(&mut all.route_tables, |t| &t.id);
    dedup_by_id(&mut all.internet_gateways, |g| &g.id);
    dedup_by_id(&mut all.security_groups, |g| &g.id);
    dedup_by_id(&mut all.peerings, |p| &p.id);
    Ok(all)
}

fn dedup_by_id<T>(items: &mut Vec<T>, id: impl Fn(&T) -> &String) {
    let mut seen = BTreeSet::new();
    items.retain(|x| seen.insert(id(x).clone()));
}

/// Does anything in `inv` carry this mesh's tag (peerings only while alive)?
pub fn anything_tagged(inv: &Inventory, mesh_id: &str) -> bool {
    let ours = |tags: &Tags| tags.get(TAG_MESH).is_some_and(|m| m == mesh_id);
    inv.vpcs.iter().any(|v| ours(&v.tags))
        || inv.subnets.iter().any(|s| ours(&s.tags))
        || inv.route_tables.iter().any(|t| ours(&t.tags) && !t.main)
        || inv.internet_gateways.iter().any(|g| ours(&g.tags))
        || inv
            .security_groups
            .iter()
            .any(|g| ours(&g.tags) && g.name != "default")
        || inv
            .peerings
            .iter()
            .any(|p| ours(&p.tags) && !p.status.is_terminal())
}

/// Is any part of the mesh left that a refresh should keep tracking? An internet
/// gateway alone is not: a detached, tagged gateway is adopted by the next create.
pub fn mesh_exists(inv: &Inventory, mesh_id: &str) -> bool {
    let without_gateways = Inventory {
        internet_gateways: Vec::new(),
        ..inv.clone()
    };
    anything_tagged(&without_gateways, mesh_id)
}

/// Reads the mesh from the provider's region, then from every region and adopted VPC its
/// peerings and security groups lead to, until nothing new turns up.
pub async fn discover(ec2: &dyn Ec2, mesh_id: &str, region: &str) -> Result<Inventory, Ec2Error> {
    let mut scope = Scope::new();
    add_to_scope(&mut scope, region, None);
    discover_from(ec2, mesh_id, scope).await
}

/// Reads `scope`, then every region and VPC the mesh's peerings and security groups
/// lead to that it did not cover (an interrupted apply may have reached them), until
/// nothing new turns up. Refresh, apply and destroy all read the mesh this way, so
/// nothing an earlier run made is missed.
pub async fn discover_from(
    ec2: &dyn Ec2,
    mesh_id: &str,
    mut scope: Scope,
) -> Result<Inventory, Ec2Error> {
    loop {
        let inv = fetch(ec2, mesh_id, &scope).await?;
        let seen: BTreeSet<&str> = inv.vpcs.iter().map(|v| v.id.as_str()).collect();
        let mut next = scope.clone();
        let ours = |tags: &Tags| tags.get(TAG_MESH).is_some_and(|m| m == mesh_id);
        let mut reached: Vec<(&str, &str)> = Vec::new();
        for p in inv.peerings.iter().filter(|p| ours(&p.tags)) {
            reached.push((&p.requester_region, &p.requester_vpc_id));
            reached.push((&p.accepter_region, &p.accepter_vpc_id));
        }
        for g in inv.security_groups.iter().filter(|g| ours(&g.tags)) {
            reached.push((&g.region, &g.vpc_id));
        }
        for (region, vpc) in reached {
            if !seen.contains(vpc) || !scope.contains_key(region) {
                add_to_scope(&mut next, region, Some(vpc));
            }
        }
        if next == scope {
            return Ok(inv);
        }
        scope = next;
    }
}

/// Like [`discover`], for a provider with other `accounts`: a peering is listed in its
/// requester's place only, so one requested by another account is not seen from the
/// provider's own. Each region reached is therefore also looked at in every account of
/// `accounts`, breadth-first, until no new place holds anything of the mesh. An account
/// that cannot be read is left out here (its own calls say why, later).
pub async fn discover_across(
    ec2: &dyn Ec2,
    mesh_id: &str,
    region: &str,
    accounts: &[String],
) -> Result<Inventory, Ec2Error> {
    let mut scope = Scope::new();
    add_to_scope(&mut scope, region, None);
    let mut looked = BTreeSet::new();
    loop {
        let inv = discover_from(ec2, mesh_id, scope.clone()).await?;
        let regions: BTreeSet<String> = scope
            .keys()
            .map(String::as_str)
            .chain(inv.vpcs.iter().map(|v| v.region.as_str()))
            .map(|p| place::region_of(p).to_string())
            .collect();
        let mut candidates: Vec<String> = regions
            .iter()
            .flat_map(|region| accounts.iter().map(|key| place::place(Some(key), region)))
            .collect();
        // A peering requested from a place not found yet is listed only there, but the
        // mesh's routes name it here: EC2 tells its two places by its id.
        candidates.extend(peer_places_of_routes(ec2, &inv).await);
        let mut found = false;
        for at in candidates {
            if scope.contains_key(&at) || !looked.insert(at.clone()) {
                continue;
            }
            match ec2.inventory(&at, mesh_id, &[]).await {
                Ok(there) if anything_tagged(&there, mesh_id) => {
                    add_to_scope(&mut scope, &at, None);
                    found = true;
                }
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!(place = %place::describe(&at), error = %e, "not read while looking for the mesh")
                }
            }
        }
        if !found {
            return Ok(inv);
        }
    }
}

/// The places of both sides of every peering the route tables of `inv` route through
/// that `inv` does not list (one DescribeVpcPeeringConnections by id each; a peering
/// that cannot be read is left out).
async fn peer_places_of_routes(ec2: &dyn Ec2, inv: &Inventory) -> Vec<String> {
    let listed: BTreeSet<&str> = inv.peerings.iter().map(|p| p.id.as_str()).collect();
    let mut asked = BTreeSet::new();
    let mut places = Vec::new();
    for table in &inv.route_tables {
        for route in &table.routes {
            let RouteTarget::Peering(id) = &route.target else {
                continue;
            };
            if listed.contains(id.as_str()) || !asked.insert(id.clone()) {
                continue;
            }
            if let Ok(p) = ec2.describe_peering(&table.region, id).await {
                places.extend([p.requester_region, p.accepter_region]);
            }
        }
    }
    places
}

/// A VPC of the mesh, as [`named_vpcs`] finds it.
#[derive(Debug, Clone, Copy)]
pub struct NamedVpc<'a> {
    pub vpc: &'a VpcObs,
    /// The mesh uses the VPC but did not create it (it carries no mesh tag).
    pub adopted: bool,
}

/// The mesh's VPCs in `inv` by their names in `peering_mesh.vpcs`: a created VPC carries
/// its key (`vpc/NAME`), an adopted one is found through the mesh's security group in it
/// (`sg/NAME`). VPCs without either are left out.
pub fn named_vpcs<'a>(inv: &'a Inventory, mesh_id: &str) -> BTreeMap<String, NamedVpc<'a>> {
    let ours = |tags: &Tags| tags.get(TAG_MESH).is_some_and(|m| m == mesh_id);
    let key = |tags: &Tags| tags.get(TAG_COMPONENT).and_then(|t| Key::parse(t));
    let mut vpcs = BTreeMap::new();
    for v in inv.vpcs.iter().filter(|v| ours(&v.tags)) {
        if let Some(Key::Vpc(name)) = key(&v.tags) {
            vpcs.entry(name).or_insert(NamedVpc {
                vpc: v,
                adopted: false,
            });
        }
    }
    for g in mesh_groups(inv, mesh_id) {
        let Some(Key::SecurityGroup(name)) = key(&g.tags) else {
            continue;
        };
        let adopted = inv.vpcs.iter().find(|v| v.id == g.vpc_id && !ours(&v.tags));
        if let (false, Some(vpc)) = (vpcs.contains_key(&name), adopted) {
            vpcs.insert(name, NamedVpc { vpc, adopted: true });
        }
    }
    vpcs
}

/// The security groups in `inv` that carry this mesh's tag, by id.
pub fn mesh_groups<'a>(inv: &'a Inventory, mesh_id: &str) -> Vec<&'a SecurityGroupObs> {
    let mut groups: Vec<_> = inv
        .security_groups
        .iter()
        .filter(|g| g.tags.get(TAG_MESH).is_some_and(|m| m == mesh_id))
        .collect();
    groups.sort_by(|a, b| a.id.cmp(&b.id));
    groups
}

/// The regions and VPC ids an inventory covers.
pub fn scope_of_inventory(scope: &mut Scope, inv: &Inventory) {
    for v in &inv.vpcs {
        add_to_scope(scope, &v.region, Some(&v.id));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mesh_ids_are_stable_and_distinct() {
        let id = mesh_id("seed-lab", "eu-west-2", "123456789012");
        assert_eq!(id, mesh_id("seed-lab", "eu-west-2", "123456789012"));
        assert!(id.starts_with("mesh-") && id.len() == 21, "{id}");
        assert!(id[5..].bytes().all(|b| b.is_ascii_hexdigit()));
        assert_ne!(id, mesh_id("seed-lab", "eu-west-1", "123456789012"));
        assert_ne!(id, mesh_id("seed-lab", "eu-west-2", "210987654321"));
        assert_ne!(id, mesh_id("other", "eu-west-2", "123456789012"));
    }
}
