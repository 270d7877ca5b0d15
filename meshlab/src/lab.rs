//! [`MeshLab`]: a lab that mirrors a [`LabSpec`] into namespaces, syncs to a
//! changed spec, runs commands in its hosts and removes itself.
//!
//! A test's lab is named after the test process (`ptl<pid>xm<n>`) and is
//! removed when dropped, also while unwinding from a panic. A lab of the
//! `meshlab` CLI must outlive the command that made it: it is named after a
//! `sleep infinity` keeper it starts, so stale clean-up leaves it alone until
//! `meshlab down` kills the keeper (or something else does).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use test_support::command::{kill_process_group, CmdOutput};
use test_support::netns::{exec_in, remove_stale_namespaces, NAME_PREFIX};
use test_support::prereq::{find_on_path, is_root, missing_prerequisite};

use crate::apply::{self, remove_all};
use crate::names::Names;
use crate::plan::{plan, HostView, Layout};
use crate::spec::LabSpec;
use crate::ssh::{SshFiles, SSHD};
use crate::state::{LabState, Source};

pub struct MeshLab {
    state: LabState,
    names: Names,
    layout: Layout,
    ssh: SshFiles,
    /// sshd processes this process started, by namespace (waited for on removal).
    children: BTreeMap<String, Child>,
    /// False for a CLI lab between invocations: dropping it leaves it running.
    remove_on_drop: bool,
}

impl MeshLab {
    /// Why a lab cannot be built on this machine, if it cannot.
    pub fn unavailable_reason() -> Option<String> {
        if !is_root() {
            return Some(
                "not root: network namespaces need root (run as root, e.g. `sudo make test`)"
                    .into(),
            );
        }
        let missing: Vec<&str> = ["ip", "nft", "ping", "sysctl", "ssh", "ssh-keygen"]
            .into_iter()
            .filter(|tool| find_on_path(tool).is_none())
            .collect();
        if !missing.is_empty() || !std::path::Path::new(SSHD).exists() {
            return Some(format!(
                "missing tools {missing:?} or {SSHD} (install iproute2, nftables, iputils-ping, procps, openssh-server, openssh-client)"
            ));
        }
        None
    }

    /// A lab of `spec` for `test`, or `None` after printing why it was
    /// skipped (under CI=true a missing prerequisite panics instead).
    pub fn require(test: &str, spec: LabSpec) -> Option<MeshLab> {
        if let Some(reason) = MeshLab::unavailable_reason() {
            missing_prerequisite(test, &reason);
            return None;
        }
        Some(
            MeshLab::up(spec)
                .unwrap_or_else(|e| panic!("{test}: building the mesh lab failed:\n{e}")),
        )
    }

    /// A lab owned by this process, removed on drop.
    pub fn up(spec: LabSpec) -> Result<MeshLab, String> {
        static CLEAN_STALE: std::sync::Once = std::sync::Once::new();
        CLEAN_STALE.call_once(|| {
            remove_stale_namespaces();
        });
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let id = format!("{NAME_PREFIX}{}xm{n}", std::process::id());
        MeshLab::create(id, None, Source::Given, spec)
    }

    /// A lab that outlives this process (the CLI): see the module docs.
    pub fn up_detached(source: Source) -> Result<MeshLab, String> {
        let spec = source.read()?;
        use std::os::unix::process::CommandExt;
        let keeper = Command::new("sleep")
            .arg("infinity")
            .stdin(Stdio::null())
            .process_group(0)
            .spawn()
            .map_err(|e| format!("starting the keeper process: {e}"))?;
        let id = format!("{NAME_PREFIX}{}x0", keeper.id());
        let mut lab = MeshLab::create(id, Some(keeper.id()), source, spec)?;
        lab.remove_on_drop = false;
        Ok(lab)
    }

    fn create(
        id: String,
        keeper_pid: Option<u32>,
        source: Source,
        spec: LabSpec,
    ) -> Result<MeshLab, String> {
        let names = Names { lab: id.clone() };
        let layout = plan(&spec, &names)?;
        let dir = tempfile::Builder::new()
            .prefix(&format!("{id}-"))
            .tempdir()
            .map_err(|e| format!("lab directory: {e}"))?
            .keep();
        let mut lab = MeshLab {
            ssh: SshFiles::at(&dir),
            state: LabState {
                id,
                dir,
                keeper_pid,
                source,
                spec,
                sshd: BTreeMap::new(),
                applied: BTreeMap::new(),
            },
            names,
            layout,
            children: BTreeMap::new(),
            remove_on_drop: true,
        };
        // From here on a failure drops `lab`, which removes what was made.
        lab.ssh = SshFiles::create(&lab.state.dir)?;
        lab.realise()?;
        Ok(lab)
    }

    /// The lab of a saved state (CLI); left running when dropped.
    pub fn attach(state: LabState) -> Result<MeshLab, String> {
        let names = Names {
            lab: state.id.clone(),
        };
        let layout = plan(&state.spec, &names)?;
        Ok(MeshLab {
            ssh: SshFiles::at(&state.dir),
            state,
            names,
            layout,
            children: BTreeMap::new(),
            remove_on_drop: false,
        })
    }

    /// Re-applies the lab for `spec`: namespaces, links and sshd that stay
    /// are kept; only what changed is touched.
    pub fn sync(&mut self, spec: LabSpec) -> Result<(), String> {
        self.layout = plan(&spec, &self.names)?;
        self.state.spec = spec;
        self.realise()
    }

    /// [`MeshLab::sync`] with the spec read again from the lab's source.
    pub fn sync_from_source(&mut self) -> Result<(), String> {
        let spec = self.state.source.read()?;
        self.sync(spec)
    }

    fn realise(&mut self) -> Result<(), String> {
        apply::apply(
            &self.layout,
            &self.names,
            &mut self.state.applied,
            &self.state.dir,
        )?;
        self.children.retain(|ns, child| {
            let gone = !self.layout.namespaces.contains_key(ns);
            if gone {
                let _ = child.wait(); // killed with its namespace
            }
            !gone
        });
        self.state
            .sshd
            .retain(|ns, _| self.layout.namespaces.contains_key(ns));
        for host in self.layout.hosts.clone() {
            let running = self
                .state
                .sshd
                .get(&host.namespace)
                .is_some_and(|pid| self.ssh.is_our_sshd(*pid));
            if !running {
                let child = self.ssh.start_sshd(&host.namespace)?;
                self.state.sshd.insert(host.namespace.clone(), child.id());
                self.children.insert(host.namespace, child);
            }
        }
        let private = self.layout.hosts.iter().map(|h| h.private_ip.into());
        let public = self.layout.hosts.iter().filter_map(|h| h.public_ip);
        let ipv6 = self
            .layout
            .hosts
            .iter()
            .flat_map(|h| h.ipv6_addresses.clone());
        let addresses = private
            .chain(public.map(Into::into))
            .chain(ipv6.map(Into::into));
        self.ssh.write_known_hosts(addresses)
    }

    /// Removes every namespace, process and file of the lab.
    pub fn down(mut self) {
        self.remove();
    }

    fn remove(&mut self) {
        remove_all(&self.names);
        for child in self.children.values_mut() {
            kill_process_group(child.id());
            let _ = child.wait();
        }
        self.children.clear();
        if let Some(pid) = self.state.keeper_pid.take() {
            let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
            if cmdline == b"sleep\0infinity\0" {
                let _ = Command::new("kill")
                    .args(["-KILL", &pid.to_string()])
                    .status();
            }
        }
        let _ = std::fs::remove_dir_all(&self.state.dir);
    }

    pub fn state(&self) -> &LabState {
        &self.state
    }

    pub fn spec(&self) -> &LabSpec {
        &self.state.spec
    }

    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    pub fn hosts(&self) -> &[HostView] {
        &self.layout.hosts
    }

    /// The host whose name, instance id, private IP or IPv6 address is `key`;
    /// panics if none.
    #[track_caller]
    pub fn host(&self, key: &str) -> &HostView {
        self.find_host(key)
            .unwrap_or_else(|| panic!("no lab host {key}"))
    }

    pub fn find_host(&self, key: &str) -> Option<&HostView> {
        self.layout.hosts.iter().find(|h| {
            h.name == key
                || h.instance_id == key
                || h.private_ip.to_string() == key
                || h.ipv6_addresses.iter().any(|a| a.to_string() == key)
        })
    }

    /// The namespace for `key`: a host, `runner`, or a VPC id (its router).
    pub fn namespace_of(&self, key: &str) -> Option<String> {
        if key == "runner" {
            return Some(self.layout.runner.clone());
        }
        let router = self.layout.routers.iter().find(|r| r.vpc_id == key);
        let host = self.find_host(key).map(|h| h.namespace.clone());
        host.or_else(|| router.map(|r| r.namespace.clone()))
    }

    /// The runner namespace: the only one with a way in through the gateways.
    pub fn runner(&self) -> &str {
        &self.layout.runner
    }

    /// Runs `args` in the namespace of `key` (see [`MeshLab::namespace_of`]).
    #[track_caller]
    pub fn exec(&self, key: &str, args: &[&str]) -> CmdOutput {
        let ns = self
            .namespace_of(key)
            .unwrap_or_else(|| panic!("no lab host {key}"));
        exec_in(&ns, args, Duration::from_secs(60))
    }

    pub fn private_key(&self) -> PathBuf {
        self.ssh.private_key()
    }

    pub fn known_hosts(&self) -> PathBuf {
        self.ssh.known_hosts()
    }

    pub fn ssh_files(&self) -> &SshFiles {
        &self.ssh
    }

    pub fn names(&self) -> &Names {
        &self.names
    }
}

impl Drop for MeshLab {
    fn drop(&mut self) {
        if self.remove_on_drop {
            self.remove();
        }
    }
}
