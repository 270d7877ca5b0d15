//! The seed experiment as a story, shared by `tests/seed_experiment.rs` (which
//! asserts every chapter) and the `seed-demo` binary behind `make demo` (which
//! prints it), so the two cannot drift apart.
//!
//! Set-up ([`SeedFixture::start`]): moto; examples/seed-experiment's mesh
//! applied by Terraform; a bastion and four servers launched through the EC2
//! API; the lab mirrored from moto ([`crate::MeshLab`]); moto's port forwarded
//! into the lab's runner ([`crate::forward`]), where Terraform runs from then
//! on. The chapters ([`tell`]): the full mesh; a stopped server; the server
//! started again; the testing-shared peering deleted out of band; the mesh
//! repaired by `terraform apply`; hub and spoke; a hand-made route between
//! two spokes. After each one the data source is read again (refresh only)
//! and its outputs become an [`Observation`].

mod config;
mod fixture;
mod instances;
mod observation;
mod steps;
mod story;
mod summary;

pub use config::{parses_check_blocks, SeedVars, EXAMPLE_DIR};
pub use fixture::SeedFixture;
pub use instances::{ssh_from_anywhere, Launch, BASTION, BASTION_IP, SERVERS};
pub use observation::{Observation, ProbeResult};
pub use story::{tell, Chapter, Step};
pub use summary::{render, summary_line};

/// The VPC whose server the story stops and starts.
pub const STOPPED: &str = "development";
/// The peering the story deletes out of band, by its two VPCs.
pub const BROKEN_PAIR: (&str, &str) = ("testing", "shared");
/// The hub of the hub-and-spoke chapter.
pub const HUB: &str = "production";
/// The spoke whose route table gets a route towards [`ROUTE_TARGET`] via
/// its peering with the hub, which must not make it reach that spoke.
pub const ROUTE_SPOKE: &str = "development";
pub const ROUTE_TARGET: &str = "testing";

/// The CIDR of a seed VPC.
pub fn vpc_cidr(vpc: &str) -> &'static str {
    match vpc {
        "production" => "10.1.0.0/16",
        "development" => "10.2.0.0/16",
        "testing" => "10.3.0.0/16",
        "shared" => "10.4.0.0/16",
        other => panic!("{other} is not a VPC of the seed experiment"),
    }
}
