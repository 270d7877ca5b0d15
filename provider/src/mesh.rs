//! The mesh engine: the desired model, its validation, the planner (pure, deterministic)
//! and the executor that runs a plan against [`crate::ec2::Ec2`].
//!
//! Flow: [`validate::validate`] the [`model::Mesh`], build its [`desired::desired`]
//! components, read the [`crate::ec2::types::Inventory`], [`plan::plan`] the difference,
//! [`plan::render`] it for `terraform plan`, and [`execute::execute`] it on apply.

pub mod desired;
pub mod execute;
pub mod key;
pub mod model;
pub mod plan;
pub mod validate;

#[cfg(test)]
pub(crate) mod fixtures;
#[cfg(test)]
pub(crate) mod testkit;
