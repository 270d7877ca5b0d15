//! The mesh engine: the desired model, its validation, the planner (pure, deterministic)
//! and the executor that runs a plan against [`crate::ec2::Ec2`].

pub mod model;
