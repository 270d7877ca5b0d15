//! Generates the gRPC wire types and service stubs from `../proto`.
//!
//! protoc comes from the `protoc-bin-vendored` crate so that building needs no
//! system protobuf installation. Both servers (what the provider runs) and
//! clients (what tests use to talk to it) are generated.

use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let protoc = protoc_bin_vendored::protoc_bin_path()?;
    // prost-build finds protoc through this variable; a build script is a
    // single-threaded process of its own, so setting it here is harmless.
    std::env::set_var("PROTOC", protoc);

    // Read at run time, not baked in with env!(): a target directory shared by two
    // checkouts (a CI cache) reuses this script's binary for both.
    let proto_root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR")?).join("../proto");
    let protos = [
        proto_root.join("tfplugin6.proto"),
        proto_root.join("plugin/grpc_controller.proto"),
        proto_root.join("plugin/grpc_stdio.proto"),
        proto_root.join("plugin/grpc_broker.proto"),
    ];
    // The vendored protoc ships the well-known types (timestamp, empty).
    let includes = [proto_root.clone(), protoc_bin_vendored::include_path()?];

    tonic_prost_build::configure()
        .build_server(true)
        .build_client(true)
        .compile_protos(&protos, &includes)?;

    println!("cargo:rerun-if-changed={}", proto_root.display());
    Ok(())
}
