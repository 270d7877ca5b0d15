//! One row per target from whatever the remote command gave: every pair gets a row, and a
//! missing one says why.

use std::time::Duration;

use super::*;

fn echo() -> Echo {
    Echo {
        count: 2,
        timeout: Duration::from_secs(1),
    }
}

const DEADLINE: Duration = Duration::from_secs(13);

fn names() -> [String; 3] {
    ["h2".to_string(), "h3".to_string(), "h4".to_string()]
}

fn pairs(names: &[String; 3]) -> Vec<(&String, IpAddr)> {
    let addresses = ["10.0.0.2", "10.0.0.3", "fd00::4"];
    names
        .iter()
        .zip(addresses)
        .map(|(name, address)| (name, address.parse().unwrap()))
        .collect()
}

fn output(stdout: &str, stderr: &str, exit_status: Option<u32>, timed_out: bool) -> Outcome {
    Ok(CommandOutput {
        stdout: stdout.to_string(),
        stderr: stderr.to_string(),
        exit_status,
        timed_out,
    })
}

const ANSWERED: &str = "peering-probe 0 10.0.0.2 0 PING 10.0.0.2 (10.0.0.2) 56(84) bytes of \
    data.||--- 10.0.0.2 ping statistics ---|2 packets transmitted, 2 received, 0% packet \
    loss, time 1001ms|rtt min/avg/max/mdev = 0.040/0.084/0.129/0.044 ms\n";

#[test]
fn ssh_rows_one_per_target_whatever_came_back() {
    let names = names();
    let pairs = pairs(&names);
    let stdout = format!(
        "{ANSWERED}peering-probe 1 10.0.0.3 1 PING 10.0.0.3 (10.0.0.3) 56(84) bytes of \
         data.||--- 10.0.0.3 ping statistics ---|2 packets transmitted, 0 received, 100% \
         packet loss, time 1001ms\n"
    );
    let rows = rows(
        "h1",
        &pairs,
        &echo(),
        output(&stdout, "", Some(0), false),
        DEADLINE,
    );
    assert_eq!(rows.len(), 3);
    let answered = &rows[0];
    assert_eq!(answered.cause, None);
    assert_eq!(
        (answered.result.from.as_str(), answered.result.to.as_str()),
        ("h1", "h2")
    );
    assert_eq!((answered.result.sent, answered.result.received), (2, 2));
    assert_eq!(answered.result.rtt_avg_ms, Some(0.084));
    let lost = &rows[1];
    assert_eq!(lost.cause, None);
    assert_eq!((lost.result.sent, lost.result.received), (2, 0));
    assert!(!lost.result.reachable);
    // No line for fd00::4, although the command ended normally.
    let missing = &rows[2];
    assert_eq!((missing.result.to.as_str(), missing.result.sent), ("h4", 0));
    assert_eq!(
        missing.cause.as_deref(),
        Some(
            "no result from `ping6 -q -n -c 2 -W 1 fd00::4` (`ping -6` where there is no \
             ping6) on h1: the probe command (sh and one ping per target) ended with exit status 0 without a line for this target: it \
             printed nothing on stderr"
        )
    );
}

#[test]
fn ssh_rows_stopped_command_keeps_what_it_printed() {
    let names = names();
    let pairs = pairs(&names);
    let rows = rows(
        "h1",
        &pairs,
        &echo(),
        output(ANSWERED, "", None, true),
        DEADLINE,
    );
    assert_eq!(rows[0].cause, None);
    assert!(rows[0].result.reachable);
    for row in &rows[1..] {
        let cause = row.cause.as_deref().unwrap();
        assert!(
            cause.ends_with("on h1: the probe command did not finish within 13 s and was stopped"),
            "{cause}"
        );
        assert!(!row.result.reachable && row.result.sent == 0);
    }
}

#[test]
fn ssh_rows_failures_name_the_ping_and_what_was_said() {
    let names = names();
    let pairs = pairs(&names);
    let stdout = "peering-probe 0 10.0.0.2 2 ping: connect: Network is unreachable\n";
    let rows = rows(
        "h1",
        &pairs,
        &echo(),
        output(stdout, "\nsh: 1: cannot fork\n", None, false),
        DEADLINE,
    );
    assert_eq!(
        rows[0].cause.as_deref(),
        Some(
            "`ping -q -n -c 2 -W 1 10.0.0.2` on h1 printed no statistics (exit status 2): \
             ping: connect: Network is unreachable"
        )
    );
    assert!(
        rows[1].cause.as_deref().unwrap().ends_with(
            "ended without an exit status without a line for this target: sh: 1: cannot fork"
        ),
        "{:?}",
        rows[1].cause
    );

    // The command could not run at all: every row says so.
    let rows = rows_of_error(&pairs);
    assert_eq!(rows.len(), 3);
    for row in rows {
        let cause = row.cause.unwrap();
        let expected = format!(
            "running the probe command (one `ping` per target) on h1 failed: {}",
            russh::Error::RequestDenied
        );
        assert_eq!(cause, expected);
        assert_eq!(row.result.sent, 0);
    }
}

fn rows_of_error(pairs: &[(&String, IpAddr)]) -> Vec<SshProbeResult> {
    rows(
        "h1",
        pairs,
        &echo(),
        Err(russh::Error::RequestDenied),
        DEADLINE,
    )
}
