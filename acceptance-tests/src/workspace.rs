//! A Terraform working directory for one test and one Terraform version, with
//! the provider installed from its own filesystem mirror and its own CLI
//! configuration, so nothing is fetched and nothing on the machine is used.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use tempfile::TempDir;

use crate::command::{self, CmdOutput};
use crate::provider_bin::{provider_binary, PROVIDER_BINARY};
use crate::terraform::Terraform;

/// The provider's source address as HCL modules write it.
pub const PROVIDER_SOURCE: &str = "peeringmesh/peering";
/// The provider's full address in `providers schema -json`.
pub const PROVIDER_ADDRESS: &str = "registry.terraform.io/peeringmesh/peering";
/// The version the mirror offers (the workspace version of the provider crate).
pub const PROVIDER_VERSION: &str = env!("CARGO_PKG_VERSION");

/// The `terraform` block every test configuration starts with.
pub fn terraform_block() -> String {
    format!(
        "terraform {{\n  required_providers {{\n    peering = {{\n      source  = \"{PROVIDER_SOURCE}\"\n      version = \"{PROVIDER_VERSION}\"\n    }}\n  }}\n}}\n"
    )
}

pub struct Workspace {
    /// Kept (not deleted) when the test panics, for a look at the files and log.
    root: Option<TempDir>,
    work: PathBuf,
    terraform: Terraform,
    netns: Option<String>,
    env: Vec<(String, String)>,
    /// Time limit per Terraform command.
    pub command_timeout: Duration,
}

impl Workspace {
    /// A fresh workspace for `terraform` with the provider binary from
    /// [`provider_binary`] in its mirror.
    pub fn new(test: &str, terraform: &Terraform) -> Workspace {
        Workspace::with_provider(test, terraform, provider_binary())
    }

    pub fn with_provider(test: &str, terraform: &Terraform, provider: &Path) -> Workspace {
        let root = tempfile::Builder::new()
            .prefix(&format!("ptl-{test}-{}-", terraform.version))
            .tempdir()
            .expect("creating a temporary directory");
        let mirror = root.path().join("mirror");
        let package_dir = mirror
            .join("registry.terraform.io/peeringmesh/peering")
            .join(PROVIDER_VERSION)
            .join("linux_amd64");
        std::fs::create_dir_all(&package_dir).expect("creating the mirror");
        // A copy, not a link: a rebuild during the run must not change what
        // Terraform already hashed into its lock file.
        std::fs::copy(
            provider,
            package_dir.join(format!("{PROVIDER_BINARY}_v{PROVIDER_VERSION}")),
        )
        .unwrap_or_else(|e| panic!("copying {} into the mirror: {e}", provider.display()));
        // No `direct` source: a test configuration that asks for any other
        // provider fails instead of reaching for the network.
        let cli_config = format!(
            "provider_installation {{\n  filesystem_mirror {{\n    path    = \"{}\"\n    include = [\"{PROVIDER_SOURCE}\"]\n  }}\n}}\n",
            mirror.display()
        );
        std::fs::write(root.path().join("terraformrc"), cli_config).expect("writing terraformrc");
        let work = root.path().join("work");
        std::fs::create_dir(&work).expect("creating the working directory");
        Workspace {
            root: Some(root),
            work,
            terraform: terraform.clone(),
            netns: None,
            env: Vec::new(),
            command_timeout: Duration::from_secs(300),
        }
    }

    /// Runs every later command inside network namespace `ns`.
    pub fn in_netns(mut self, ns: &str) -> Workspace {
        self.netns = Some(ns.to_string());
        self
    }

    /// Adds an environment variable to every later command.
    pub fn set_env(&mut self, key: &str, value: &str) {
        self.env.push((key.to_string(), value.to_string()));
    }

    pub fn terraform(&self) -> &Terraform {
        &self.terraform
    }

    /// The Terraform working directory.
    pub fn dir(&self) -> &Path {
        &self.work
    }

    fn root(&self) -> &Path {
        self.root.as_ref().expect("workspace root").path()
    }

    /// Writes `file` (relative to the working directory).
    pub fn write(&self, file: &str, contents: &str) {
        std::fs::write(self.work.join(file), contents)
            .unwrap_or_else(|e| panic!("writing {file}: {e}"));
    }

    /// Writes main.tf: the `terraform` block followed by `body`.
    pub fn write_main(&self, body: &str) {
        self.write("main.tf", &format!("{}\n{body}", terraform_block()));
    }

    /// Writes terraform.tfvars.json, which Terraform loads automatically.
    pub fn write_vars(&self, vars: &serde_json::Value) {
        self.write("terraform.tfvars.json", &vars.to_string());
    }

    /// Runs `terraform ARGS` in the working directory (and namespace).
    pub fn run(&self, args: &[&str]) -> CmdOutput {
        let mut cmd = match &self.netns {
            Some(ns) => {
                let mut cmd = Command::new("ip");
                cmd.args(["netns", "exec", ns]).arg(&self.terraform.path);
                cmd
            }
            None => Command::new(&self.terraform.path),
        };
        cmd.args(args).current_dir(&self.work);
        for inherited in [
            "TF_PLUGIN_CACHE_DIR",
            "TF_DATA_DIR",
            "TF_LOG_PROVIDER",
            "TF_LOG_CORE",
        ] {
            cmd.env_remove(inherited);
        }
        cmd.env("TF_CLI_CONFIG_FILE", self.root().join("terraformrc"))
            .env("CHECKPOINT_DISABLE", "1")
            .env("TF_IN_AUTOMATION", "1")
            .env("TF_INPUT", "0")
            .env("TF_LOG", "debug")
            .env("TF_LOG_PATH", self.log_path());
        for (key, value) in &self.env {
            cmd.env(key, value);
        }
        command::run(cmd, self.command_timeout)
    }

    /// Where Terraform (and the provider, through it) writes its debug log.
    pub fn log_path(&self) -> PathBuf {
        self.root().join("terraform.log")
    }

    pub fn init(&self) -> CmdOutput {
        self.run(&["init", "-input=false", "-no-color"])
    }

    pub fn validate(&self) -> CmdOutput {
        self.run(&["validate", "-no-color"])
    }

    pub fn plan(&self) -> CmdOutput {
        self.run(&["plan", "-input=false", "-no-color"])
    }

    pub fn apply(&self) -> CmdOutput {
        self.run(&["apply", "-auto-approve", "-input=false", "-no-color"])
    }

    pub fn destroy(&self) -> CmdOutput {
        self.run(&["destroy", "-auto-approve", "-input=false", "-no-color"])
    }

    /// `terraform output -json`; parse with [`CmdOutput::json`].
    pub fn output_json(&self) -> CmdOutput {
        self.run(&["output", "-json", "-no-color"])
    }

    /// `terraform show -json` (the state).
    pub fn show_json(&self) -> CmdOutput {
        self.run(&["show", "-json", "-no-color"])
    }

    /// `terraform providers schema -json` (needs `init` first).
    pub fn providers_schema_json(&self) -> CmdOutput {
        self.run(&["providers", "schema", "-json", "-no-color"])
    }
}

impl Drop for Workspace {
    fn drop(&mut self) {
        if std::thread::panicking() {
            if let Some(root) = self.root.take() {
                eprintln!(
                    "kept workspace of the failed test: {} (Terraform debug log: terraform.log)",
                    root.keep().display()
                );
            }
        }
    }
}
