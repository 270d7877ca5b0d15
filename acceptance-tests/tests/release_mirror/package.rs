//! Running the packaging step (scripts/package-release.py) and what its output
//! must hold, computed here on our own from the binary's bytes.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use acceptance_tests::command::{self, CmdOutput};
use acceptance_tests::prereq::repo_root;
use base64::Engine;
use sha2::{Digest, Sha256};

pub const NAME: &str = "terraform-provider-peering";
/// The workspace version, which the provider crate shares.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
/// Where the provider's address (`registry.terraform.io/peeringmesh/peering`)
/// puts its packages in a mirror.
pub const MIRROR_TYPE_DIR: &str = "registry.terraform.io/peeringmesh/peering";

/// `python3 scripts/package-release.py --binary BINARY --dist DIST EXTRA...`
pub fn package(binary: &Path, dist: &Path, extra: &[&str]) -> CmdOutput {
    let mut cmd = Command::new("python3");
    cmd.arg(repo_root().join("scripts/package-release.py"))
        .arg("--binary")
        .arg(binary)
        .arg("--dist")
        .arg(dist)
        .args(extra)
        .env_remove("PEERING_PROVIDER_BIN");
    // Compressing a debug build (over 100 MB) takes a few seconds.
    command::run(cmd, Duration::from_secs(600))
}

/// Terraform's name for this machine's platform, e.g. `linux_amd64`.
pub fn host_platform() -> String {
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        other => other,
    };
    format!("{}_{arch}", std::env::consts::OS)
}

pub fn zip_name(platform: &str) -> String {
    format!("{NAME}_{VERSION}_{platform}.zip")
}

/// The packed-mirror folder of the provider inside `dist/mirror`.
pub fn type_dir(dist: &Path) -> PathBuf {
    dist.join("mirror").join(MIRROR_TYPE_DIR)
}

pub fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

pub fn read_json(path: &Path) -> serde_json::Value {
    serde_json::from_slice(&read(path))
        .unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `zh:`: the registry's legacy hash, sha256 of the zip file itself.
pub fn zh_of(zip: &Path) -> String {
    format!("zh:{}", sha256_hex(&read(zip)))
}

/// `h1:` of a package holding `binary` as `terraform-provider-peering_vVERSION`:
/// Go's dirhash "Hash1" (sha256 over the sorted lines `<sha256 hex>  <name>\n`,
/// in standard base64), which Terraform computes on what it unpacked.
pub fn h1_of_binary(binary: &Path) -> String {
    let line = format!("{}  {NAME}_v{VERSION}\n", sha256_hex(&read(binary)));
    let digest = Sha256::digest(line.as_bytes());
    format!(
        "h1:{}",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

/// The hashes a `.terraform.lock.hcl` records, in order.
pub fn lock_hashes(lock: &str) -> Vec<String> {
    lock.split('"')
        .filter(|s| s.starts_with("h1:") || s.starts_with("zh:"))
        .map(str::to_string)
        .collect()
}

/// An executable that answers `--version` like the provider, claiming `version`.
pub fn fake_provider(path: &Path, version: &str) {
    use std::os::unix::fs::PermissionsExt;
    let script = format!(
        "#!/bin/sh\necho '{NAME} v{version} (registry.terraform.io/peeringmesh/peering, Terraform plugin protocol 6)'\n"
    );
    std::fs::write(path, script).expect("writing the fake provider");
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))
        .expect("making the fake provider executable");
}
