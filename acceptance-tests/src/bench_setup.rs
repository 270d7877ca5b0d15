//! What the Terraform benches (`benches/mesh_moto.rs`, `benches/throttle.rs`) share:
//! the release provider, the newest Terraform, the sizes to run, the mesh.

use std::path::PathBuf;

use crate::mesh_fixture::{MeshSpec, TopologySpec, VpcSpec};
use crate::terraform::{terraform_versions, Terraform};

/// `PEERING_PROVIDER_BIN`, else the release build in the target directory the bench
/// itself was built in (so a `CARGO_TARGET_DIR` outside the clone works too). Panics
/// with the command that builds it when it is missing.
pub fn release_provider() -> PathBuf {
    let path = std::env::var_os("PEERING_PROVIDER_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            let exe = std::env::current_exe().expect("path of the running bench binary");
            let target = exe
                .ancestors()
                .nth(3)
                .expect("bench binary inside <target>/<profile>/deps");
            target.join("release/terraform-provider-peering")
        });
    assert!(
        path.is_file(),
        "no provider at {} (cargo build --release -p terraform-provider-peering)",
        path.display()
    );
    path
}

/// The newest Terraform installed.
pub fn newest_terraform() -> &'static Terraform {
    terraform_versions()
        .iter()
        .max_by_key(|t| t.version_key())
        .expect("a Terraform (scripts/setup.sh)")
}

/// The mesh sizes from the comma-separated `variable`, else `default`.
pub fn sizes(variable: &str, default: &str) -> Vec<usize> {
    std::env::var(variable)
        .unwrap_or_else(|_| default.into())
        .split(',')
        .map(|s| {
            s.trim()
                .parse()
                .unwrap_or_else(|_| panic!("{variable}: comma-separated numbers, not `{s}`"))
        })
        .collect()
}

/// The benches' mesh: `n` VPCs `v00`, `v01`, ... (10.i.0.0/16) in a full mesh, one
/// private subnet each (10.i.1.0/24), SSH from v00's subnet; `provider_settings` as
/// in [`MeshSpec`].
pub fn full_mesh(name: &str, n: usize, provider_settings: &str) -> MeshSpec {
    MeshSpec {
        name: name.to_string(),
        vpcs: (0..n)
            .map(|i| {
                VpcSpec::private(
                    &format!("v{i:02}"),
                    &format!("10.{i}.0.0/16"),
                    &format!("10.{i}.1.0/24"),
                )
            })
            .collect(),
        topology: TopologySpec::FullMesh,
        ssh_ingress_cidrs: vec!["10.0.1.0/24".into()],
        dns_resolution: None,
        provider_settings: provider_settings.to_string(),
        vpcs_from_local: false,
    }
}
