//! Running an external command with a time limit and keeping everything a
//! failure report needs: the command line, exit status, stdout and stderr.

use std::fmt;
use std::io::Read;
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// What a finished (or timed-out) command produced.
#[derive(Debug, Clone)]
pub struct CmdOutput {
    /// The command line as a person would type it.
    pub command: String,
    /// Exit code; `None` when killed by a signal or by the time limit.
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    pub timed_out: bool,
}

impl CmdOutput {
    pub fn success(&self) -> bool {
        self.code == Some(0)
    }

    /// Panics with the full report unless the command exited 0.
    #[track_caller]
    pub fn expect_success(&self) -> &Self {
        if !self.success() {
            panic!("command failed:\n{self}");
        }
        self
    }

    /// Panics with the full report if the command exited 0.
    #[track_caller]
    pub fn expect_failure(&self) -> &Self {
        if self.success() {
            panic!("command succeeded but was expected to fail:\n{self}");
        }
        if self.timed_out {
            panic!("command timed out (a failure, but not the expected one):\n{self}");
        }
        self
    }

    /// stdout parsed as JSON; panics with the report when it is not JSON.
    #[track_caller]
    pub fn json(&self) -> serde_json::Value {
        match serde_json::from_str(&self.stdout) {
            Ok(value) => value,
            Err(err) => panic!("stdout is not JSON ({err}):\n{self}"),
        }
    }
}

impl fmt::Display for CmdOutput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "$ {}", self.command)?;
        match (self.timed_out, self.code) {
            (true, _) => writeln!(f, "(killed: time limit reached)")?,
            (false, Some(code)) => writeln!(f, "(exit code {code})")?,
            (false, None) => writeln!(f, "(killed by a signal)")?,
        }
        writeln!(f, "--- stdout ---\n{}", self.stdout.trim_end())?;
        write!(f, "--- stderr ---\n{}", self.stderr.trim_end())
    }
}

/// Renders a command line for reports (arguments with spaces are quoted).
pub fn display_command(cmd: &Command) -> String {
    let mut parts = vec![cmd.get_program().to_string_lossy().into_owned()];
    for arg in cmd.get_args() {
        let arg = arg.to_string_lossy();
        if arg.contains(char::is_whitespace) || arg.is_empty() {
            parts.push(format!("'{arg}'"));
        } else {
            parts.push(arg.into_owned());
        }
    }
    parts.join(" ")
}

/// Runs `cmd` to completion or until `limit`, then kills whatever is left of
/// its process group (Terraform and the provider plugin it started), so
/// neither a hung run nor an orphaned plugin can hang the test suite.
pub fn run(cmd: Command, limit: Duration) -> CmdOutput {
    spawn(cmd).wait(limit)
}

/// A command started by [`spawn`], in a process group of its own, with its
/// output collected in the background. Dropped without [`Running::wait`], it
/// kills its process group, so a failing test leaves no Terraform behind.
pub struct Running {
    command: String,
    child: Option<Child>,
    start_error: Option<String>,
    stdout: Option<thread::JoinHandle<String>>,
    stderr: Option<thread::JoinHandle<String>>,
    started: Instant,
}

/// Starts `cmd` without waiting for it, for tests that act while it runs
/// (e.g. kill the provider plugin Terraform started); [`Running::wait`] ends it.
pub fn spawn(mut cmd: Command) -> Running {
    let command = display_command(&cmd);
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    let (mut child, start_error) = match cmd.spawn() {
        Ok(child) => (Some(child), None),
        Err(err) => (None, Some(format!("could not start: {err}"))),
    };
    let stdout = child.as_mut().map(|c| read_in_background(c.stdout.take()));
    let stderr = child.as_mut().map(|c| read_in_background(c.stderr.take()));
    Running {
        command,
        child,
        start_error,
        stdout,
        stderr,
        started: Instant::now(),
    }
}

impl Running {
    /// Process id of the started command; `None` when it could not start.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// True once the command has exited (or could not start).
    pub fn has_exited(&mut self) -> bool {
        match &mut self.child {
            Some(child) => child.try_wait().ok().flatten().is_some(),
            None => true,
        }
    }

    /// Waits until the command exits or `limit` (counted from the start) has
    /// passed; then kills its whole process group.
    pub fn wait(mut self, limit: Duration) -> CmdOutput {
        let command = std::mem::take(&mut self.command);
        let Some(mut child) = self.child.take() else {
            return CmdOutput {
                command,
                code: None,
                stdout: String::new(),
                stderr: self.start_error.take().unwrap_or_default(),
                timed_out: false,
            };
        };
        let mut timed_out = false;
        let status = loop {
            if let Some(status) = child.try_wait().expect("waiting for a child process") {
                break status;
            }
            if self.started.elapsed() > limit {
                timed_out = true;
                kill_process_group(child.id());
                break child.wait().expect("waiting for a killed child process");
            }
            thread::sleep(Duration::from_millis(20));
        };
        // Whatever the command left behind in its group (e.g. a provider
        // plugin orphaned by a Terraform crash) still holds the output pipes:
        // without this the readers below would wait for it forever.
        kill_process_group(child.id());
        let collected = |reader: Option<thread::JoinHandle<String>>| {
            reader.and_then(|r| r.join().ok()).unwrap_or_default()
        };
        CmdOutput {
            command,
            code: status.code(),
            stdout: collected(self.stdout.take()),
            stderr: collected(self.stderr.take()),
            timed_out,
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            kill_process_group(child.id());
            let _ = child.wait();
        }
    }
}

fn read_in_background(pipe: Option<impl Read + Send + 'static>) -> thread::JoinHandle<String> {
    thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(mut pipe) = pipe {
            let _ = pipe.read_to_end(&mut bytes);
        }
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

/// Sends SIGKILL to the process group led by `pid`.
pub fn kill_process_group(pid: u32) {
    let _ = Command::new("kill")
        .args(["-KILL", "--", &format!("-{pid}")])
        .stderr(Stdio::null())
        .status();
}
