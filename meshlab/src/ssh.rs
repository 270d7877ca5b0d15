//! SSH into lab hosts: one host key for the whole lab (every host presents
//! it), one client key pair, `sshd` in each instance namespace accepting
//! only that key for root, and a `known_hosts` listing every private IP and
//! every public IP the runner can reach, and every host's IPv6 addresses.

use std::fmt::Write as _;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use test_support::command::{self, CmdOutput};

pub const SSHD: &str = "/usr/sbin/sshd";

/// The lab's SSH material, under `<lab dir>/ssh`.
#[derive(Debug, Clone)]
pub struct SshFiles {
    pub dir: PathBuf,
}

impl SshFiles {
    pub fn at(lab_dir: &Path) -> SshFiles {
        SshFiles {
            dir: lab_dir.join("ssh"),
        }
    }

    /// Generates both key pairs and writes `sshd_config` and `authorized_keys`.
    pub fn create(lab_dir: &Path) -> Result<SshFiles, String> {
        let files = SshFiles::at(lab_dir);
        std::fs::create_dir_all(&files.dir).map_err(|e| format!("{}: {e}", files.dir.display()))?;
        for key in [files.host_key(), files.private_key()] {
            let mut keygen = Command::new("ssh-keygen");
            keygen
                .args(["-q", "-t", "ed25519", "-N", "", "-C", "meshlab", "-f"])
                .arg(&key);
            checked(command::run(keygen, Duration::from_secs(30)))?;
        }
        let public = read(&files.private_key().with_extension("pub"))?;
        write(&files.dir.join("authorized_keys"), &public)?;
        write(&files.config(), &files.sshd_config())?;
        Ok(files)
    }

    pub fn private_key(&self) -> PathBuf {
        self.dir.join("id_ed25519")
    }

    pub fn known_hosts(&self) -> PathBuf {
        self.dir.join("known_hosts")
    }

    pub fn config(&self) -> PathBuf {
        self.dir.join("sshd_config")
    }

    fn host_key(&self) -> PathBuf {
        self.dir.join("host_ed25519")
    }

    /// `SetEnv SHLVL=1`: bash then skips root's ~/.bashrc, as in a nested shell. That file
    /// is the machine's, not the lab's (on ours it runs `pyenv rehash`, whose lock, left
    /// behind by a session killed with the lab, stalls every later command for 60 s).
    fn sshd_config(&self) -> String {
        let dir = self.dir.display();
        format!(
            "Port 22\nAddressFamily any\nHostKey {dir}/host_ed25519\nPidFile none\n\
             AuthorizedKeysFile {dir}/authorized_keys\nPermitRootLogin prohibit-password\n\
             PubkeyAuthentication yes\nPasswordAuthentication no\nKbdInteractiveAuthentication no\n\
             UsePAM no\nStrictModes no\nSetEnv SHLVL=1\n"
        )
    }

    /// Rewrites `known_hosts`: every address presents the lab's host key.
    pub fn write_known_hosts(
        &self,
        addresses: impl IntoIterator<Item = IpAddr>,
    ) -> Result<(), String> {
        let host_key = read(&self.host_key().with_extension("pub"))?;
        let key: Vec<&str> = host_key.split_whitespace().take(2).collect();
        let mut text = String::new();
        for address in addresses {
            let _ = writeln!(text, "{address} {}", key.join(" "));
        }
        write(&self.known_hosts(), &text)
    }

    /// Starts `sshd` in namespace `ns` (in its own process group, logging to
    /// `<ns>.log`) and waits until it listens.
    pub fn start_sshd(&self, ns: &str) -> Result<Child, String> {
        use std::os::unix::process::CommandExt;
        // sshd refuses to start without its privilege separation directory.
        std::fs::create_dir_all("/run/sshd").map_err(|e| format!("/run/sshd: {e}"))?;
        let log_path = self.dir.join(format!("{ns}.log"));
        let log =
            std::fs::File::create(&log_path).map_err(|e| format!("{}: {e}", log_path.display()))?;
        let mut child = Command::new("ip")
            .args(["netns", "exec", ns, SSHD, "-D", "-e", "-f"])
            .arg(self.config())
            .stdin(Stdio::null())
            .stdout(log.try_clone().map_err(|e| e.to_string())?)
            .stderr(log)
            .process_group(0)
            .spawn()
            .map_err(|e| format!("starting sshd in {ns}: {e}"))?;
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let text = std::fs::read_to_string(&log_path).unwrap_or_default();
            if text.contains("Server listening on") {
                return Ok(child);
            }
            let exited = child.try_wait().ok().flatten();
            if exited.is_some() || Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("sshd in {ns} did not start ({exited:?}):\n{text}"));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// True when `pid` is an sshd of this lab (started with its config).
    pub fn is_our_sshd(&self, pid: u32) -> bool {
        let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
        let cmdline = String::from_utf8_lossy(&cmdline);
        cmdline.contains(SSHD) && cmdline.contains(&*self.config().to_string_lossy())
    }

    /// `ssh` arguments for `root@address` with the lab key and strict host
    /// key checking against the lab's `known_hosts`.
    pub fn ssh_args(&self, address: impl Into<IpAddr>, remote: &[&str]) -> Vec<String> {
        let address = address.into();
        let mut args: Vec<String> = [
            "ssh",
            "-F",
            "/dev/null",
            "-o",
            "BatchMode=yes",
            "-o",
            "ConnectTimeout=5",
        ]
        .map(String::from)
        .to_vec();
        args.extend(["-o".into(), "StrictHostKeyChecking=yes".into()]);
        args.extend([
            "-o".into(),
            format!("UserKnownHostsFile={}", self.known_hosts().display()),
        ]);
        args.extend(["-i".into(), self.private_key().display().to_string()]);
        args.push(format!("root@{address}"));
        args.extend(remote.iter().map(|s| s.to_string()));
        args
    }
}

fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}

fn checked(out: CmdOutput) -> Result<(), String> {
    if out.success() {
        Ok(())
    } else {
        Err(out.to_string())
    }
}
