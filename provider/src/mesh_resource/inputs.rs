//! What the resource hands the mesh engine, taken from its state and configuration: the
//! desired components with the settings tags, the regions VPCs were placed in, which
//! VPCs were adopted, and the regions and VPCs a state names.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use ipnet::{Ipv4Net, Ipv6Net};

use super::meta::add_settings_tags;
use crate::ec2::place::place;
use crate::ec2::types::{Inventory, Tags, TAG_COMPONENT, TAG_MESH};
use crate::mesh::desired::{add_ipv6, desired, Desired, DesiredContext, DesiredError};
use crate::mesh::discover::{add_to_scope, Scope};
use crate::mesh::key::Key;
use crate::mesh::model::Mesh;

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
    let blocks = ipv6_blocks(&d, inputs);
    add_ipv6(&mut d, mesh, &blocks);
    add_settings_tags(&mut d, mesh);
    Ok(d)
}

/// The IPv6 block each VPC of `d` holds in the inventory, by name: an adopted VPC's by
/// its id, one of the mesh's by its component tag (and its CIDR and region, as the
/// planner matches it).
fn ipv6_blocks(d: &Desired, inputs: &DesiredInputs<'_>) -> BTreeMap<String, Ipv6Net> {
    let mut out = BTreeMap::new();
    for (name, want) in &d.vpcs {
        let component = Key::Vpc(name.clone()).to_string();
        let observed = inputs
            .inventory
            .vpcs
            .iter()
            .find(|v| match &want.adopted_id {
                Some(id) => &v.id == id,
                None => {
                    v.tags.get(TAG_MESH).map(String::as_str) == Some(inputs.mesh_id)
                        && v.tags.get(TAG_COMPONENT) == Some(&component)
                        && v.cidr == want.cidr
                        && v.region == want.region
                }
            });
        if let Some(block) = observed.and_then(|v| v.ipv6_cidr) {
            out.insert(name.clone(), block);
        }
    }
    out
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

/// The place (account and region) of each VPC of `mesh`, VPCs without a region in
/// `default_region`.
pub fn vpc_places<'m>(
    mesh: &'m Mesh,
    default_region: &'m str,
) -> impl Iterator<Item = (String, Option<&'m str>)> + 'm {
    mesh.vpcs.values().map(move |spec| {
        let region = spec.region.as_deref().unwrap_or(default_region);
        (
            place(spec.account.as_deref(), region),
            spec.vpc_id.as_deref(),
        )
    })
}

/// The places and VPC ids a state value names.
pub fn scope_of_state(scope: &mut Scope, state: &tfplugin::value::Value) {
    for vpc in state
        .get("vpcs")
        .as_map()
        .into_iter()
        .flatten()
        .map(|(_, v)| v)
    {
        if let Some(region) = vpc.get("region").as_str() {
            let at = place(vpc.get("account").as_str(), region);
            add_to_scope(scope, &at, vpc.get("vpc_id").as_str());
        }
    }
}
