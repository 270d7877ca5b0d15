//! One loopback TCP port of the root namespace (moto's) made reachable at the
//! same address inside a lab namespace (the runner), without giving that
//! namespace a link or a route out: two `socat` processes joined by a Unix
//! socket, which belongs to no network namespace.
//!
//! ```text
//!   runner ns:  socat TCP-LISTEN:127.0.0.1:PORT  --\
//!                                                   <dir>/forward.sock
//!   root ns:    socat UNIX-LISTEN:<dir>/forward.sock  -->  TCP 127.0.0.1:PORT
//! ```
//!
//! Only connections made inside the namespace to 127.0.0.1:PORT are carried,
//! and only to that one port: probes from the namespace still go nowhere else.

use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tempfile::TempDir;

use crate::command::kill_process_group;
use crate::netns::exec_in;
use crate::prereq::find_on_path;

/// Both `socat` processes; dropping the guard kills them (and any connection
/// they forked) and removes the socket.
pub struct PortForward {
    /// Root side first: it is started first and killed last.
    children: Vec<Child>,
    _dir: TempDir,
    address: SocketAddr,
}

impl PortForward {
    /// Why a forward cannot be made here, if it cannot.
    pub fn unavailable_reason() -> Option<String> {
        find_on_path("socat")
            .is_none()
            .then(|| "socat not found (scripts/setup.sh installs the Debian package socat)".into())
    }

    /// Makes `target` (a loopback address of the root namespace) reachable
    /// at the same address inside namespace `ns`; returns once it listens.
    pub fn start(ns: &str, target: SocketAddr) -> Result<PortForward, String> {
        if !target.ip().is_loopback() {
            return Err(format!(
                "refusing to forward {target}: not a loopback address"
            ));
        }
        // Named like the labs (`ptl<pid>x...`): `make lab-clean` removes it after a killed run.
        let prefix = format!(
            "{}{}x-forward-",
            crate::netns::NAME_PREFIX,
            std::process::id()
        );
        let dir = tempfile::Builder::new()
            .prefix(&prefix)
            .tempdir()
            .map_err(|e| format!("forward directory: {e}"))?;
        let socket = dir.path().join("forward.sock");
        let mut forward = PortForward {
            children: Vec::new(),
            _dir: dir,
            address: target,
        };
        let unix_listen = format!("UNIX-LISTEN:{},fork", socket.display());
        forward.spawn(&["socat", &unix_listen, &format!("TCP:{target}")])?;
        forward.wait_until("the root side's socket", || is_socket(&socket))?;
        let tcp_listen = format!(
            "TCP-LISTEN:{},bind={},fork,reuseaddr",
            target.port(),
            target.ip()
        );
        let unix_connect = format!("UNIX-CONNECT:{}", socket.display());
        forward.spawn(&[
            "ip",
            "netns",
            "exec",
            ns,
            "socat",
            &tcp_listen,
            &unix_connect,
        ])?;
        forward.wait_until(&format!("socat listening in {ns}"), || {
            listens_in(ns, target)
        })?;
        Ok(forward)
    }

    /// The address, the same in the root namespace and in the lab's.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Process ids of the two `socat` processes (root side first).
    pub fn pids(&self) -> Vec<u32> {
        self.children.iter().map(Child::id).collect()
    }

    fn spawn(&mut self, args: &[&str]) -> Result<(), String> {
        use std::os::unix::process::CommandExt;
        let child = Command::new(args[0])
            .args(&args[1..])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .process_group(0)
            .spawn()
            .map_err(|e| format!("starting {}: {e}", args.join(" ")))?;
        self.children.push(child);
        Ok(())
    }

    fn wait_until(&mut self, what: &str, ready: impl Fn() -> bool) -> Result<(), String> {
        let deadline = Instant::now() + Duration::from_secs(10);
        while !ready() {
            let exited = self.children.iter_mut().find_map(|c| c.try_wait().ok()?);
            if exited.is_some() || Instant::now() > deadline {
                return Err(format!("port forward: waiting for {what}: {exited:?}"));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Ok(())
    }
}

/// True when something in `ns` listens on `address` (IPv4), read from the
/// namespace's own /proc/net/tcp: no connection is made.
fn listens_in(ns: &str, address: SocketAddr) -> bool {
    let SocketAddr::V4(v4) = address else {
        return false;
    };
    let ip = u32::from(*v4.ip()).swap_bytes();
    let wanted = format!("{ip:08X}:{:04X}", v4.port());
    let out = exec_in(ns, &["cat", "/proc/net/tcp"], Duration::from_secs(10));
    out.stdout.lines().skip(1).any(|line| {
        let fields: Vec<&str> = line.split_whitespace().collect();
        // "sl local_address rem_address st ...": state 0A is LISTEN.
        fields.get(1) == Some(&wanted.as_str()) && fields.get(3) == Some(&"0A")
    })
}

impl Drop for PortForward {
    fn drop(&mut self) {
        for child in self.children.iter_mut().rev() {
            kill_process_group(child.id());
            let _ = child.wait();
        }
    }
}

fn is_socket(path: &Path) -> bool {
    use std::os::unix::fs::FileTypeExt;
    std::fs::metadata(path).is_ok_and(|m| m.file_type().is_socket())
}
