//! Everything the story runs on: moto, the mesh applied by Terraform, the
//! instances, the lab mirrored from moto, and the forward that lets
//! Terraform in the lab's runner reach moto. Dropped (also on a panic), it
//! removes all of it, in the reverse order of the fields below.

use std::collections::BTreeMap;
use std::path::Path;

use super::config::{write_example, write_vars, SeedVars};
use super::instances::launch;
use crate::ec2check::Ec2Check;
use crate::forward::PortForward;
use crate::mesh_fixture::{
    expect_applied, ids_after_refresh, use_dummy_credentials, MeshOutputs, REGION, RESOURCE,
};
use crate::meshlab::MeshLab;
use crate::moto::MotoServer;
use crate::terraform::Terraform;
use crate::workspace::Workspace;
use crate::CmdOutput;

pub struct SeedFixture {
    // Drop order: Terraform's files, the forward, the lab, then moto.
    pub(super) ws: Workspace,
    forward: PortForward,
    pub(super) lab: MeshLab,
    pub(super) ec2: Ec2Check,
    pub(super) mesh: MeshOutputs,
    pub(super) vars: SeedVars,
    instances: BTreeMap<String, String>,
    moto: MotoServer,
}

impl SeedFixture {
    /// Why the story cannot run on this machine, if it cannot: root and the
    /// lab's tools, socat, moto.
    pub fn unavailable_reason() -> Option<String> {
        MeshLab::unavailable_reason()
            .or_else(PortForward::unavailable_reason)
            .or_else(|| {
                MotoServer::executable().is_none().then(|| {
                    "moto_server not found in .tools/bin or on PATH (run scripts/setup.sh)".into()
                })
            })
    }

    /// Sets everything up for `test` with Terraform `tf`, installing
    /// `provider` (default: the provider built from this workspace).
    /// Panics with the failing step; what was made is removed.
    pub fn start(test: &str, tf: &Terraform, provider: Option<&Path>) -> SeedFixture {
        let executable = MotoServer::executable().expect("moto_server (see unavailable_reason)");
        let moto = MotoServer::start(&executable).unwrap_or_else(|e| panic!("{test}: {e}"));
        let ec2 = Ec2Check::new(&moto.endpoint(), REGION);
        let mut ws = match provider {
            Some(provider) => Workspace::with_provider(test, tf, provider),
            None => Workspace::new(test, tf),
        };
        use_dummy_credentials(&mut ws);
        write_example(&ws);
        write_vars(&ws, &SeedVars::before_lab(&moto.endpoint()));
        ws.init().expect_success();
        // moto listens in the root namespace, and the lab does not exist yet:
        // this first apply runs here, for the mesh alone (never the probes).
        apply_mesh_only(&ws);
        let state = ws.show_json();
        assert_no_data_source_read(&state);
        let mesh = MeshOutputs::from_state(state.expect_success());
        let instances = launch(&ec2, &mesh);
        let lab = MeshLab::up(ec2.lab_spec())
            .unwrap_or_else(|e| panic!("{test}: building the lab from moto: {e}"));
        let forward = PortForward::start(lab.runner(), moto.address())
            .unwrap_or_else(|e| panic!("{test}: {e}"));
        let bastion = lab.host(super::BASTION);
        let bastion_address = bastion.public_ip.unwrap_or_else(|| {
            panic!("the bastion has no public IP the runner reaches: {bastion:?}")
        });
        let vars = SeedVars {
            bastion_address: bastion_address.to_string(),
            private_key_file: lab.private_key().display().to_string(),
            known_hosts_file: lab.known_hosts().display().to_string(),
            ..SeedVars::before_lab(&moto.endpoint())
        };
        write_vars(&ws, &vars);
        let ws = ws.in_netns(lab.runner());
        SeedFixture {
            ws,
            forward,
            lab,
            ec2,
            mesh,
            vars,
            instances,
            moto,
        }
    }

    pub fn workspace(&self) -> &Workspace {
        &self.ws
    }

    pub fn terraform(&self) -> &Terraform {
        self.ws.terraform()
    }

    pub fn lab(&self) -> &MeshLab {
        &self.lab
    }

    pub fn ec2(&self) -> &Ec2Check {
        &self.ec2
    }

    /// The mesh as the state holds it after the last apply.
    pub fn mesh(&self) -> &MeshOutputs {
        &self.mesh
    }

    /// The instance id of `name` (`bastion` or a server).
    #[track_caller]
    pub fn instance(&self, name: &str) -> &str {
        self.instances
            .get(name)
            .unwrap_or_else(|| panic!("no instance {name}: {:?}", self.instances))
    }

    /// The VPC id of a seed VPC.
    #[track_caller]
    pub fn vpc_id(&self, vpc: &str) -> &str {
        &self.mesh.vpcs[vpc].vpc_id
    }

    /// moto's endpoint, in the root namespace and, forwarded, in the runner.
    pub fn endpoint(&self) -> String {
        self.moto.endpoint()
    }

    /// Process ids of moto and the forward's socat processes.
    pub fn helper_pids(&self) -> Vec<u32> {
        let mut pids = vec![self.moto.pid()];
        pids.extend(self.forward.pids());
        pids
    }

    /// `terraform ARGS` in the runner namespace.
    pub fn run(&self, args: &[&str]) -> CmdOutput {
        self.ws.run(args)
    }
}

/// `apply -target` of the mesh, and on Terraform 1.0.0-1.0.5 the refresh
/// that reads its ids (see [`ids_after_refresh`]), also targeted: the data
/// source is never read in the root namespace.
fn apply_mesh_only(ws: &Workspace) {
    let target = format!("-target={RESOURCE}");
    let base = ["-auto-approve", "-input=false", "-no-color", &target];
    expect_applied(&ws.run(&[&["apply"], &base[..]].concat()));
    if ids_after_refresh(ws.terraform()) {
        expect_applied(&ws.run(&[&["apply", "-refresh-only"], &base[..]].concat()));
    }
}

/// The safety rule's check on the root-namespace runs: the state holds no
/// data source, so nothing was probed from here.
fn assert_no_data_source_read(show: &CmdOutput) {
    let state = show.json();
    let resources = state["values"]["root_module"]["resources"]
        .as_array()
        .cloned();
    let read: Vec<String> = resources
        .unwrap_or_default()
        .iter()
        .filter(|r| r["mode"] == "data")
        .map(|r| r["address"].to_string())
        .collect();
    assert!(read.is_empty(), "read in the root namespace: {read:?}");
}
