//! The attributes of `peering_mesh` that describe the mesh, as serde reads them from a
//! configuration, a planned or a prior state (they share the schema). Computed
//! attributes are not read here.
//!
//! At plan time any of them may be unknown, down to single map entries and list
//! elements; [`Known`] says where. `#[serde(default)]` reads an attribute a value
//! leaves out as null, as Terraform sends every attribute of the schema.

use std::collections::BTreeMap;

use serde::Deserialize;
use tfplugin::diag::{AttributePath, Diagnostics};
use tfplugin::value::{known, Known, Value};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MeshInput {
    pub name: Known<Option<String>>,
    pub vpcs: Known<BTreeMap<String, Known<Option<VpcInput>>>>,
    pub topology: Known<Option<String>>,
    pub hub: Known<Option<String>>,
    /// Which pairs peer is known only when every name in every pair is.
    #[serde(deserialize_with = "known::wholly")]
    pub connections: Known<Option<Vec<Vec<Option<String>>>>>,
    pub allow_icmp: Known<Option<bool>>,
    pub ssh_ingress_cidrs: Known<Vec<Known<Option<String>>>>,
    pub dns_resolution: Known<Option<bool>>,
    pub tags: Known<BTreeMap<String, Known<Option<String>>>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct VpcInput {
    pub cidr_block: Known<Option<String>>,
    pub vpc_id: Known<Option<String>>,
    pub region: Known<Option<String>>,
    pub account: Known<Option<String>>,
    pub subnets: Known<BTreeMap<String, Known<Option<SubnetInput>>>>,
    pub ipv6: Known<Option<bool>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SubnetInput {
    pub cidr_block: Known<Option<String>>,
    pub availability_zone: Known<Option<String>>,
    pub public: Known<Option<bool>>,
    pub ipv6_index: Known<Option<i64>>,
}

/// `timeouts` (a block: null when omitted).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TimeoutsInput {
    pub create: Known<Option<String>>,
    pub update: Known<Option<String>>,
    pub delete: Known<Option<String>>,
}

/// Reads `value`, found at `path` (empty for the resource's whole value), as `T`; a
/// null or wholly unknown value reads as `T`'s default (every attribute null). Every
/// attribute of these structs may be null or unknown, so only a value that does not
/// fit the schema fails, which is reported on its attribute path.
pub fn read<T>(value: &Value, path: &AttributePath, diags: &mut Diagnostics) -> T
where
    T: Default + serde::de::DeserializeOwned,
{
    match value.decode::<Known<Option<T>>>() {
        Ok(input) => input.present().unwrap_or_default(),
        Err(e) => {
            let e = e.under(path);
            diags.push(e.diagnostic(
                "Unexpected peering_mesh value",
                format!("{e}. The value does not match the resource's schema; this is a bug in the provider, please report it."),
            ));
            T::default()
        }
    }
}

/// The mesh id a state records (`id`), when it is known.
pub fn recorded_id(state: &Value) -> Option<String> {
    #[derive(Default, Deserialize)]
    #[serde(default)]
    struct Recorded {
        id: Known<Option<String>>,
    }
    let root = AttributePath::default();
    read::<Recorded>(state, &root, &mut Diagnostics::new())
        .id
        .present()
}
