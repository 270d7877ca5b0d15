//! The batch script run by the local `sh` and `bash` against a stand-in `ping` (any address:
//! nothing is sent) and against the real `ping` on loopback only.

use std::net::IpAddr;
use std::path::PathBuf;
use std::process::Command;

use super::tests::{echo, ip, script_of};
use super::{command, parse};
use crate::probe::test_support::loopback;
use ::test_support::prereq::missing_prerequisite;

/// Runs `command` as the login shell `shell` would (`shell -c COMMAND`) with `path` as
/// PATH (the test's own when `None`).
fn run_locally(shell: &str, command: &str, path: Option<&str>) -> String {
    let mut run = Command::new(shell);
    run.arg("-c").arg(command);
    if let Some(path) = path {
        run.env("PATH", path);
    }
    let output = run.output().expect("running the shell");
    assert!(output.status.success(), "{shell}: {output:?}");
    String::from_utf8(output.stdout).unwrap()
}

/// A stand-in `ping` (also installed as `ping6`): prints the name it was run as and its
/// arguments, characters a shell could trip on (`*` that would glob, quotes, `$`), then by
/// address a summary, an error (status 2), or nothing at all.
const FAKE_PING: &str = r#"#!/bin/sh
for last; do :; done
echo "args: ${0##*/} $*"
echo "quotes ' \" * \$HOME"
case "$last" in
  *.13) echo "ping: sendmsg: Operation not permitted" >&2; exit 2 ;;
  *.14) exit 1 ;;
esac
echo
echo "--- $last ping statistics ---"
echo "2 packets transmitted, 1 received, 50% packet loss, time 1001ms"
echo "rtt min/avg/max/mdev = 0.100/0.100/0.100/0.000 ms"
exit 0
"#;

/// The absolute path of `program` on the test's PATH.
fn which(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
}

/// A directory that is the whole PATH of a run: the stand-in as `ping` (and as `ping6`
/// when `with_ping6`), and the shells, so no real ping can be reached.
fn stand_in_path(with_ping6: bool) -> tempfile::TempDir {
    use std::os::unix::fs::{symlink, PermissionsExt};
    let dir = tempfile::tempdir().unwrap();
    let fake = dir.path().join("ping");
    std::fs::write(&fake, FAKE_PING).unwrap();
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    if with_ping6 {
        symlink(&fake, dir.path().join("ping6")).unwrap();
    }
    for shell in ["sh", "bash"] {
        if let Some(real) = which(shell) {
            symlink(real, dir.path().join(shell)).unwrap();
        }
    }
    dir
}

#[test]
fn ssh_batch_script_runs_in_sh_and_bash_with_a_stand_in_ping() {
    // Many at once, as on a large mesh: every line must come back whole.
    let addresses: Vec<IpAddr> = (10..=80)
        .map(|n| ip(&format!("192.0.2.{n}")))
        .chain([ip("2001:db8::1"), ip("2001:db8::2")])
        .collect();
    let command = command(&addresses, &echo(2, 1000), 50);
    for with_ping6 in [true, false] {
        let dir = stand_in_path(with_ping6);
        let path = dir.path().to_str().unwrap();
        let shells = ["sh", "bash"]
            .into_iter()
            .filter(|shell| dir.path().join(shell).exists());
        for shell in shells {
            let shell_path = dir.path().join(shell);
            let shell = shell_path.to_str().unwrap();
            // The login shell runs the command line; the script runs in `sh`. Then the
            // script straight in this shell too (where `sh` is bash, or bash is the only one).
            let script = script_of(&command).to_string();
            for text in [command.clone(), script] {
                let stdout = run_locally(shell, &text, Some(path));
                check_replies(shell, with_ping6, &stdout, &addresses);
            }
        }
    }
}

/// Every address got its line, run with the right program, and its summary or error.
fn check_replies(shell: &str, with_ping6: bool, stdout: &str, addresses: &[IpAddr]) {
    let replies = parse(stdout, addresses);
    for (address, reply) in addresses.iter().zip(&replies) {
        let reply = reply
            .as_ref()
            .unwrap_or_else(|| panic!("{shell}: no line for {address} in {stdout}"));
        let lines: Vec<&str> = reply.output.lines().collect();
        let program = match (address.is_ipv6(), with_ping6) {
            (false, _) => "ping",
            (true, true) => "ping6",
            (true, false) => "ping -6",
        };
        assert_eq!(
            lines[0],
            format!("args: {program} -q -n -c 2 -W 1 {address}"),
            "{shell}"
        );
        assert_eq!(lines[1], "quotes ' \" * $HOME", "{shell}");
        let summary = crate::probe::ssh::ping::parse(&reply.output);
        match address.to_string().rsplit('.').next() {
            Some("13") => {
                assert_eq!(reply.exit_status, 2);
                assert_eq!(lines[2], "ping: sendmsg: Operation not permitted");
                assert_eq!(summary, None);
            }
            Some("14") => {
                assert_eq!((reply.exit_status, lines.len()), (1, 2));
                assert_eq!(summary, None);
            }
            _ => {
                assert_eq!(reply.exit_status, 0, "{shell}: {reply:?}");
                let summary = summary.unwrap();
                assert_eq!((summary.transmitted, summary.received), (2, 1));
            }
        }
    }
}

#[test]
fn ssh_batch_script_with_the_real_ping_on_loopback() {
    const TEST: &str = "ssh_batch_script_with_the_real_ping_on_loopback";
    let ping_works = |address: &str| {
        Command::new("ping")
            .args(["-n", "-c", "1", "-W", "1", address])
            .output()
            .is_ok_and(|output| output.status.success())
    };
    if !ping_works("127.0.0.1") {
        missing_prerequisite(TEST, "the system ping cannot ping 127.0.0.1 here");
        return;
    }
    let mut addresses = vec![loopback("127.0.0.1"), loopback("127.0.0.2")];
    if ping_works("::1") {
        addresses.push(loopback("::1"));
    }
    let stdout = run_locally("sh", &command(&addresses, &echo(2, 1000), 128), None);
    for (address, reply) in addresses.iter().zip(parse(&stdout, &addresses)) {
        let reply = reply.unwrap_or_else(|| panic!("no line for {address} in {stdout}"));
        assert_eq!(reply.exit_status, 0, "{reply:?}");
        let summary = crate::probe::ssh::ping::parse(&reply.output).unwrap();
        assert_eq!((summary.transmitted, summary.received), (2, 2), "{reply:?}");
        assert!(summary.rtt_ms.is_some(), "{reply:?}");
    }
}
