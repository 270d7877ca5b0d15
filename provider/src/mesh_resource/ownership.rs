//! What the prior state tells the planner about ownership (see
//! [`crate::mesh::desired::Ownership`]), and the name-collision check of a new mesh:
//! before a mesh without state is made, what EC2 already holds under its id must be
//! what an interrupted create of this very configuration left, or the plan fails.

use tfplugin::diag::{AttributePath, Diagnostic, Diagnostics};
use tfplugin::value::Value;

use super::parse::{read_input, MeshInput};
use crate::ec2::types::{Inventory, Tags, TAG_COMPONENT, TAG_MESH};
use crate::mesh::desired::Desired;
use crate::mesh::plan::{Blocker, Op, Plan};

/// Prefixes of the AWS ids a state records.
const ID_PREFIXES: [&str; 7] = [
    "vpc-",
    "subnet-",
    "rtb-",
    "rtbassoc-",
    "igw-",
    "sg-",
    "pcx-",
];

/// Adds what `prior` (a state value, or Null) says the mesh owned: its VPC names, every
/// AWS id it recorded, and the keys of the tags it set.
pub fn add_prior(desired: &mut Desired, prior: &Value) {
    let recorded: MeshInput = read_input(prior, &AttributePath::default(), &mut Diagnostics::new());
    let own = &mut desired.ownership;
    if let Some(names) = own.names.as_mut() {
        names.extend(recorded.vpcs.or_default().into_keys());
    }
    // Any attribute may hold an id (nested ones included), so this walks the value.
    collect_ids(prior, &mut |id| {
        own.known_ids.insert(id.to_string());
    });
    own.tag_keys.extend(recorded.tags.or_default().into_keys());
}

fn collect_ids(value: &Value, found: &mut impl FnMut(&str)) {
    match value {
        Value::String(s) if ID_PREFIXES.iter().any(|p| s.starts_with(p)) => found(s),
        Value::List(items) | Value::Set(items) | Value::Tuple(items) => {
            items.iter().for_each(|v| collect_ids(v, found))
        }
        Value::Map(entries) | Value::Object(entries) => {
            entries.values().for_each(|v| collect_ids(v, found))
        }
        Value::Dynamic(_, inner) => collect_ids(inner, found),
        _ => {}
    }
}

/// Every object in `inv` that carries `mesh_id`: (id, component tag or "no component").
fn carrying(inv: &Inventory, mesh_id: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut add = |id: &str, tags: &Tags| {
        if tags.get(TAG_MESH).map(String::as_str) == Some(mesh_id) {
            let component = tags
                .get(TAG_COMPONENT)
                .cloned()
                .unwrap_or_else(|| "no component".to_string());
            out.push((id.to_string(), component));
        }
    };
    inv.vpcs.iter().for_each(|o| add(&o.id, &o.tags));
    inv.subnets.iter().for_each(|o| add(&o.id, &o.tags));
    inv.route_tables
        .iter()
        .filter(|t| !t.main)
        .for_each(|o| add(&o.id, &o.tags));
    inv.internet_gateways
        .iter()
        .for_each(|o| add(&o.id, &o.tags));
    inv.security_groups
        .iter()
        .filter(|g| g.name != "default")
        .for_each(|o| add(&o.id, &o.tags));
    inv.peerings
        .iter()
        .filter(|p| !p.status.is_terminal())
        .for_each(|o| add(&o.id, &o.tags));
    out.sort();
    out
}

/// The plan for a mesh without state, checked against what EC2 already holds under its
/// id. Nothing: fine. Everything fits this configuration (the plan keeps all of it and
/// deletes, blocks and ignores nothing): a warning that it will be adopted. Else: an
/// error naming the mesh id, a few of the objects and the two ways out.
pub fn check_collision(plan: &Plan, inv: &Inventory, mesh_name: &str, diags: &mut Diagnostics) {
    let found = carrying(inv, &plan.mesh_id);
    if found.is_empty() {
        return;
    }
    let kept = found
        .iter()
        .filter(|(id, _)| plan.known.values().any(|k| k == id))
        .count();
    let deletes = plan.steps.iter().any(|s| {
        matches!(
            s.op,
            Op::DeletePeering(_)
                | Op::DeleteSecurityGroup(_)
                | Op::DeleteRouteTable(_)
                | Op::DeleteSubnet(_)
                | Op::DeleteInternetGateway(_)
                | Op::DeleteVpc(_)
                | Op::DetachInternetGateway { .. }
        )
    });
    // Objects that do not fit come first: they are the ones to look at.
    let mut found = found;
    found.sort_by_key(|(id, _)| plan.known.values().any(|k| k == id));
    let few: Vec<String> = found
        .iter()
        .take(5)
        .map(|(id, c)| format!("{id} ({c})"))
        .collect();
    let more = if found.len() > few.len() {
        format!(" and {} more", found.len() - few.len())
    } else {
        String::new()
    };
    if kept == found.len() && !deletes && plan.blocked.is_empty() {
        diags.push(Diagnostic::warning(
            "Objects of an interrupted create will be adopted",
            format!(
                "EC2 already holds {} object(s) of mesh {} ({}{more}), all as this configuration describes them: an earlier apply of it was interrupted. Apply adopts them and makes only what is missing.",
                found.len(),
                plan.mesh_id,
                few.join(", "),
            ),
        ));
        return;
    }
    diags.push(
        Diagnostic::error(
            "A mesh with this name already exists",
            format!(
                "EC2 already holds objects of mesh {} ({}{more}) that this configuration does not describe: another configuration in this account and region uses name = \"{mesh_name}\", or an earlier create was made with other settings. The mesh never takes over or deletes objects it cannot tell are this configuration's. Either import the existing mesh into this configuration (terraform import <address> {}), or choose another name.",
                plan.mesh_id,
                few.join(", "),
                plan.mesh_id,
            ),
        )
        .at(tfplugin::diag::AttributePath::root("name")),
    );
}

/// One error per component that something of someone else's blocks.
pub fn report_blocked(blocked: &[Blocker], diags: &mut Diagnostics) {
    for b in blocked {
        diags.push(Diagnostic::error(
            format!("Mesh component {} is blocked", b.component),
            b.message.clone(),
        ));
    }
}
