//! Harness for the acceptance tests in `tests/`: real Terraform (every version
//! found, see [`terraform`]) driving the built provider binary from a private
//! filesystem mirror ([`workspace`]), with a network-namespace lab for real
//! ICMP ([`lab`]) and the moto EC2 emulator ([`moto`]).
//!
//! A missing prerequisite (Terraform, root for the lab, moto) skips a test
//! with a printed reason, except under `CI=true`, where it fails ([`prereq`]).

pub mod command;
pub mod lab;
pub mod moto;
pub mod netns;
pub mod prereq;
pub mod provider_bin;
pub mod schema_json;
pub mod terraform;
pub mod workspace;

pub use command::CmdOutput;
pub use lab::{Lab, LabHost};
pub use moto::MotoServer;
pub use prereq::{is_ci, missing_prerequisite};
pub use provider_bin::provider_binary;
pub use terraform::{for_each_terraform, terraform_versions, Terraform};
pub use workspace::{Workspace, PROVIDER_ADDRESS, PROVIDER_SOURCE, PROVIDER_VERSION};
