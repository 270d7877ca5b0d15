//! The EC2-mirroring network lab (docs/lab.md): a
//! region's VPCs, subnets, route tables, peerings, internet gateways,
//! security groups and instances, realised as network namespaces so that
//! real packets go where AWS would let them, and nowhere else.
//!
//! - [`spec`]: the model ([`LabSpec`]), read from EC2 ([`from_ec2`], through
//!   the Query API: [`query`]) or built by hand ([`build`]), checked by [`validate`];
//! - [`plan`]: the pure mapping to namespaces, links and configuration
//!   ([`router`], [`gateway`], [`firewall`], [`names`]);
//! - [`apply`]: reconciling the kernel with a plan; [`ssh`]: keys and sshd;
//! - [`MeshLab`]: up, sync, exec, status, down; [`state`]: what the CLI
//!   keeps between runs, and stale clean-up.
//!
//! Safety: every namespace's links lead only to other namespaces of the same
//! lab; none has a route to the root namespace or the outside world.
//!
//! The `meshlab` command (`src/main.rs`) drives it from a shell. The crate
//! depends on no provider code: namespaces, commands and prerequisites come
//! from `test-support`.

pub mod apply;
pub mod build;
mod build_ipv6;
pub mod firewall;
pub mod from_ec2;
pub mod gateway;
pub mod lab;
pub mod names;
pub mod plan;
mod probe;
pub mod query;
pub mod router;
pub mod spec;
pub mod ssh;
pub mod state;
mod status;
pub mod validate;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_ipv6;

pub use build::{all_from, icmp_from, icmpv6_from, tcp_from};
pub use lab::MeshLab;
pub use plan::{HostView, Layout};
pub use spec::{InstanceState, LabSpec, Protocol, RouteTarget};
pub use state::{clean_stale, default_state_path, LabState, Source};
