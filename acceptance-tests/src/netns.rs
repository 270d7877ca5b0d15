//! Thin wrappers over `ip netns` and the clean-up of namespaces left behind by
//! a crashed test run. Every name this crate creates starts with
//! [`NAME_PREFIX`] followed by the creating process id, so stale ones can be
//! told from those of a run still in progress.

use std::process::Command;
use std::time::Duration;

use crate::command::{self, CmdOutput};

/// Prefix of every namespace the harness creates (`ptl<pid>x<n>-<role>`).
pub const NAME_PREFIX: &str = "ptl";

/// Runs `ip ARGS` (in the root namespace: only namespace management and
/// `ip -n NS ...`, which acts inside NS).
pub fn ip(args: &[&str]) -> CmdOutput {
    let mut cmd = Command::new("ip");
    cmd.args(args);
    command::run(cmd, Duration::from_secs(30))
}

/// Runs `ARGS` inside namespace `ns`.
pub fn exec_in(ns: &str, args: &[&str], limit: Duration) -> CmdOutput {
    let mut cmd = Command::new("ip");
    cmd.args(["netns", "exec", ns]).args(args);
    command::run(cmd, limit)
}

/// Names of all named network namespaces.
pub fn list_namespaces() -> Vec<String> {
    let out = ip(&["netns", "list"]);
    out.stdout
        .lines()
        // Lines look like "name (id: 3)" or just "name".
        .filter_map(|line| line.split_whitespace().next())
        .map(str::to_string)
        .collect()
}

/// Kills every process still inside `ns` (e.g. a provider plugin orphaned by
/// a killed Terraform) and deletes the namespace; its interfaces go with it.
pub fn delete_namespace(ns: &str) {
    let pids = ip(&["netns", "pids", ns]);
    for pid in pids.stdout.split_whitespace() {
        let _ = Command::new("kill").args(["-KILL", pid]).status();
    }
    let out = ip(&["netns", "del", ns]);
    if !out.success() && list_namespaces().iter().any(|n| n == ns) {
        eprintln!("warning: could not delete namespace {ns}:\n{out}");
    }
}

/// The pid embedded in a harness namespace name, e.g. 1234 in `ptl1234x2-run`.
pub fn creator_pid(name: &str) -> Option<u32> {
    let rest = name.strip_prefix(NAME_PREFIX)?;
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    if rest[digits.len()..].starts_with('x') {
        digits.parse().ok()
    } else {
        None
    }
}

/// True while `pid` runs. A zombie (dead, not yet reaped: orphans wait for
/// pid 1) counts as gone.
pub fn process_alive(pid: u32) -> bool {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return false;
    };
    // "PID (COMMAND) STATE ...": the command may contain spaces or ')'.
    let state = stat
        .rfind(')')
        .and_then(|at| stat[at + 1..].split_whitespace().next());
    !matches!(state, Some("Z" | "X") | None)
}

/// Deletes harness namespaces whose creating process no longer runs (left by
/// a run that was killed before its guards could clean up). Returns their names.
pub fn remove_stale_namespaces() -> Vec<String> {
    let mut removed = Vec::new();
    for name in list_namespaces() {
        let Some(pid) = creator_pid(&name) else {
            continue;
        };
        if !process_alive(pid) {
            delete_namespace(&name);
            removed.push(name);
        }
    }
    if !removed.is_empty() {
        eprintln!("removed stale lab namespaces: {removed:?}");
    }
    removed
}

#[cfg(test)]
mod tests {
    use super::{creator_pid, process_alive};

    #[test]
    fn creator_pid_reads_only_harness_names() {
        assert_eq!(creator_pid("ptl1234x2-run"), Some(1234));
        assert_eq!(creator_pid("ptl77x10-h3"), Some(77));
        assert_eq!(creator_pid("ptldemo-run"), None);
        assert_eq!(creator_pid("ptl12-run"), None);
        assert_eq!(creator_pid("other1234x1"), None);
    }

    #[test]
    fn this_process_is_alive_and_a_reaped_child_is_not() {
        assert!(process_alive(std::process::id()));
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id();
        child.wait().unwrap();
        assert!(!process_alive(pid));
    }
}
