//! What the tests and labs that use network namespaces or the moto EC2 emulator
//! share, one copy each: commands with time limits ([`command`]), named network
//! namespaces, their clean-up and code run inside one ([`netns`]), the rule that
//! a missing prerequisite skips a test on a developer's machine and fails it
//! under `CI=true` ([`prereq`]), and moto started on a port it binds itself
//! ([`moto`]).
//!
//! It depends on no provider code, so the provider's own tests, the lab and the
//! acceptance tests can all use it.

pub mod command;
pub mod moto;
pub mod netns;
pub mod prereq;

pub use command::{CmdOutput, Running};
pub use moto::MotoServer;
pub use prereq::{is_ci, missing_prerequisite};
