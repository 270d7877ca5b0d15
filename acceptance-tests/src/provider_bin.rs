//! The provider binary under test: the one cargo builds for this workspace, in
//! the same target directory and profile as the running test binary (so a
//! CARGO_TARGET_DIR outside the clone works too).

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

use crate::command;
use crate::prereq::{is_executable, repo_root};

pub const PROVIDER_PACKAGE: &str = "terraform-provider-peering";
pub const PROVIDER_BINARY: &str = "terraform-provider-peering";

/// Path of an up-to-date provider binary. `PEERING_PROVIDER_BIN` overrides;
/// otherwise runs `cargo build -p terraform-provider-peering` once per test
/// process (a no-op taking well under a second when `make` already built it),
/// so a test never runs a stale binary. Panics when the build fails.
pub fn provider_binary() -> &'static PathBuf {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(|| {
        if let Some(path) = std::env::var_os("PEERING_PROVIDER_BIN") {
            let path = PathBuf::from(path);
            assert!(
                is_executable(&path),
                "PEERING_PROVIDER_BIN={} is not executable",
                path.display()
            );
            return path;
        }
        let profile_dir = profile_dir();
        let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
        cmd.current_dir(repo_root())
            .args(["build", "--quiet", "-p", PROVIDER_PACKAGE]);
        if profile_dir
            .file_name()
            .is_some_and(|name| name == "release")
        {
            cmd.arg("--release");
        }
        // The test binary's own target dir, wherever CARGO_TARGET_DIR put it.
        if let Some(target_dir) = profile_dir.parent() {
            cmd.env("CARGO_TARGET_DIR", target_dir);
        }
        command::run(cmd, Duration::from_secs(1800)).expect_success();
        let binary = profile_dir.join(PROVIDER_BINARY);
        assert!(
            is_executable(&binary),
            "cargo built no {}",
            binary.display()
        );
        binary
    })
}

/// `<target>/<profile>`: test binaries live in `<target>/<profile>/deps/`.
fn profile_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("path of the running test binary");
    exe.parent()
        .and_then(|deps| deps.parent())
        .expect("test binary inside <target>/<profile>/deps")
        .to_path_buf()
}
