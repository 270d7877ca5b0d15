//! The configuration the story applies: examples/seed-experiment as a user
//! copies it (checks.tf only where Terraform can parse `check` blocks), and
//! its variables.

use serde::Serialize;

use crate::mesh_fixture::REGION;
use crate::prereq::repo_root;
use crate::terraform::Terraform;
use crate::workspace::Workspace;

/// The example, relative to the repository root.
pub const EXAMPLE_DIR: &str = "examples/seed-experiment";

/// terraform.tfvars.json of the example.
#[derive(Debug, Clone, Serialize)]
pub struct SeedVars {
    pub region: String,
    pub ec2_endpoint: String,
    /// moto serves STS on the EC2 port: the same URL.
    pub sts_endpoint: String,
    pub topology: String,
    pub hub: String,
    pub bastion_address: String,
    pub private_key_file: String,
    pub known_hosts_file: String,
    pub ssh_user: String,
}

impl SeedVars {
    /// The variables before the lab exists. The runs that use them target
    /// the mesh only (`-target`), so the data source is never read with
    /// them; should it be, its SSH goes to loopback with an empty key.
    pub fn before_lab(endpoint: &str) -> SeedVars {
        SeedVars {
            region: REGION.into(),
            ec2_endpoint: endpoint.into(),
            sts_endpoint: endpoint.into(),
            topology: "full_mesh".into(),
            hub: super::HUB.into(),
            bastion_address: "127.0.0.1".into(),
            private_key_file: "/dev/null".into(),
            known_hosts_file: "/dev/null".into(),
            ssh_user: "root".into(),
        }
    }
}

/// Terraform 1.5 brought `check` blocks; older versions fail to parse them.
pub fn parses_check_blocks(tf: &Terraform) -> bool {
    tf.version_key() >= vec![1, 5]
}

/// Copies the example's files into the workspace: main.tf, and checks.tf
/// when this Terraform can parse it.
pub fn write_example(ws: &Workspace) {
    let dir = repo_root().join(EXAMPLE_DIR);
    let mut files = vec!["main.tf"];
    if parses_check_blocks(ws.terraform()) {
        files.push("checks.tf");
    }
    for file in files {
        let path = dir.join(file);
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
        ws.write(file, &text);
    }
}

pub fn write_vars(ws: &Workspace, vars: &SeedVars) {
    ws.write_vars(&serde_json::to_value(vars).expect("variables as JSON"));
}
