//! The mesh engine: the desired model, its validation, the planner (pure, deterministic),
//! discovery of a mesh in EC2 and the executor that runs a plan against
//! [`crate::ec2::Ec2`]. Nothing here knows Terraform: validation reports
//! [`problem::Problems`] on domain paths, which the resource turns into diagnostics.
//!
//! Flow: [`validate::validate`] the [`model::Mesh`], build its [`desired::desired`]
//! components, [`discover::discover`] the [`crate::ec2::types::Inventory`],
//! [`plan::plan`] the difference,
//! [`plan::render`] it for `terraform plan`, and [`execute::execute`] it on apply.

pub mod desired;
pub mod discover;
pub mod execute;
pub mod key;
pub mod model;
pub mod plan;
pub mod problem;
pub mod validate;

#[cfg(test)]
pub(crate) mod fixtures;
#[cfg(test)]
pub(crate) mod testkit;
