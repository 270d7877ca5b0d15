//! Harness for the acceptance tests in `tests/`: real Terraform (every version
//! found, see [`terraform`]) driving the built provider binary from a private
//! filesystem mirror ([`workspace`]), with network-namespace labs for real
//! ICMP (a plain LAN, [`lab`]; VPC routers, peerings and security groups
//! mirrored from EC2, [`meshlab`]) and the moto EC2 emulator ([`moto`]),
//! checked through the EC2 API itself ([`ec2check`], [`mesh_checks`]), and
//! made to misbehave like EC2 on a bad day by a fault proxy ([`faultproxy`]); the
//! seed experiment as a story the test and the demo share ([`seed_story`]); the
//! provider started and spoken to as go-plugin does, without Terraform
//! ([`plugin_client`]).
//!
//! A missing prerequisite (Terraform, root for the lab, moto) skips a test
//! with a printed reason, except under `CI=true`, where it fails ([`prereq`]).

pub mod bench_setup;
pub mod ec2check;
pub mod faultproxy;
pub mod forward;
pub mod lab;
pub mod mesh_checks;
pub mod mesh_fixture;
pub mod plugin_client;
pub mod process_tree;
pub mod provider_bin;
pub mod schema_json;
pub mod seed_story;
pub mod terraform;
pub mod workspace;

// The lab and the shared test support are crates of their own; re-exported so
// that tests and the harness name them as before.
pub use meshlab;
pub use test_support::{command, moto, netns, prereq};

pub use command::{CmdOutput, Running};
pub use ec2check::{Ec2Check, Ec2Snapshot};
pub use faultproxy::{FaultKind, FaultProxy, Faults};
pub use lab::{Lab, LabHost};
pub use meshlab::{LabSpec, MeshLab};
pub use moto::MotoServer;
pub use prereq::{is_ci, missing_prerequisite};
pub use provider_bin::provider_binary;
pub use terraform::{for_each_terraform, for_each_terraform_where, terraform_versions, Terraform};
pub use workspace::{Workspace, PROVIDER_ADDRESS, PROVIDER_SOURCE, PROVIDER_VERSION};
