//! A Terraform working directory for one test and one Terraform version, with
//! the provider installed from its own filesystem mirror and its own CLI
//! configuration, so nothing is fetched and nothing on the machine is used.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use tempfile::TempDir;

use crate::command::{self, CmdOutput, Running};
use crate::provider_bin::{shared_mirror, write_mirror};
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

/// Where a workspace's provider comes from.
enum Mirror<'a> {
    /// The per-process mirror of the provider built from this repository.
    Shared(&'a Path),
    /// A mirror of its own offering this executable.
    Private { provider: &'a Path },
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
    /// A fresh workspace for `terraform` installing the provider built from
    /// this workspace (see [`crate::provider_binary`]).
    pub fn new(test: &str, terraform: &Terraform) -> Workspace {
        Workspace::create(
            test,
            terraform,
            Mirror::Shared(shared_mirror(PROVIDER_VERSION)),
        )
    }

    /// A workspace whose own mirror offers `provider` (any executable) instead.
    pub fn with_provider(test: &str, terraform: &Terraform, provider: &Path) -> Workspace {
        Workspace::create(test, terraform, Mirror::Private { provider })
    }

    fn create(test: &str, terraform: &Terraform, mirror: Mirror<'_>) -> Workspace {
        let root = tempfile::Builder::new()
            // `ptl<pid>x...` like the labs: `make lab-clean` removes it after a killed run.
            .prefix(&format!(
                "{}{}x-{test}-{}-",
                crate::netns::NAME_PREFIX,
                std::process::id(),
                terraform.version
            ))
            .tempdir()
            .expect("creating a temporary directory");
        let mirror_dir = match mirror {
            Mirror::Shared(dir) => dir.to_path_buf(),
            Mirror::Private { provider } => {
                let dir = root.path().join("mirror");
                write_mirror(&dir, provider, PROVIDER_VERSION);
                dir
            }
        };
        // No `direct` source: a test configuration that asks for any other
        // provider fails instead of reaching for the network.
        let cli_config = format!(
            "provider_installation {{\n  filesystem_mirror {{\n    path    = \"{}\"\n    include = [\"{PROVIDER_SOURCE}\"]\n  }}\n}}\n",
            mirror_dir.display()
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

    /// Replaces the CLI configuration every later command uses (by default a
    /// filesystem mirror of the provider), e.g. with a `network_mirror`.
    pub fn set_cli_config(&self, text: &str) {
        std::fs::write(self.root().join("terraformrc"), text).expect("writing terraformrc");
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
        command::run(self.command(args), self.command_timeout)
    }

    /// Starts `terraform ARGS` without waiting, for tests that act while it
    /// runs; finish it with `wait(ws.command_timeout)`.
    pub fn spawn(&self, args: &[&str]) -> Running {
        command::spawn(self.command(args))
    }

    /// The `terraform ARGS` command [`Workspace::run`] runs: working
    /// directory, namespace, CLI configuration, debug log and extra env.
    pub fn command(&self, args: &[&str]) -> Command {
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
        cmd
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

    /// `terraform plan -detailed-exitcode`: exit 0 for no changes, 2 for
    /// changes, 1 for an error.
    pub fn plan_detailed(&self) -> CmdOutput {
        self.run(&["plan", "-input=false", "-no-color", "-detailed-exitcode"])
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
