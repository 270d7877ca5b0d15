//! Terraform plugin protocol 6 for Rust providers, on tonic and prost.
//!
//! Layers, each converting only at its edge: generated wire types ([`proto`]),
//! cty values ([`value`]), schema and diagnostics, the idiomatic provider traits
//! ([`provider`]), the gRPC service that converts between them ([`server`]), and the
//! go-plugin plumbing that Terraform starts us with ([`plugin`], [`tls`], [`logging`]).

pub mod diag;
pub mod logging;
pub mod plugin;
pub mod proto;
pub mod provider;
pub mod schema;
pub mod server;
pub mod tls;
pub mod value;
