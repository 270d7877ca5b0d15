//! terraform-provider-peering: the provider's configuration, data sources and probing.
//! The binary (`main.rs`) only hands [`provider::PeeringProvider`] to the plugin server.

pub mod checks;
pub mod config;
pub mod connectivity;
pub mod ec2;
pub mod mesh;
pub mod mesh_resource;
pub mod probe;
pub mod provider;
pub mod wording;

pub use provider::PeeringProvider;

/// Registry source address Terraform knows this provider by.
pub const ADDRESS: &str = "registry.terraform.io/peeringmesh/peering";
pub const NAME: &str = "peering";
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
