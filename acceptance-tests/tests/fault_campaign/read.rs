//! The provider's side: `data "peering_connectivity"` read by Terraform in the lab's
//! runner over SSH through the world's bastion, with `mesh_id`, `host_vpcs` and
//! `expect`; and the lab's side: the world mirrored from moto, and who pings whom.

use std::collections::{BTreeMap, BTreeSet};

use acceptance_tests::ec2check::Ec2Check;
use acceptance_tests::mesh_fixture::use_dummy_credentials;
use acceptance_tests::{LabSpec, MeshLab, Terraform, Workspace};
use serde_json::{json, Value};

use crate::world::World;

const CONFIG: &str = r#"
variable "endpoint" { type = string }
variable "hosts" { type = map(string) }
variable "expect" { type = map(list(string)) }
variable "mesh_id" { type = string }
variable "bastion" { type = string }
variable "private_key_file" { type = string }
variable "known_hosts_file" { type = string }

provider "peering" {
  region    = "us-east-1"
  endpoints = { ec2 = var.endpoint, sts = var.endpoint }
}

data "peering_connectivity" "campaign" {
  hosts     = var.hosts
  transport = "ssh"
  ssh {
    bastion_address = var.bastion
    bastion_user    = "root"
    user            = "root"
    private_key     = file(var.private_key_file)
    known_hosts     = file(var.known_hosts_file)
  }
  host_vpcs  = { for name, _ in var.hosts : name => name }
  expect     = var.expect
  mesh_id    = var.mesh_id
  echo_count = 1
  timeout_ms = 1000
}

output "results" { value = data.peering_connectivity.campaign.results }
output "diagnosis" { value = data.peering_connectivity.campaign.diagnosis }
"#;

/// A workspace with the campaign's configuration, initialised (in the root namespace:
/// init reads only the local provider mirror), then bound to the lab's runner.
pub fn workspace(test: &str, tf: &Terraform, runner: &str) -> Workspace {
    let mut ws = Workspace::new(test, tf);
    use_dummy_credentials(&mut ws);
    ws.write_main(CONFIG);
    ws.init().expect_success();
    ws.in_netns(runner)
}

/// One result between two hosts, as the data source reports it.
#[derive(Debug, Clone)]
pub struct Row {
    pub reachable: bool,
    pub expected: Option<bool>,
    pub verdict: Option<String>,
}

pub struct Reading {
    /// By (from, to) host name.
    pub rows: BTreeMap<(String, String), Row>,
    pub diagnosis: Vec<String>,
}

/// Reads the data source for `world` (apply: data sources are read on every run).
pub fn read(ws: &Workspace, lab: &MeshLab, world: &World, endpoint: &str) -> Reading {
    let hosts: BTreeMap<&str, &str> = world
        .vpcs
        .iter()
        .map(|v| (v.name.as_str(), v.ip.as_str()))
        .collect();
    let mut expect: BTreeMap<&str, Vec<&str>> = world
        .vpcs
        .iter()
        .map(|v| (v.name.as_str(), Vec::new()))
        .collect();
    for &(a, b) in world.peerings.keys() {
        let (x, y) = (world.vpcs[a].name.as_str(), world.vpcs[b].name.as_str());
        expect.get_mut(x).expect("a mesh VPC").push(y);
        expect.get_mut(y).expect("a mesh VPC").push(x);
    }
    let bastion = lab
        .host("bastion")
        .public_ip
        .expect("the bastion's public IP reaches the runner");
    ws.write_vars(&json!({
        "endpoint": endpoint,
        "hosts": hosts,
        "expect": expect,
        "mesh_id": world.mesh_id,
        "bastion": bastion.to_string(),
        "private_key_file": lab.private_key().display().to_string(),
        "known_hosts_file": lab.known_hosts().display().to_string(),
    }));
    // `apply -json` ends with the outputs (Terraform 0.15.3 and later): one process
    // per scenario instead of two.
    let applied = ws.run(&["apply", "-auto-approve", "-input=false", "-json"]);
    let applied = applied.expect_success();
    // Newer Terraform also sends an outputs message before applying, with actions
    // instead of values: the last one is the one to read.
    let outputs = applied
        .stdout
        .lines()
        .rev()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|message| message["type"] == "outputs")
        .map(|message| message["outputs"].clone())
        .find(|outputs| outputs["results"].get("value").is_some())
        .unwrap_or_else(|| ws.output_json().expect_success().json());
    let mut rows = BTreeMap::new();
    for r in outputs["results"]["value"].as_array().expect("results") {
        let text = |k: &str| r[k].as_str().map(str::to_string);
        let (from, to) = (
            text("from").unwrap_or_default(),
            text("to").unwrap_or_default(),
        );
        let row = Row {
            reachable: r["reachable"] == Value::Bool(true),
            expected: r["expected"].as_bool(),
            verdict: text("verdict"),
        };
        rows.insert((from, to), row);
    }
    let diagnosis = outputs["diagnosis"]["value"]
        .as_array()
        .expect("diagnosis")
        .iter()
        .filter_map(|s| s.as_str().map(str::to_string))
        .collect();
    Reading { rows, diagnosis }
}

/// The lab's spec for `world` alone: moto also holds the worlds built before it,
/// whose hosts have the same names (read as one, they would be renamed apart).
pub fn spec_of(ec2: &Ec2Check, world: &World) -> LabSpec {
    let ids = world.vpc_ids();
    ec2.lab_spec_of(|id| ids.contains(id))
}

/// Who answers whom among the world's hosts, by ping between lab namespaces.
pub fn ground_truth(lab: &MeshLab, world: &World) -> BTreeSet<(String, String)> {
    let names: BTreeSet<&str> = world.vpcs.iter().map(|v| v.name.as_str()).collect();
    lab.ping_matrix()
        .into_iter()
        .filter(|(a, b)| names.contains(a.as_str()) && names.contains(b.as_str()))
        .collect()
}
