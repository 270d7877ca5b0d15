//! `peering_mesh` configurations for the acceptance scenarios, what they
//! should produce (pairs, reachability), workspaces wired to a moto server,
//! and the resource's outputs parsed.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

use serde::Deserialize;
use serde_json::Value;

use crate::ec2check::{DUMMY_ACCESS_KEY, DUMMY_SECRET_KEY};
use crate::moto::MotoServer;
use crate::terraform::Terraform;
use crate::workspace::Workspace;
use crate::CmdOutput;

/// The region every scenario uses (moto knows its zones).
pub const REGION: &str = "us-east-1";
pub const ZONE: &str = "us-east-1a";
/// The resource address in every configuration.
pub const RESOURCE: &str = "peering_mesh.lab";

#[derive(Debug, Clone)]
pub struct SubnetSpec {
    pub name: String,
    pub cidr: String,
    pub public: bool,
}

#[derive(Debug, Clone)]
pub struct VpcSpec {
    pub name: String,
    pub cidr: String,
    pub subnets: Vec<SubnetSpec>,
}

impl VpcSpec {
    /// A VPC with one private subnet named `private`.
    pub fn private(name: &str, cidr: &str, subnet_cidr: &str) -> VpcSpec {
        VpcSpec {
            name: name.into(),
            cidr: cidr.into(),
            subnets: vec![SubnetSpec {
                name: "private".into(),
                cidr: subnet_cidr.into(),
                public: false,
            }],
        }
    }

    pub fn has_public_subnet(&self) -> bool {
        self.subnets.iter().any(|s| s.public)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TopologySpec {
    FullMesh,
    HubAndSpoke(String),
    Explicit(Vec<(String, String)>),
}

/// One `peering_mesh.lab` configuration and the provider block around it.
#[derive(Debug, Clone)]
pub struct MeshSpec {
    pub name: String,
    pub vpcs: Vec<VpcSpec>,
    pub topology: TopologySpec,
    pub ssh_ingress_cidrs: Vec<String>,
    /// `None`: attribute omitted (default false).
    pub dns_resolution: Option<bool>,
    /// Extra lines for the provider block, e.g. `max_concurrency = 1`.
    pub provider_settings: String,
    /// Write the VPCs in a `locals` block and `vpcs = local.vpcs`, so that
    /// Terraform's source snippet of a diagnostic cannot show VPC names or
    /// CIDRs: only the provider's message can.
    pub vpcs_from_local: bool,
}

/// The pair key of two VPC names: sorted, joined by `:`.
pub fn pair_key(a: &str, b: &str) -> String {
    if a <= b {
        format!("{a}:{b}")
    } else {
        format!("{b}:{a}")
    }
}

impl MeshSpec {
    /// The seed experiment: four VPCs, a public and a private subnet in
    /// production, a private subnet elsewhere, SSH from the bastion subnet.
    pub fn seed() -> MeshSpec {
        let production = VpcSpec {
            name: "production".into(),
            cidr: "10.1.0.0/16".into(),
            subnets: vec![
                SubnetSpec {
                    name: "public".into(),
                    cidr: "10.1.1.0/24".into(),
                    public: true,
                },
                SubnetSpec {
                    name: "private".into(),
                    cidr: "10.1.2.0/24".into(),
                    public: false,
                },
            ],
        };
        MeshSpec {
            name: "seed-lab".into(),
            vpcs: vec![
                production,
                VpcSpec::private("development", "10.2.0.0/16", "10.2.1.0/24"),
                VpcSpec::private("testing", "10.3.0.0/16", "10.3.1.0/24"),
                VpcSpec::private("shared", "10.4.0.0/16", "10.4.1.0/24"),
            ],
            topology: TopologySpec::FullMesh,
            ssh_ingress_cidrs: vec!["10.1.1.0/24".into()],
            dns_resolution: None,
            provider_settings: String::new(),
            vpcs_from_local: false,
        }
    }

    pub fn vpc(&self, name: &str) -> &VpcSpec {
        self.vpcs
            .iter()
            .find(|v| v.name == name)
            .unwrap_or_else(|| panic!("no VPC {name} in the spec"))
    }

    /// The pairs the topology peers, as sorted (a, b) with a < b.
    pub fn pairs(&self) -> BTreeSet<(String, String)> {
        let sorted = |a: &str, b: &str| {
            if a <= b {
                (a.to_string(), b.to_string())
            } else {
                (b.to_string(), a.to_string())
            }
        };
        let names: Vec<&str> = self.vpcs.iter().map(|v| v.name.as_str()).collect();
        match &self.topology {
            TopologySpec::FullMesh => names
                .iter()
                .enumerate()
                .flat_map(|(i, a)| names[i + 1..].iter().map(move |b| sorted(a, b)))
                .collect(),
            TopologySpec::HubAndSpoke(hub) => names
                .iter()
                .filter(|n| *n != hub)
                .map(|spoke| sorted(hub, spoke))
                .collect(),
            TopologySpec::Explicit(connections) => {
                connections.iter().map(|(a, b)| sorted(a, b)).collect()
            }
        }
    }

    pub fn pair_keys(&self) -> BTreeSet<String> {
        self.pairs().iter().map(|(a, b)| pair_key(a, b)).collect()
    }

    /// Per VPC, the VPCs it peers with directly (peering is not transitive).
    pub fn reachability(&self) -> BTreeMap<String, BTreeSet<String>> {
        let mut reach: BTreeMap<String, BTreeSet<String>> = self
            .vpcs
            .iter()
            .map(|v| (v.name.clone(), BTreeSet::new()))
            .collect();
        for (a, b) in self.pairs() {
            reach.entry(a.clone()).or_default().insert(b.clone());
            reach.entry(b).or_default().insert(a);
        }
        reach
    }

    /// main.tf without the `terraform` block: provider, resource, outputs.
    pub fn render(&self, endpoint: &str) -> String {
        format!(
            "{}\n{}\n{OUTPUTS}",
            self.render_provider(endpoint),
            self.render_resource()
        )
    }

    pub fn render_provider(&self, endpoint: &str) -> String {
        format!(
            "provider \"peering\" {{\n  region    = \"{REGION}\"\n  endpoints = {{ ec2 = \"{endpoint}\", sts = \"{endpoint}\" }}\n{}\n}}\n",
            self.provider_settings
        )
    }

    /// The `vpcs` map as an HCL expression.
    fn render_vpcs(&self) -> String {
        let mut hcl = "{\n".to_string();
        for vpc in &self.vpcs {
            hcl += &format!(
                "    {} = {{\n      cidr_block = \"{}\"\n      subnets = {{\n",
                vpc.name, vpc.cidr
            );
            for s in &vpc.subnets {
                let public = if s.public { ", public = true" } else { "" };
                hcl += &format!(
                    "        {} = {{ cidr_block = \"{}\", availability_zone = \"{ZONE}\"{public} }}\n",
                    s.name, s.cidr
                );
            }
            hcl += "      }\n    }\n";
        }
        hcl += "  }";
        hcl
    }

    pub fn render_resource(&self) -> String {
        let mut hcl = String::new();
        let vpcs = if self.vpcs_from_local {
            hcl += &format!("locals {{\n  vpcs = {}\n}}\n\n", self.render_vpcs());
            "local.vpcs".to_string()
        } else {
            self.render_vpcs()
        };
        hcl += &format!(
            "resource \"peering_mesh\" \"lab\" {{\n  name = \"{}\"\n  vpcs = {vpcs}\n",
            self.name
        );
        match &self.topology {
            TopologySpec::FullMesh => {}
            TopologySpec::HubAndSpoke(hub) => {
                hcl += &format!("  topology = \"hub_and_spoke\"\n  hub      = \"{hub}\"\n");
            }
            TopologySpec::Explicit(connections) => {
                let list: Vec<String> = connections
                    .iter()
                    .map(|(a, b)| format!("[\"{a}\", \"{b}\"]"))
                    .collect();
                hcl += &format!(
                    "  topology    = \"explicit\"\n  connections = [{}]\n",
                    list.join(", ")
                );
            }
        }
        let ssh: Vec<String> = self
            .ssh_ingress_cidrs
            .iter()
            .map(|c| format!("\"{c}\""))
            .collect();
        hcl += &format!("  ssh_ingress_cidrs = [{}]\n", ssh.join(", "));
        if let Some(dns) = self.dns_resolution {
            hcl += &format!("  dns_resolution = {dns}\n");
        }
        hcl += "}\n";
        hcl
    }
}

/// Outputs every configuration declares, read back by [`MeshOutputs`].
const OUTPUTS: &str = r#"
output "id" {
  value = peering_mesh.lab.id
}
output "peering_count" {
  value = peering_mesh.lab.peering_count
}
output "peerings" {
  value = peering_mesh.lab.peerings
}
output "reachability" {
  value = peering_mesh.lab.reachability
}
output "vpcs" {
  value = peering_mesh.lab.vpcs
}
"#;

#[derive(Debug, Clone, Deserialize)]
pub struct PeeringOutput {
    pub id: String,
    pub requester: String,
    pub accepter: String,
    pub status: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct SubnetOutput {
    pub id: String,
    pub route_table_id: String,
    pub cidr_block: String,
    /// Set when its VPC is dual-stack.
    #[serde(default)]
    pub ipv6_cidr_block: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct VpcOutput {
    pub vpc_id: String,
    pub cidr_block: String,
    pub security_group_id: String,
    pub internet_gateway_id: Option<String>,
    pub route_table_ids: Vec<String>,
    #[serde(default)]
    pub subnets: BTreeMap<String, SubnetOutput>,
    /// Set when the VPC is dual-stack.
    #[serde(default)]
    pub ipv6_cidr_block: Option<String>,
}

/// The values of `terraform output -json` for the outputs above.
#[derive(Debug, Clone, Deserialize)]
pub struct MeshOutputs {
    pub id: String,
    pub peering_count: f64,
    pub peerings: BTreeMap<String, PeeringOutput>,
    pub reachability: BTreeMap<String, Vec<String>>,
    pub vpcs: BTreeMap<String, VpcOutput>,
}

/// `terraform output -json` as `T` (output name => value); panics with the output when it
/// does not have that shape.
#[track_caller]
pub fn parse_outputs<T: serde::de::DeserializeOwned>(output: &CmdOutput) -> T {
    let json = output.json();
    let values: serde_json::Map<String, Value> = json
        .as_object()
        .unwrap_or_else(|| panic!("outputs are an object:\n{output}"))
        .iter()
        .map(|(name, o)| (name.clone(), o["value"].clone()))
        .collect();
    serde_json::from_value(Value::Object(values.clone()))
        .unwrap_or_else(|e| panic!("outputs do not have the expected shape ({e}): {values:#?}"))
}

impl MeshOutputs {
    #[track_caller]
    pub fn parse(output: &CmdOutput) -> MeshOutputs {
        parse_outputs(output)
    }

    /// The resource's attributes from `terraform show -json` (the state), in
    /// the same shape as the outputs: after an import the outputs are stale.
    #[track_caller]
    pub fn from_state(show: &CmdOutput) -> MeshOutputs {
        let state = show.json();
        let resources = state["values"]["root_module"]["resources"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let values = resources
            .iter()
            .find(|r| r["address"] == RESOURCE)
            .map(|r| r["values"].clone())
            .unwrap_or_else(|| panic!("{RESOURCE} not in the state:\n{show}"));
        serde_json::from_value(values.clone()).unwrap_or_else(|e| {
            panic!("{RESOURCE} in the state does not have the expected shape ({e}): {values:#}")
        })
    }

    /// Every id the state knows, of every kind: what EC2 may hold for the mesh.
    pub fn tracked_ids(&self) -> BTreeSet<String> {
        let mut ids: BTreeSet<String> = self.peerings.values().map(|p| p.id.clone()).collect();
        for vpc in self.vpcs.values() {
            ids.insert(vpc.vpc_id.clone());
            ids.insert(vpc.security_group_id.clone());
            ids.extend(vpc.internet_gateway_id.clone());
            ids.extend(vpc.route_table_ids.iter().cloned());
            for subnet in vpc.subnets.values() {
                ids.insert(subnet.id.clone());
                ids.insert(subnet.route_table_id.clone());
            }
        }
        ids
    }
}

/// A workspace for `test` whose provider talks to `moto` with dummy keys and
/// nothing from this machine's AWS configuration, with `spec` written.
pub fn mesh_workspace(test: &str, tf: &Terraform, moto: &MotoServer, spec: &MeshSpec) -> Workspace {
    prepare_mesh_workspace(Workspace::new(test, tf), moto, spec)
}

/// [`mesh_workspace`] for a workspace made elsewhere (e.g. with another provider binary).
pub fn prepare_mesh_workspace(mut ws: Workspace, moto: &MotoServer, spec: &MeshSpec) -> Workspace {
    use_dummy_credentials(&mut ws);
    write_spec(&ws, moto, spec);
    ws
}

/// Gives every later command of `ws` moto's dummy keys and nothing from this
/// machine's AWS configuration.
pub fn use_dummy_credentials(ws: &mut Workspace) {
    let no_file = ws.dir().join("no-such-aws-file");
    let no_file = no_file.to_str().expect("UTF-8 temporary path");
    for (key, value) in [
        ("AWS_ACCESS_KEY_ID", DUMMY_ACCESS_KEY),
        ("AWS_SECRET_ACCESS_KEY", DUMMY_SECRET_KEY),
        ("AWS_REGION", REGION),
        ("AWS_DEFAULT_REGION", REGION),
        ("AWS_CONFIG_FILE", no_file),
        ("AWS_SHARED_CREDENTIALS_FILE", no_file),
        // The instance metadata service is not loopback: never ask it.
        ("AWS_EC2_METADATA_DISABLED", "true"),
    ] {
        ws.set_env(key, value);
    }
}

/// (Re)writes main.tf for `spec`.
pub fn write_spec(ws: &Workspace, moto: &MotoServer, spec: &MeshSpec) {
    ws.write_main(&spec.render(&moto.endpoint()));
}

/// stdout and stderr together, for message checks.
pub fn all_text(out: &CmdOutput) -> String {
    format!("{}\n{}", out.stdout, out.stderr)
}

/// Terraform 1.0.0 to 1.0.5 crash on a planned map nested attribute that
/// differs from both the configuration and the prior state (fixed in 1.0.6),
/// so with them the provider plans `vpcs` as written and its computed ids
/// (`vpc_id`, `security_group_id`, subnet ids, ...) appear after the next
/// refresh, as docs/resources/mesh.md tells users.
pub fn ids_after_refresh(tf: &Terraform) -> bool {
    let v = tf.version_key();
    v.len() >= 3 && v[0] == 1 && v[1] == 0 && v[2] < 6
}

/// Names a Terraform crash when `out` shows one, so a report says why.
pub fn terraform_crash(out: &CmdOutput) -> Option<String> {
    out.stdout.contains("TERRAFORM CRASH").then(|| {
        let panic = out
            .stderr
            .lines()
            .chain(out.stdout.lines())
            .find(|l| l.starts_with("panic:"))
            .unwrap_or("panic: (not shown)");
        format!("Terraform itself crashed ({panic})")
    })
}

/// Panics unless `out` (an apply) succeeded, naming a Terraform crash when
/// the output shows one.
#[track_caller]
pub fn expect_applied(out: &CmdOutput) {
    if out.success() {
        return;
    }
    match terraform_crash(out) {
        Some(crash) => panic!("{crash}:\n{out}"),
        None => panic!("command failed:\n{out}"),
    }
}

/// `terraform apply` that must succeed; on Terraform 1.0.0-1.0.5 (see
/// [`ids_after_refresh`]) followed by the refresh users run there
/// (`apply -refresh-only`), which must succeed too.
#[track_caller]
pub fn apply_mesh(ws: &Workspace) {
    expect_applied(&ws.apply());
    if ids_after_refresh(ws.terraform()) {
        eprintln!(
            "Terraform {}: computed ids inside vpcs come with the next refresh",
            ws.terraform().version
        );
        expect_applied(&ws.run(&[
            "apply",
            "-refresh-only",
            "-auto-approve",
            "-input=false",
            "-no-color",
        ]));
    }
}

/// Asserts a `plan -detailed-exitcode` found nothing to change (exit 0).
#[track_caller]
pub fn assert_plan_empty(out: &CmdOutput) {
    assert_eq!(
        out.code,
        Some(0),
        "plan -detailed-exitcode must be empty (exit 0):\n{out}"
    );
}

/// Plans to a file and asserts, from `terraform show -json` of it, that no
/// resource changes (outputs may: after `state rm` and `import`, Terraform
/// 1.0 plans to re-add the outputs `state rm` dropped).
#[track_caller]
pub fn assert_no_resource_changes(ws: &Workspace) {
    ws.run(&["plan", "-input=false", "-no-color", "-out=check.tfplan"])
        .expect_success();
    let shown = ws.run(&["show", "-json", "-no-color", "check.tfplan"]);
    let plan = shown.expect_success().json();
    let changes = plan["resource_changes"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(!changes.is_empty(), "the plan names the mesh:\n{shown}");
    for change in &changes {
        assert_eq!(
            change["change"]["actions"],
            serde_json::json!(["no-op"]),
            "{} must not change: {change:#}",
            change["address"]
        );
    }
}

/// Asserts a `plan -detailed-exitcode` found changes (exit 2).
#[track_caller]
pub fn assert_plan_has_changes(out: &CmdOutput) {
    assert_eq!(
        out.code,
        Some(2),
        "plan -detailed-exitcode must show changes (exit 2):\n{out}"
    );
}

/// Prints how long a scenario and each of its steps took on one Terraform
/// version (lines start with `TIME`), for the CI time budget.
pub struct ScenarioTimer {
    label: String,
    started: Instant,
}

impl ScenarioTimer {
    pub fn start(test: &str, tf: &Terraform) -> ScenarioTimer {
        ScenarioTimer {
            label: format!("{test} on {}", tf.label()),
            started: Instant::now(),
        }
    }

    /// Runs `f`, printing its duration as step `name`.
    pub fn step<T>(&self, name: &str, f: impl FnOnce() -> T) -> T {
        let started = Instant::now();
        let result = f();
        eprintln!(
            "TIME {} / {name}: {:.1}s",
            self.label,
            started.elapsed().as_secs_f64()
        );
        result
    }
}

impl Drop for ScenarioTimer {
    fn drop(&mut self) {
        let outcome = if std::thread::panicking() {
            " (failed)"
        } else {
            ""
        };
        eprintln!(
            "TIME {}: {:.1}s{outcome}",
            self.label,
            self.started.elapsed().as_secs_f64()
        );
    }
}
