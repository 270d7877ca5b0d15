//! The provider binary under test: the one cargo builds for this workspace, in
//! the same target directory and profile as the running test binary (so a
//! CARGO_TARGET_DIR outside the clone works too).

use std::path::{Path, PathBuf};
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

/// The layout `terraform init` installs from: `DIR/registry.terraform.io/
/// peeringmesh/peering/VERSION/linux_amd64/terraform-provider-peering_vVERSION`.
pub fn write_mirror(dir: &Path, provider: &Path, version: &str) {
    let package_dir = dir
        .join("registry.terraform.io/peeringmesh/peering")
        .join(version)
        .join("linux_amd64");
    std::fs::create_dir_all(&package_dir).expect("creating the mirror");
    let target = package_dir.join(format!("{PROVIDER_BINARY}_v{version}"));
    // A hard link (free, and immune to a rebuild replacing the original),
    // else a copy when the mirror is on another filesystem.
    if std::fs::hard_link(provider, &target).is_err() {
        std::fs::copy(provider, &target)
            .unwrap_or_else(|e| panic!("copying {} into the mirror: {e}", provider.display()));
    }
}

/// One mirror of [`provider_binary`] per test process, shared by its
/// workspaces (a debug build is over 100 MB: no copy per workspace). It lives
/// in `<target>/acceptance-mirrors/<pid>`; mirrors of finished processes are
/// removed when the next process creates its own.
pub fn shared_mirror(version: &str) -> &'static PathBuf {
    static MIRROR: OnceLock<PathBuf> = OnceLock::new();
    MIRROR.get_or_init(|| {
        let provider = provider_binary();
        let parent = profile_dir()
            .parent()
            .map(|target| target.join("acceptance-mirrors"))
            .expect("target directory");
        remove_mirrors_of_finished_processes(&parent);
        let dir = parent.join(std::process::id().to_string());
        let _ = std::fs::remove_dir_all(&dir);
        write_mirror(&dir, provider, version);
        dir
    })
}

fn remove_mirrors_of_finished_processes(parent: &Path) {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(|n| n.parse::<u32>().ok()) else {
            continue;
        };
        if !Path::new(&format!("/proc/{pid}")).exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// `<target>/<profile>`: test binaries live in `<target>/<profile>/deps/`.
fn profile_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("path of the running test binary");
    exe.parent()
        .and_then(|deps| deps.parent())
        .expect("test binary inside <target>/<profile>/deps")
        .to_path_buf()
}
