//! The EC2 layer: a narrow domain-typed trait ([`Ec2`]), its aws-sdk-ec2 implementation,
//! and the tag conventions every mesh object carries.

mod api;
pub mod types;

pub use api::{Action, Ec2, Ec2Error};
