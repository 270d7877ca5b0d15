//! A lab for the SSH transport (root only), every part inside namespaces it creates:
//!
//! ```text
//!   <id>-cl (client)             <id>-bas (bastion)        <id>-sw      <id>-h1, <id>-h2
//!   eth0 192.0.2.1/24 ---- eth1 192.0.2.2/24
//!        2001:db8:2::1/64       2001:db8:2::2/64
//!                               eth0 10.78.0.10/24 ---- p0 [br0] p1 ---- eth0 10.78.0.11/24
//!                                                              p2 ---- eth0 10.78.0.12/24
//!                    (and on the LAN 2001:db8:78::N/64 beside each 10.78.0.N)
//! ```
//!
//! The client, where the prober runs, reaches only the bastion (which does not forward). The
//! bastion and the hosts run `sshd -D` with a host key of this lab and accept root with the
//! lab's client key. Dropping the lab (also on a failed assertion) kills every process in its
//! namespaces and deletes them; names start with `ptl<pid>x` so `make lab-clean` finds any a
//! killed run left behind.

use std::future::Future;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tempfile::TempDir;

use ::test_support::netns::{harness_name, kill_processes_in};
use ::test_support::prereq::{is_root, missing_prerequisite};

use crate::probe::test_support::run_in_netns;
use net::listening_on_22;

mod net;

/// The bastion's address on the client link; TEST-NET-1, and only inside the lab.
pub(crate) const BASTION: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 2);
/// The bastion's IPv6 address on the client link; documentation range, only inside the lab.
pub(crate) const BASTION_V6: Ipv6Addr = Ipv6Addr::new(0x2001, 0xdb8, 2, 0, 0, 0, 0, 2);
/// A LAN address nobody has (ARP gets no answer).
pub(crate) const NOBODY: Ipv4Addr = Ipv4Addr::new(10, 78, 0, 250);
const SSHD: &str = "/usr/sbin/sshd";

pub(crate) struct LabHost {
    pub(crate) namespace: String,
    pub(crate) ipv4: Ipv4Addr,
    pub(crate) ipv6: Ipv6Addr,
    sshd: Option<Child>,
}

pub(crate) struct SshLab {
    pub(crate) client: String,
    pub(crate) bastion: LabHost,
    pub(crate) hosts: Vec<LabHost>,
    /// The private key root accepts everywhere, and one nobody accepts.
    pub(crate) client_key: String,
    pub(crate) wrong_key: String,
    /// Lines trusting the bastion (as 192.0.2.2 and [`BASTION_V6`]) and every host (by its
    /// IPv4 and its IPv6 address).
    pub(crate) known_hosts: String,
    namespaces: Vec<String>,
    dir: TempDir,
}

impl SshLab {
    /// Builds the lab with `host_count` hosts, or `None` (after [`missing_prerequisite`]) when this
    /// machine cannot.
    pub(crate) fn create(test: &str, host_count: u8) -> Option<Self> {
        if !is_root() {
            missing_prerequisite(test, "the SSH lab needs root (network namespaces, sshd)");
            return None;
        }
        for tool in [SSHD, "/usr/bin/ssh-keygen", "/usr/bin/ping"] {
            if !Path::new(tool).exists() {
                missing_prerequisite(
                    test,
                    &format!("{tool} is missing (openssh-server, openssh-client, iputils-ping)"),
                );
                return None;
            }
        }
        let id = harness_name("s");
        let host = |namespace: String, octet: u8| LabHost {
            namespace,
            ipv4: Ipv4Addr::new(10, 78, 0, octet),
            ipv6: Ipv6Addr::new(0x2001, 0xdb8, 0x78, 0, 0, 0, 0, octet.into()),
            sshd: None,
        };
        let mut lab = SshLab {
            client: format!("{id}-cl"),
            bastion: host(format!("{id}-bas"), 10),
            hosts: (1..=host_count)
                .map(|n| host(format!("{id}-h{n}"), 10 + n))
                .collect(),
            client_key: String::new(),
            wrong_key: String::new(),
            known_hosts: String::new(),
            namespaces: Vec::new(),
            dir: tempfile::tempdir().expect("temporary directory"),
        };
        lab.build_network(&format!("{id}-sw"));
        lab.client_key = lab.keygen("client");
        lab.wrong_key = lab.keygen("wrong");
        let authorized = lab.read("client.pub");
        lab.write("authorized_keys", &authorized);
        std::fs::create_dir_all("/run/sshd").expect("sshd privilege separation directory");
        let mut known_hosts = String::new();
        for index in 0..=lab.hosts.len() {
            let name = if index == 0 {
                "bastion".to_string()
            } else {
                format!("h{index}")
            };
            lab.keygen(&format!("{name}_host_key"));
            let public = lab.read(&format!("{name}_host_key.pub"));
            let shown: [IpAddr; 2] = if index == 0 {
                [BASTION.into(), BASTION_V6.into()]
            } else {
                let host = &lab.hosts[index - 1];
                [host.ipv4.into(), host.ipv6.into()]
            };
            for name in shown {
                known_hosts.push_str(&format!("{name} {}", public.trim()));
                known_hosts.push('\n');
            }
            lab.start_sshd(index, &name);
        }
        lab.known_hosts = known_hosts;
        Some(lab)
    }

    /// The public host key line (`TYPE BASE64`) of `name` ("bastion", "h1", ...).
    pub(crate) fn host_key(&self, name: &str) -> String {
        let public = self.read(&format!("{name}_host_key.pub"));
        public
            .split_whitespace()
            .take(2)
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Stops the sshd of host `index` (1-based) and any session it started.
    /// Makes the bastion, and only the bastion, accept `wrong_key` too.
    pub(crate) fn accept_wrong_key_on_bastion(&self) {
        let key = self.read("wrong.pub");
        self.write("bastion_extra_keys", &key);
    }

    pub(crate) fn stop_sshd(&mut self, index: usize) {
        let host = &mut self.hosts[index - 1];
        if let Some(mut sshd) = host.sshd.take() {
            let _ = sshd.kill();
            let _ = sshd.wait();
        }
        kill_processes_in(&host.namespace);
    }

    /// Runs `args` in namespace `ns` of this lab and returns whether it succeeded.
    pub(crate) fn exec_ok(&self, ns: &str, args: &[&str]) -> bool {
        assert!(self.namespaces.iter().any(|n| n == ns), "{ns} is not ours");
        Command::new("ip")
            .args(["netns", "exec", ns])
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|status| status.success())
    }

    /// The log of sshd `name` ("bastion", "h1", ...); empty when it has none.
    pub(crate) fn log(&self, name: &str) -> String {
        std::fs::read_to_string(self.dir.path().join(format!("{name}.log"))).unwrap_or_default()
    }

    /// The sshd logs, for failure messages.
    pub(crate) fn logs(&self) -> String {
        let mut logs = String::new();
        let hosts = (1..=self.hosts.len()).map(|index| format!("h{index}"));
        for name in std::iter::once("bastion".to_string()).chain(hosts) {
            let text = self.log(&name);
            if !text.is_empty() {
                logs.push_str(&format!("--- sshd {name}\n{text}"));
            }
        }
        logs
    }

    /// Runs `make_future` on a thread that joined the client namespace, on its own runtime:
    /// every socket the prober opens is the client's.
    pub(crate) fn run_in_client<T: Send, F: Future<Output = T>>(
        &self,
        make_future: impl FnOnce() -> F + Send,
    ) -> T {
        run_in_netns(&self.client, || {}, make_future)
    }

    /// Makes a key pair `name`/`name.pub` in the lab directory; returns the private key text.
    fn keygen(&self, name: &str) -> String {
        let path = self.dir.path().join(name);
        let status = Command::new("ssh-keygen")
            .args(["-q", "-t", "ed25519", "-N", "", "-C", name, "-f"])
            .arg(&path)
            .status()
            .expect("running ssh-keygen");
        assert!(status.success(), "ssh-keygen {name} failed");
        self.read(name)
    }

    /// Starts sshd for the bastion (index 0) or host `index`, and waits until it listens.
    fn start_sshd(&mut self, index: usize, name: &str) {
        let dir = self.dir.path().display().to_string();
        // SetEnv SHLVL=1: bash then skips root's ~/.bashrc, as in a nested shell. That file
        // is the machine's, not the lab's (on ours it runs `pyenv rehash`, whose lock, left
        // behind by a session killed with the lab, stalls every later command for 60 s).
        let config = format!(
            "Port 22\nListenAddress 0.0.0.0\nListenAddress ::\nHostKey {dir}/{name}_host_key\n\
             PidFile none\nUsePAM no\nPermitRootLogin prohibit-password\nPubkeyAuthentication yes\n\
             PasswordAuthentication no\nKbdInteractiveAuthentication no\n\
             AuthorizedKeysFile {dir}/authorized_keys {dir}/{name}_extra_keys\nStrictModes no\nAllowTcpForwarding yes\n\
             PermitTTY no\nPrintMotd no\nX11Forwarding no\nLogLevel VERBOSE\nSetEnv SHLVL=1\n"
        );
        self.write(&format!("{name}_sshd_config"), &config);
        let log = std::fs::File::create(self.dir.path().join(format!("{name}.log"))).unwrap();
        let host = if index == 0 {
            &mut self.bastion
        } else {
            &mut self.hosts[index - 1]
        };
        let child = Command::new("ip")
            .args(["netns", "exec", &host.namespace, SSHD, "-D", "-e", "-f"])
            .arg(format!("{dir}/{name}_sshd_config"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("starting sshd");
        host.sshd = Some(child);
        let ns = host.namespace.clone();
        let started = Instant::now();
        while !listening_on_22(&ns) {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "sshd {name} did not start listening:\n{}",
                self.logs()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.dir.path().join(name)).unwrap()
    }

    fn write(&self, name: &str, text: &str) {
        std::fs::write(self.dir.path().join(name), text).unwrap();
    }
}

impl Drop for SshLab {
    fn drop(&mut self) {
        let hosts = std::iter::once(&mut self.bastion).chain(&mut self.hosts);
        for child in hosts.filter_map(|host| host.sshd.as_mut()) {
            let _ = child.kill();
            let _ = child.wait();
        }
        for ns in self.namespaces.iter().rev() {
            kill_processes_in(ns);
            let _ = Command::new("ip").args(["netns", "del", ns]).status();
        }
    }
}
