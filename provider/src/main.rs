//! The `terraform-provider-peering` binary: Terraform starts it and talks gRPC to it.

use std::process::ExitCode;

use terraform_provider_peering::{PeeringProvider, ADDRESS, NAME, VERSION};
use tfplugin::plugin::{run, PluginConfig};
use tfplugin::server::ProviderService;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cfg = PluginConfig {
        name: NAME,
        address: ADDRESS,
        version: VERSION,
    };
    run(cfg, |shutdown| {
        ProviderService::new(PeeringProvider::new(), shutdown)
    })
}
