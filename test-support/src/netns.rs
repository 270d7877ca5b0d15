//! Thin wrappers over `ip netns`, code run inside a namespace ([`run_in`]), and
//! the clean-up of namespaces left behind by a crashed test run. Every
//! namespace a test or lab creates is named [`NAME_PREFIX`], the creating
//! process id and `x` ([`harness_name`]), so stale ones can be told from those
//! of a run still in progress (`make lab-clean` relies on it).

use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use nix::sched::{setns, CloneFlags};
use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;

use crate::command::{self, CmdOutput};

/// Prefix of every namespace the harness creates (`ptl<pid>x<n>-<role>`).
pub const NAME_PREFIX: &str = "ptl";

/// A fresh namespace name of this process, `ptl<pid>x<n><tag>` (`n` counts up
/// per process), e.g. `ptl1234x0-probe` for tag `-probe`.
pub fn harness_name(tag: &str) -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    format!("{NAME_PREFIX}{}x{n}{tag}", std::process::id())
}

/// Runs `work` on a new thread that has joined network namespace `namespace`
/// (a name under /run/netns) and returns what it returns: sockets opened there,
/// and threads started there, belong to the namespace. The calling thread stays
/// where it is; a panic in `work` goes on in the caller.
pub fn run_in<T: Send>(namespace: &str, work: impl FnOnce() -> T + Send) -> Result<T, String> {
    let path = format!("/run/netns/{namespace}");
    std::thread::scope(|scope| {
        let joined = scope
            .spawn(|| {
                let file = std::fs::File::open(&path)
                    .map_err(|e| format!("opening network namespace {path}: {e}"))?;
                setns(&file, CloneFlags::CLONE_NEWNET)
                    .map_err(|e| format!("joining network namespace {namespace}: {e}"))?;
                Ok(work())
            })
            .join();
        joined.unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

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

/// Kills every process still inside `ns` with SIGKILL: a provider plugin
/// orphaned by a killed Terraform, or sshd's per-connection children, which
/// leave their process group.
pub fn kill_processes_in(ns: &str) {
    let pids = ip(&["netns", "pids", ns]);
    for pid in pids
        .stdout
        .split_whitespace()
        .filter_map(|p| p.parse().ok())
    {
        // Already gone is fine.
        let _ = kill(Pid::from_raw(pid), Signal::SIGKILL);
    }
}

/// Kills every process still inside `ns` ([`kill_processes_in`]) and deletes
/// the namespace; its interfaces go with it.
pub fn delete_namespace(ns: &str) {
    kill_processes_in(ns);
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
    use super::{creator_pid, delete_namespace, harness_name, ip, process_alive, run_in};

    #[test]
    fn creator_pid_reads_only_harness_names() {
        assert_eq!(creator_pid("ptl1234x2-run"), Some(1234));
        assert_eq!(creator_pid("ptl77x10-h3"), Some(77));
        assert_eq!(creator_pid("ptldemo-run"), None);
        assert_eq!(creator_pid("ptl12-run"), None);
        assert_eq!(creator_pid("other1234x1"), None);
    }

    #[test]
    fn harness_names_carry_this_process_id() {
        let (a, b) = (harness_name("-t"), harness_name("-t"));
        assert_ne!(a, b);
        assert_eq!(creator_pid(&a), Some(std::process::id()));
        assert!(a.ends_with("-t"));
    }

    #[test]
    fn run_in_moves_only_its_own_thread_into_the_namespace() {
        use std::os::unix::fs::MetadataExt;
        const TEST: &str = "run_in_moves_only_its_own_thread_into_the_namespace";
        if !crate::prereq::is_root() {
            crate::prereq::missing_prerequisite(TEST, "creating a network namespace needs root");
            return;
        }
        let inode = |path: &str| std::fs::metadata(path).map(|m| m.ino()).unwrap();
        let ns = harness_name("-selftest");
        assert!(ip(&["netns", "add", &ns]).success(), "creating {ns}");
        let wanted = inode(&format!("/run/netns/{ns}"));
        let before = inode("/proc/thread-self/ns/net");
        let inside = run_in(&ns, || inode("/proc/thread-self/ns/net"));
        let after = inode("/proc/thread-self/ns/net");
        delete_namespace(&ns);
        assert_eq!(inside, Ok(wanted));
        assert_eq!(before, after, "the calling thread stays where it was");
        assert_ne!(before, wanted);
    }

    #[test]
    fn run_in_a_missing_namespace_says_which() {
        let error = run_in("ptl0x0-no-such-namespace", || ()).unwrap_err();
        assert!(error.contains("ptl0x0-no-such-namespace"), "{error}");
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
