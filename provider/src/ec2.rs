//! The EC2 layer: a narrow domain-typed trait ([`Ec2`]), its aws-sdk-ec2 implementation,
//! the tag conventions every mesh object carries, and the provider-wide client that
//! resources and data sources share ([`access`]).

pub mod access;
pub mod accounts;
mod actions;
mod api;
pub mod attempts;
pub mod aws;
pub mod counting;
#[cfg(any(test, feature = "testing"))]
pub mod fake;
pub mod pacing;
pub mod place;
pub mod retry;
pub mod types;
pub mod waiting;

pub use actions::Action;
pub use api::{Ec2, Ec2Error};
pub use aws::AwsEc2;
pub use counting::CallCounter;
#[cfg(any(test, feature = "testing"))]
pub use fake::FakeEc2;
