//! Glue between the resource and the mesh engine: the mesh id, reading the inventory of
//! every region a mesh touches, and the desired components with the settings tags.

use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv4Addr;

use ipnet::Ipv4Net;
use sha2::{Digest, Sha256};

use super::meta::add_settings_tags;
use crate::ec2::types::{Inventory, Tags, VpcObs, TAG_COMPONENT, TAG_MESH};
use crate::ec2::{Ec2, Ec2Error};
use crate::mesh::desired::{desired, Desired, DesiredContext, DesiredError};
use crate::mesh::key::Key;
use crate::mesh::model::Mesh;

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
        let inv = ec2.inventory(region, mesh_id, &ids).await?;
        all.vpcs.extend(inv.vpcs);
        all.subnets.extend(inv.subnets);
        all.route_tables.extend(inv.route_tables);
        all.internet_gateways.extend(inv.internet_gateways);
        all.security_groups.extend(inv.security_groups);
        all.peerings.extend(inv.peerings);
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
    let mut groups: Vec<_> = inv
        .security_groups
        .iter()
        .filter(|g| ours(&g.tags))
        .collect();
    groups.sort_by(|a, b| a.id.cmp(&b.id));
    for g in groups {
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

/// Inputs of [`desired_for`] besides the mesh.
pub struct DesiredInputs<'a> {
    pub mesh_id: &'a str,
    pub default_region: &'a str,
    pub default_tags: &'a Tags,
    pub inventory: &'a Inventory,
    /// Plan time: an adopted VPC not observed yet gets a placeholder block instead of
    /// an error (what depends on it is planned as new anyway).
    pub placeholders: bool,
}

/// The desired components of `mesh`, adopted VPCs' blocks read from the inventory, and
/// the settings tags added.
pub fn desired_for(mesh: &Mesh, inputs: &DesiredInputs<'_>) -> Result<Desired, DesiredError> {
    let mut adopted_cidrs = BTreeMap::new();
    for (i, (name, spec)) in mesh.vpcs.iter().enumerate() {
        let (Some(id), None) = (&spec.vpc_id, spec.cidr) else {
            continue;
        };
        let observed = inputs
            .inventory
            .vpcs
            .iter()
            .find(|v| &v.id == id)
            .map(|v| v.cidr);
        let placeholder =
            || Ipv4Net::new(Ipv4Addr::new(0, 0, 255, i as u8), 32).expect("a /32 is valid");
        if let Some(cidr) = observed.or_else(|| inputs.placeholders.then(placeholder)) {
            adopted_cidrs.insert(name.clone(), cidr);
        }
    }
    let ctx = DesiredContext {
        mesh_id: inputs.mesh_id,
        default_region: inputs.default_region,
        adopted_cidrs: &adopted_cidrs,
        default_tags: inputs.default_tags,
    };
    let mut d = desired(mesh, &ctx)?;
    add_settings_tags(&mut d, mesh);
    Ok(d)
}

/// VPCs without a region go where `known` (the prior or planned state) placed them,
/// else to `default_region`: a VPC never moves because the provider's region changed.
pub fn pin_regions(mesh: &mut Mesh, known: &tfplugin::value::Value, default_region: &str) {
    for (name, spec) in mesh.vpcs.iter_mut() {
        if spec.region.is_none() {
            let placed = known.get("vpcs").get(name).get("region").as_str();
            spec.region = Some(placed.unwrap_or(default_region).to_string());
        }
    }
}

/// State records the id of every VPC; only those without this mesh's tag in EC2 were
/// adopted. A VPC that is gone counts as created (it will be created again).
pub fn unadopt_created(mesh: &mut Mesh, inv: &Inventory, mesh_id: &str) {
    for spec in mesh.vpcs.values_mut() {
        let Some(id) = &spec.vpc_id else { continue };
        let adopted = inv
            .vpcs
            .iter()
            .any(|v| &v.id == id && v.tags.get(TAG_MESH).map(String::as_str) != Some(mesh_id));
        if !adopted {
            spec.vpc_id = None;
        }
    }
}

/// The regions and VPC ids a state value names.
pub fn scope_of_state(scope: &mut Scope, state: &tfplugin::value::Value) {
    for vpc in state
        .get("vpcs")
        .as_map()
        .into_iter()
        .flatten()
        .map(|(_, v)| v)
    {
        if let Some(region) = vpc.get("region").as_str() {
            add_to_scope(scope, region, vpc.get("vpc_id").as_str());
        }
    }
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
