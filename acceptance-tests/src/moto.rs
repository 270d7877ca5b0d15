//! The local EC2 emulator (moto's server, installed by scripts/setup.sh into
//! `.tools/bin/moto_server`), listening on loopback only, stopped on drop.

use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::command::kill_process_group;
use crate::prereq::{find_on_path, is_executable, missing_prerequisite, tools_bin};

pub struct MotoServer {
    child: Child,
    address: SocketAddr,
}

impl MotoServer {
    /// The moto_server executable, if installed.
    pub fn executable() -> Option<PathBuf> {
        let local = tools_bin().join("moto_server");
        if is_executable(&local) {
            return Some(local);
        }
        find_on_path("moto_server")
    }

    /// A running server for `test`, or `None` after printing why it was
    /// skipped (under CI=true a missing moto panics instead).
    pub fn require(test: &str) -> Option<MotoServer> {
        let Some(executable) = MotoServer::executable() else {
            missing_prerequisite(
                test,
                "moto_server not found in .tools/bin or on PATH (run scripts/setup.sh)",
            );
            return None;
        };
        Some(MotoServer::start(&executable).unwrap_or_else(|e| panic!("{test}: {e}")))
    }

    /// Starts moto on a free loopback port and waits until it accepts connections.
    pub fn start(executable: &std::path::Path) -> Result<MotoServer, String> {
        use std::os::unix::process::CommandExt;
        let port = free_loopback_port()?;
        let log = tempfile::NamedTempFile::new().map_err(|e| e.to_string())?;
        let (log_file, log_path) = log.keep().map_err(|e| e.to_string())?;
        let child = Command::new(executable)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(log_file.try_clone().map_err(|e| e.to_string())?)
            .stderr(log_file)
            .process_group(0)
            .spawn()
            .map_err(|e| format!("starting {}: {e}", executable.display()))?;
        let mut server = MotoServer {
            child,
            address: SocketAddr::from((Ipv4Addr::LOCALHOST, port)),
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        while TcpStream::connect_timeout(&server.address, Duration::from_millis(200)).is_err() {
            let exited = server.child.try_wait().ok().flatten();
            if exited.is_some() || Instant::now() > deadline {
                let log = std::fs::read_to_string(&log_path).unwrap_or_default();
                return Err(format!(
                    "moto_server did not start ({exited:?}); its output:\n{log}"
                ));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = std::fs::remove_file(&log_path);
        Ok(server)
    }

    /// `http://127.0.0.1:PORT`, for the provider's `endpoints { ec2 = ..., sts = ... }`
    /// (moto serves every service on one port).
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.address)
    }

    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The server's process id (it leads its own process group).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for MotoServer {
    fn drop(&mut self) {
        kill_process_group(self.child.id());
        let _ = self.child.wait();
    }
}

fn free_loopback_port() -> Result<u16, String> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).map_err(|e| e.to_string())?;
    Ok(listener.local_addr().map_err(|e| e.to_string())?.port())
}
