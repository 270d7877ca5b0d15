//! The local EC2 emulator (moto's server, installed by scripts/setup.sh into
//! `.tools/bin/moto_server`), listening on loopback only, stopped on drop.

use std::io::{BufRead, BufReader};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

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

    /// Starts moto on a loopback port it binds itself (`scripts/moto_any_port.py`, run
    /// by moto's own Python) and returns once it serves. No port is picked and released
    /// first, so a busy machine's other servers cannot take it in between.
    pub fn start(executable: &std::path::Path) -> Result<MotoServer, String> {
        use std::os::unix::process::CommandExt;
        let (python, python_args) = interpreter_of(executable)?;
        let log = tempfile::NamedTempFile::new().map_err(|e| e.to_string())?;
        let (log_file, log_path) = log.keep().map_err(|e| e.to_string())?;
        let mut child = Command::new(&python)
            .args(&python_args)
            .arg(launcher())
            // It would override the account of every request, assumed roles'
            // included: one moto serves several accounts only without it.
            .env_remove("MOTO_ACCOUNT_ID")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log_file)
            .process_group(0)
            .spawn()
            .map_err(|e| format!("starting moto with {}: {e}", python.display()))?;
        let port = first_line(child.stdout.take().expect("piped stdout")).and_then(|line| {
            line.trim()
                .parse::<u16>()
                .map_err(|e| format!("its first line is not a port: {e}"))
        });
        let port = match port {
            Ok(port) => port,
            Err(why) => {
                kill_process_group(child.id());
                let exited = child.wait().ok();
                let log = std::fs::read_to_string(&log_path).unwrap_or_default();
                return Err(format!(
                    "moto did not start ({why}; exit: {exited:?}); its output:\n{log}"
                ));
            }
        };
        let server = MotoServer {
            child,
            address: SocketAddr::from((Ipv4Addr::LOCALHOST, port)),
        };
        // The port is printed once the socket listens: connecting now must work.
        TcpStream::connect_timeout(&server.address, Duration::from_secs(5))
            .map_err(|e| format!("moto printed port {port} but refuses connections: {e}"))?;
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

/// The launcher next to the other scripts of the repository.
fn launcher() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../scripts/moto_any_port.py")
}

/// The interpreter (and its arguments, for `#!/usr/bin/env python3`) named on the first
/// line of the `moto_server` script pip installed: the Python that has moto.
fn interpreter_of(moto_server: &Path) -> Result<(PathBuf, Vec<String>), String> {
    let text = std::fs::read(moto_server)
        .map_err(|e| format!("reading {}: {e}", moto_server.display()))?;
    let first = text.split(|b| *b == b'\n').next().unwrap_or_default();
    let first = String::from_utf8_lossy(first);
    let mut words = first
        .strip_prefix("#!")
        .ok_or_else(|| format!("{} is not a Python script", moto_server.display()))?
        .split_whitespace()
        .map(str::to_string);
    let program = words
        .next()
        .ok_or_else(|| format!("{} names no interpreter", moto_server.display()))?;
    Ok((PathBuf::from(program), words.collect()))
}

/// The first line `stdout` prints within a minute; the rest is drained so that the
/// server never blocks on a full pipe.
fn first_line(stdout: ChildStdout) -> Result<String, String> {
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        let mut reader = BufReader::new(stdout);
        let mut line = String::new();
        let read = reader.read_line(&mut line).map(|_| line);
        let _ = sender.send(read);
        let _ = std::io::copy(&mut reader, &mut std::io::sink());
    });
    match receiver.recv_timeout(Duration::from_secs(60)) {
        Ok(Ok(line)) if !line.is_empty() => Ok(line),
        Ok(Ok(_)) => Err("it exited before printing its port".to_string()),
        Ok(Err(e)) => Err(format!("reading its output: {e}")),
        Err(_) => Err("it printed no port within a minute".to_string()),
    }
}
