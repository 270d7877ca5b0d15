//! What a missing prerequisite means: a skip on a developer's machine, a failure
//! under CI (`CI=true`), where a silently skipped acceptance test would hide a
//! broken set-up.

use std::path::{Path, PathBuf};

/// True when running under CI (`CI=true`, as CI systems and `.ci/run` set it).
pub fn is_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v.eq_ignore_ascii_case("true") || v == "1")
}

/// Reports that `test` cannot run because `what` is missing. Panics under CI;
/// otherwise prints a line starting with `SKIPPED` and returns, and the caller
/// returns early.
pub fn missing_prerequisite(test: &str, what: &str) {
    if is_ci() {
        panic!("{test}: prerequisite missing under CI=true: {what}");
    }
    eprintln!("SKIPPED {test}: {what} (under CI=true this fails)");
}

/// True when the process runs as root (needed to create network namespaces).
pub fn is_root() -> bool {
    // /proc/self/status has "Uid: real effective saved fs"; no libc needed.
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|l| l.starts_with("Uid:"))
                .and_then(|l| l.split_whitespace().nth(2).map(|uid| uid == "0"))
        })
        .unwrap_or(false)
}

/// The repository root (the Cargo workspace this crate belongs to).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("test-support lives inside the repository")
        .to_path_buf()
}

/// `.tools/bin` of the repository, where scripts/setup.sh puts Terraform and moto.
pub fn tools_bin() -> PathBuf {
    repo_root().join(".tools").join("bin")
}

/// Finds an executable named `name` on PATH.
pub fn find_on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| is_executable(candidate))
}

/// True for a regular file (after symlinks) with an execute bit.
pub fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}
