//! A network lab of namespaces for tests that send real ICMP (see
//! docs/lab.md). Layout, all inside namespaces this guard created:
//!
//! ```text
//!   <id>-run (runner)          <id>-sw (switch)          <id>-h1, <id>-h2, ...
//!   eth0 10.77.0.1/24  ---- prun  [br0]  p1 ----  eth0 10.77.0.11/24
//!        2001:db8:77::1/64                p2 ----  eth0 10.77.0.12/24 ...
//! ```
//!
//! The runner, where Terraform and its provider run, has `lo` up (the plugin
//! listens on 127.0.0.1) and one link, to the switch: probes cannot leave the
//! lab. Veth pairs are created directly between namespaces, so no interface
//! ever appears in the root namespace. Dropping the guard (also while
//! unwinding from a panic) kills processes inside and deletes every namespace.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Once;
use std::time::Duration;

use crate::command::{kill_process_group, CmdOutput};
use crate::netns::{delete_namespace, exec_in, ip, remove_stale_namespaces, NAME_PREFIX};
use crate::prereq::{find_on_path, is_root, missing_prerequisite};

/// The lab LAN. 10.x is fine here: it exists only inside the lab's namespaces.
pub const RUNNER_IPV4: Ipv4Addr = Ipv4Addr::new(10, 77, 0, 1);
/// Documentation range (RFC 3849), likewise only inside the lab.
pub const RUNNER_IPV6: Ipv6Addr = Ipv6Addr::new(0x2001, 0xdb8, 0x77, 0, 0, 0, 0, 1);
const PREFIX_LEN_V4: u8 = 24;
const PREFIX_LEN_V6: u8 = 64;
/// Host n gets .(10 + n); .250 and up are never assigned (see `unused_ipv4`).
const FIRST_HOST_OCTET: u8 = 11;
const MAX_HOSTS: usize = 200;

/// One host namespace of the lab.
#[derive(Debug, Clone)]
pub struct LabHost {
    pub name: String,
    pub namespace: String,
    pub ipv4: Ipv4Addr,
    pub ipv6: Ipv6Addr,
}

pub struct Lab {
    id: String,
    switch: String,
    runner: String,
    hosts: Vec<LabHost>,
    /// Every namespace created so far, in creation order (deleted in reverse).
    namespaces: Vec<String>,
    processes: Vec<Child>,
}

impl Lab {
    /// Why a lab cannot be built on this machine, if it cannot.
    pub fn unavailable_reason() -> Option<String> {
        if !is_root() {
            return Some(
                "not root: network namespaces need root (run as root, e.g. `sudo make test`)"
                    .into(),
            );
        }
        let missing: Vec<&str> = ["ip", "nft", "ping", "sysctl"]
            .into_iter()
            .filter(|tool| find_on_path(tool).is_none())
            .collect();
        if !missing.is_empty() {
            return Some(format!("missing tools {missing:?} (scripts/setup.sh installs iproute2, nftables, iputils-ping, procps)"));
        }
        None
    }

    /// A new lab for `test`, or `None` after printing why it was skipped
    /// (under CI=true a missing prerequisite panics instead).
    pub fn require(test: &str) -> Option<Lab> {
        if let Some(reason) = Lab::unavailable_reason() {
            missing_prerequisite(test, &reason);
            return None;
        }
        Some(
            Lab::create()
                .unwrap_or_else(|err| panic!("{test}: building the network lab failed:\n{err}")),
        )
    }

    /// Builds the switch and the runner. Errors carry the failing command.
    pub fn create() -> Result<Lab, String> {
        static CLEAN_STALE: Once = Once::new();
        CLEAN_STALE.call_once(|| {
            remove_stale_namespaces();
        });
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let id = format!(
            "{NAME_PREFIX}{}x{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        let mut lab = Lab {
            switch: format!("{id}-sw"),
            runner: format!("{id}-run"),
            id,
            hosts: Vec::new(),
            namespaces: Vec::new(),
            processes: Vec::new(),
        };
        let switch = lab.switch.clone();
        lab.add_namespace(&switch)?;
        checked(ip(&["-n", &switch, "link", "add", "br0", "type", "bridge"]))?;
        checked(ip(&["-n", &switch, "link", "set", "br0", "up"]))?;
        let runner = lab.runner.clone();
        lab.add_namespace(&runner)?;
        lab.attach(&runner, "prun", RUNNER_IPV4, RUNNER_IPV6)?;
        // Unprivileged ICMP datagram sockets for any group, in the runner only.
        checked(lab.exec(
            &runner,
            &["sysctl", "-w", "net.ipv4.ping_group_range=0 2147483647"],
        ))?;
        Ok(lab)
    }

    /// Unique id of this lab; every namespace name starts with it.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The runner namespace: run Terraform here (`Workspace::in_netns`).
    pub fn runner(&self) -> &str {
        &self.runner
    }

    pub fn hosts(&self) -> &[LabHost] {
        &self.hosts
    }

    /// The host called `name`; panics if there is none.
    pub fn host(&self, name: &str) -> &LabHost {
        self.hosts
            .iter()
            .find(|h| h.name == name)
            .unwrap_or_else(|| panic!("no lab host {name}"))
    }

    /// Adds a host namespace on the LAN with the next free IPv4 and IPv6 address.
    pub fn add_host(&mut self, name: &str) -> Result<LabHost, String> {
        let index = self.hosts.len() + 1;
        assert!(index <= MAX_HOSTS, "at most {MAX_HOSTS} lab hosts");
        let octet = FIRST_HOST_OCTET + (index as u8 - 1);
        let host = LabHost {
            name: name.to_string(),
            namespace: format!("{}-h{index}", self.id),
            ipv4: Ipv4Addr::new(10, 77, 0, octet),
            ipv6: Ipv6Addr::new(0x2001, 0xdb8, 0x77, 0, 0, 0, 0, octet.into()),
        };
        self.add_namespace(&host.namespace)?;
        self.attach(&host.namespace, &format!("p{index}"), host.ipv4, host.ipv6)?;
        self.hosts.push(host.clone());
        Ok(host)
    }

    /// An address on the LAN where no host is and none will be: probes to it
    /// get no answer (ARP / neighbour discovery fails).
    pub fn unused_ipv4(&self) -> Ipv4Addr {
        Ipv4Addr::new(10, 77, 0, 250)
    }

    /// Makes host `name` drop incoming ICMP and ICMPv6 echo requests (nftables),
    /// like a security group without an ICMP rule.
    pub fn drop_icmp_echo(&self, name: &str) -> Result<(), String> {
        let ns = self.host(name).namespace.clone();
        let nft = |rule: &str| {
            let args: Vec<&str> = std::iter::once("nft").chain(rule.split(' ')).collect();
            checked(self.exec(&ns, &args))
        };
        nft("add table inet ptl_filter")?;
        nft("add chain inet ptl_filter input { type filter hook input priority 0 ; policy accept ; }")?;
        nft("add rule inet ptl_filter input icmp type echo-request drop")?;
        nft("add rule inet ptl_filter input icmpv6 type echo-request drop")?;
        Ok(())
    }

    /// Runs `args` inside namespace `ns` (one of this lab's).
    pub fn exec(&self, ns: &str, args: &[&str]) -> CmdOutput {
        self.assert_ours(ns);
        exec_in(ns, args, Duration::from_secs(60))
    }

    /// One ICMP echo from namespace `from` to `address`; true if answered.
    pub fn ping(&self, from: &str, address: IpAddr) -> bool {
        self.exec(
            from,
            &["ping", "-n", "-c", "1", "-W", "1", &address.to_string()],
        )
        .success()
    }

    /// Starts a long-running process inside namespace `ns`; it is killed when
    /// the lab is dropped. Returns its pid.
    pub fn spawn(&mut self, ns: &str, program: &Path, args: &[&str]) -> std::io::Result<u32> {
        use std::os::unix::process::CommandExt;
        self.assert_ours(ns);
        let child = Command::new("ip")
            .args(["netns", "exec", ns])
            .arg(program)
            .args(args)
            .stdin(Stdio::null())
            .process_group(0)
            .spawn()?;
        let pid = child.id();
        self.processes.push(child);
        Ok(pid)
    }

    /// Names of every namespace of this lab (for tests of the lab itself).
    pub fn namespaces(&self) -> &[String] {
        &self.namespaces
    }

    fn assert_ours(&self, ns: &str) {
        assert!(
            self.namespaces.iter().any(|n| n == ns),
            "{ns} is not a namespace of lab {}: refusing to run anything there",
            self.id
        );
    }

    fn add_namespace(&mut self, ns: &str) -> Result<(), String> {
        checked(ip(&["netns", "add", ns]))?;
        self.namespaces.push(ns.to_string());
        checked(ip(&["-n", ns, "link", "set", "lo", "up"]))?;
        Ok(())
    }

    /// Links namespace `ns` (as its eth0) to the bridge through switch port
    /// `port`, and gives eth0 the two addresses.
    fn attach(&self, ns: &str, port: &str, v4: Ipv4Addr, v6: Ipv6Addr) -> Result<(), String> {
        let sw = self.switch.as_str();
        checked(ip(&[
            "-n", sw, "link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", ns,
        ]))?;
        checked(ip(&["-n", sw, "link", "set", port, "master", "br0", "up"]))?;
        checked(ip(&[
            "-n",
            ns,
            "addr",
            "add",
            &format!("{v4}/{PREFIX_LEN_V4}"),
            "dev",
            "eth0",
        ]))?;
        // nodad: usable at once instead of after duplicate address detection.
        checked(ip(&[
            "-n",
            ns,
            "addr",
            "add",
            &format!("{v6}/{PREFIX_LEN_V6}"),
            "dev",
            "eth0",
            "nodad",
        ]))?;
        checked(ip(&["-n", ns, "link", "set", "eth0", "up"]))?;
        Ok(())
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        for child in &mut self.processes {
            kill_process_group(child.id());
            let _ = child.wait();
        }
        for ns in self.namespaces.iter().rev() {
            delete_namespace(ns);
        }
    }
}

fn checked(out: CmdOutput) -> Result<(), String> {
    if out.success() {
        Ok(())
    } else {
        Err(out.to_string())
    }
}
