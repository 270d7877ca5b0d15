//! The top-level id maps `vpc_ids`, `security_group_ids`, `internet_gateway_ids` (by
//! VPC name), `subnet_ids` and `route_table_ids` (by `vpc/subnet`): flat copies of the
//! ids nested in `vpcs`.
//!
//! They exist for Terraform 1.0.0 to 1.0.5, where `vpcs` is planned and saved as
//! written (see `plan.rs`), so its computed ids stay null until the next refresh. Maps
//! of strings are not nested attributes: those versions plan and apply them like any
//! computed value, so the ids are there after the first apply.
//!
//! They are read from the `vpcs` value [`super::state::build`] made, before a legacy
//! plan replaces it: a map's entry is unknown exactly where that id is (a new or
//! drifted component), and every entry equals the prior one when nothing changes, so a
//! plan without changes stays empty.

use std::collections::BTreeMap;

use tfplugin::value::Value;

/// `vpcs` as built (plan: unknown where an id can change; observe: known or null)
/// into the five maps, by attribute name.
pub fn id_maps(vpcs: &Value) -> [(&'static str, Value); 5] {
    [
        ("vpc_ids", by_vpc(vpcs, "vpc_id")),
        ("security_group_ids", by_vpc(vpcs, "security_group_id")),
        (
            "internet_gateway_ids",
            all_or_nothing(by_vpc(vpcs, "internet_gateway_id")),
        ),
        ("subnet_ids", by_subnet(vpcs, "id")),
        ("route_table_ids", by_subnet(vpcs, "route_table_id")),
    ]
}

/// One entry per VPC holding `attr`. A null id (no such component) has no entry; an
/// unknown VPC or id is an unknown entry: every VPC has a VPC id and a security group.
fn by_vpc(vpcs: &Value, attr: &str) -> Value {
    let Some(entries) = known_map(vpcs) else {
        return vpcs.clone();
    };
    let mut out = BTreeMap::new();
    for (name, vpc) in entries {
        add(&mut out, name.clone(), vpc, attr);
    }
    Value::Map(out)
}

/// One entry per subnet, keyed `vpc/subnet`. Unknown as a whole while a VPC or its
/// `subnets` is unknown: then which keys there will be is unknown too.
fn by_subnet(vpcs: &Value, attr: &str) -> Value {
    let Some(entries) = known_map(vpcs) else {
        return vpcs.clone();
    };
    let mut out = BTreeMap::new();
    for (vpc_name, vpc) in entries {
        let subnets = vpc.get("subnets");
        if vpc.is_unknown() || subnets.is_unknown() {
            return Value::Unknown;
        }
        for (subnet_name, subnet) in subnets.as_map().into_iter().flatten() {
            add(&mut out, format!("{vpc_name}/{subnet_name}"), subnet, attr);
        }
    }
    Value::Map(out)
}

fn add(out: &mut BTreeMap<String, Value>, key: String, holder: &Value, attr: &str) {
    let id = if holder.is_unknown() {
        &Value::Unknown
    } else {
        holder.get(attr)
    };
    if !id.is_null() {
        out.insert(key, id.clone());
    }
}

/// Entries of a map that is known; None for an unknown or null one.
fn known_map(v: &Value) -> Option<&BTreeMap<String, Value>> {
    match v {
        Value::Map(entries) => Some(entries),
        _ => None,
    }
}

/// An unknown internet gateway id may turn out null (a gateway being removed, or a VPC
/// whose `public` flags are unknown): its key may vanish, so the whole map is unknown.
fn all_or_nothing(map: Value) -> Value {
    match &map {
        Value::Map(entries) if entries.values().any(Value::is_unknown) => Value::Unknown,
        _ => map,
    }
}
