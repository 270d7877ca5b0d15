//! Pulumi's Terraform bridge ("Any Terraform Provider", `pulumi package add
//! terraform-provider ...`) driving the real provider binary, at protocol level.
//!
//! No Pulumi engine runs here (none can be installed on our machines). The bridge
//! starts the provider with the same go-plugin handshake as Terraform (magic cookie,
//! AutoMTLS with `PLUGIN_CLIENT_CERT`) and speaks tfplugin6, but in its own
//! patterns: an auto-generated `name`, no private state on delete, updates planned
//! without a refresh from whatever private state the last apply left, imports
//! followed by a read and a plan, create-before-delete replacement. Each test below
//! replays one such pattern with our own client (`acceptance_tests::plugin_client`)
//! against moto, names the bridge behaviour it mirrors, and checks the outcome
//! through the EC2 API, not through the provider.
//!
//! The subject is the protocol as the bridge speaks it, not Terraform: these tests
//! run once, not once per Terraform version.

mod bridge;
mod cty;
mod data_source;
mod delete;
mod import;
mod lifecycle;
mod replace;
mod schema;

use std::collections::BTreeSet;

use acceptance_tests::ec2check::{Ec2Check, Tagged};
use acceptance_tests::MotoServer;
use bridge::{Bridge, REGION};
use serde_json::json;
use tfplugin::value::Value;

/// The second region of every mesh here: delete must find what is there too.
pub const OTHER_REGION: &str = "us-west-2";

/// Pulumi's autonaming: the logical name, `-`, and 7 random hex digits.
pub fn autoname(logical: &str) -> String {
    format!("{logical}-{:07x}", fastrand::u32(..0x1000_0000))
}

/// Three VPCs, one of them in [`OTHER_REGION`] (two cross-region peerings), one
/// with a public subnet (an internet gateway), SSH from alpha's subnet.
pub fn mesh_config(name: &str, team: &str) -> serde_json::Value {
    json!({
        "name": name,
        "vpcs": {
            "alpha": {"cidr_block": "10.61.0.0/16", "subnets": {
                "main": {"cidr_block": "10.61.1.0/24", "availability_zone": "us-east-1a"}}},
            "beta": {"cidr_block": "10.62.0.0/16", "region": OTHER_REGION, "subnets": {
                "main": {"cidr_block": "10.62.1.0/24", "availability_zone": "us-west-2a"}}},
            "gamma": {"cidr_block": "10.63.0.0/16", "subnets": {
                "main": {"cidr_block": "10.63.1.0/24", "availability_zone": "us-east-1a", "public": true}}},
        },
        "ssh_ingress_cidrs": ["10.61.1.0/24"],
        "tags": {"team": team},
    })
}

/// `pulumi up` creating a resource: Check (ValidateResourceConfig), then
/// PlanResourceChange with a null prior state and no private state, then
/// ApplyResourceChange with the plan's private bytes. Returns the new state
/// and private bytes.
pub fn create(bridge: &mut Bridge, config: &Value) -> (Value, Vec<u8>) {
    let diags = bridge::errors(&bridge.validate_mesh(config));
    assert!(diags.is_empty(), "Check refused the program: {diags:#?}");
    let planned = bridge.plan_mesh(&Value::Null, config, &[]);
    assert!(!planned.state.is_null(), "a create plans a mesh");
    let (state, private) =
        bridge.apply_mesh(&Value::Null, &planned.state, config, &planned.private);
    assert!(
        state
            .get("id")
            .as_str()
            .is_some_and(|id| id.starts_with("mesh-")),
        "mesh id in {state:?}"
    );
    (state, private)
}

/// What the bridge keeps of a mesh an earlier `pulumi up` created (in its own
/// provider process, already ended): the program's configuration, the outputs
/// as JSON, and the private bytes of the apply.
pub struct Created {
    pub name: String,
    pub config: Value,
    pub state: Value,
    pub stored: serde_json::Value,
    pub private: Vec<u8>,
}

/// Creates an autonamed mesh ([`mesh_config`]) through its own provider process.
pub fn created_earlier(moto: &MotoServer) -> Created {
    let name = autoname("lab");
    let mut up = Bridge::start(&moto.endpoint());
    let config = up.mesh(&mesh_config(&name, "net"));
    let (state, private) = create(&mut up, &config);
    let stored = up.stored(&state);
    Created {
        name,
        config,
        state,
        stored,
        private,
    }
}

/// The mesh id of a state.
pub fn id_of(state: &Value) -> String {
    state
        .get("id")
        .as_str()
        .expect("mesh id in the state")
        .to_string()
}

/// `(region, kind, id)` of every object tagged with `mesh_id`, in both regions,
/// peerings only while live: what EC2 itself says the mesh is.
pub fn objects_of(moto: &MotoServer, mesh_id: &str) -> BTreeSet<(String, String, String)> {
    let mut all = BTreeSet::new();
    for region in [REGION, OTHER_REGION] {
        let snapshot = Ec2Check::new(&moto.endpoint(), region).snapshot();
        for object in snapshot.mesh_objects() {
            if object.mesh == mesh_id {
                all.insert((region.to_string(), object.kind.to_string(), object.id));
            }
        }
    }
    all
}

/// Where the live peering between the VPCs `a` and `b` (ids) shows: its region
/// (the first of both that lists it) and id.
pub fn live_peering(moto: &MotoServer, a: &str, b: &str) -> Option<(String, String)> {
    let mut pair = [a.to_string(), b.to_string()];
    pair.sort();
    let [low, high] = pair;
    [REGION, OTHER_REGION].into_iter().find_map(|region| {
        Ec2Check::new(&moto.endpoint(), region)
            .peerings()
            .into_iter()
            .find(|p| p.is_live() && p.vpc_pair() == (low.clone(), high.clone()))
            .map(|p| (region.to_string(), p.id().to_string()))
    })
}

/// Deletes the live peering between the VPCs `a` and `b` behind the provider's
/// back; returns its id.
pub fn delete_peering_out_of_band(moto: &MotoServer, a: &str, b: &str) -> String {
    let (region, id) = live_peering(moto, a, b).expect("a live peering to delete");
    Ec2Check::new(&moto.endpoint(), &region).delete_peering(&id);
    id
}

/// How many objects carry any mesh's tag, in both regions.
pub fn tagged_object_count(moto: &MotoServer) -> usize {
    [REGION, OTHER_REGION]
        .into_iter()
        .map(|region| {
            Ec2Check::new(&moto.endpoint(), region)
                .snapshot()
                .mesh_objects()
                .len()
        })
        .sum()
}

/// The VPC id the state records for VPC `name`.
pub fn vpc_id(state: &Value, name: &str) -> String {
    state
        .get("vpcs")
        .get(name)
        .get("vpc_id")
        .as_str()
        .unwrap_or_else(|| panic!("vpcs.{name}.vpc_id in the state"))
        .to_string()
}
