//! Generated protobuf types and gRPC stubs (from `proto/` at the workspace root).
//!
//! Only the protocol layer ([`crate::server`], [`crate::plugin`]) should touch
//! these; everything above converts to idiomatic types at its edge.

/// Terraform plugin protocol 6 (`tfplugin6`), wire-compatible up to 6.10.
///
/// Server trait: [`tfplugin6::provider_server::Provider`]; client for tests:
/// [`tfplugin6::provider_client::ProviderClient`].
#[allow(clippy::all, clippy::pedantic, missing_docs, rustdoc::all)]
pub mod tfplugin6 {
    tonic::include_proto!("tfplugin6");
}

/// go-plugin's side services (proto package `plugin`): `GRPCController`,
/// `GRPCStdio` and `GRPCBroker`.
#[allow(clippy::all, clippy::pedantic, missing_docs, rustdoc::all)]
pub mod plugin {
    tonic::include_proto!("plugin");
}
