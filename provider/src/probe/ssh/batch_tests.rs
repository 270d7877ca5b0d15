//! The batch command (only addresses and fixed text, one shell quoting level) and its parser
//! (the script run by real shells: `batch_shell_tests.rs`).

use std::net::IpAddr;
use std::time::Duration;

use super::*;

pub(super) fn echo(count: u32, timeout_ms: u64) -> Echo {
    Echo {
        count,
        timeout: Duration::from_millis(timeout_ms),
    }
}

pub(super) fn ip(text: &str) -> IpAddr {
    text.parse().unwrap()
}

/// The script between `sh -c '` and the closing `'`, after checking it is quoted once.
pub(super) fn script_of(command: &str) -> &str {
    let script = command
        .strip_prefix("sh -c '")
        .and_then(|rest| rest.strip_suffix('\''))
        .unwrap_or_else(|| panic!("not sh -c '...': {command}"));
    assert!(
        !script.contains('\''),
        "a quote inside the script: {script}"
    );
    assert!(
        !script.contains('\n'),
        "a line break inside the script: {script}"
    );
    script
}

/// The per-address part of the script: after the function definition.
fn calls_of(command: &str) -> &str {
    let script = script_of(command);
    let (_, calls) = script.split_once("; };").expect("the function definition");
    calls
}

#[test]
fn ssh_batch_command_line() {
    let addresses = [ip("10.2.1.29"), ip("fd00::29")];
    let command = command(&addresses, &echo(2, 1000), 128);
    assert_eq!(
        command,
        "sh -c 'nl=$(printf \"\\n_\"); nl=${nl%_}; probe() { i=$1; a=$2; shift 2; \
         o=$(LC_ALL=C \"$@\" -q -n -c 2 -W 1 \"$a\" 2>&1); s=$?; set -f; IFS=$nl; \
         set -- $o; IFS=\"|\"; printf \"peering-probe %s %s %s %s\\n\" \"$i\" \"$a\" \"$s\" \
         \"$*\"; }; p6=\"ping -6\"; command -v ping6 >/dev/null 2>&1 && p6=ping6; \
         probe 0 10.2.1.29 ping & probe 1 fd00::29 $p6 & wait;'"
    );
    assert_eq!(
        calls_of(&command),
        " p6=\"ping -6\"; command -v ping6 >/dev/null 2>&1 && p6=ping6; \
         probe 0 10.2.1.29 ping & probe 1 fd00::29 $p6 & wait;"
    );
    // Without an IPv6 target, no ping6 is looked for.
    let v4 = super::command(&addresses[..1], &echo(2, 1000), 128);
    assert!(!v4.contains("p6"), "{v4}");
    assert!(v4.ends_with("; }; probe 0 10.2.1.29 ping & wait;'"), "{v4}");
    // Below a second still waits a whole second: BusyBox takes whole seconds only.
    let short = super::command(&addresses[..1], &echo(3, 1), 128);
    assert!(short.contains("\"$@\" -q -n -c 3 -W 1 "), "{short}");
    let long = super::command(&addresses[..1], &echo(1, 1500), 128);
    assert!(long.contains("\"$@\" -q -n -c 1 -W 2 "), "{long}");
    assert_eq!(
        ping_shown(addresses[0], &echo(2, 1000)),
        "`ping -q -n -c 2 -W 1 10.2.1.29`"
    );
    assert_eq!(
        ping_shown(addresses[1], &echo(2, 1000)),
        "`ping6 -q -n -c 2 -W 1 fd00::29` (`ping -6` where there is no ping6)"
    );
}

#[test]
fn ssh_batch_command_holds_only_addresses_in_waves() {
    let addresses: Vec<IpAddr> = (0..5)
        .map(|n| ip(&format!("10.9.0.{n}")))
        .chain([ip("2001:db8::ffff:1.2.3.4"), ip("::")])
        .collect();
    let command = command(&addresses, &echo(1, 1000), 3);
    let calls = calls_of(&command);
    let (pick, calls) = calls.split_once("p6=ping6;").expect("ping6 picked first");
    assert_eq!(
        pick,
        format!(" {}", super::PICK_PING6.trim_end_matches("p6=ping6;"))
    );
    assert_eq!(
        calls,
        " probe 0 10.9.0.0 ping & probe 1 10.9.0.1 ping & probe 2 10.9.0.2 ping & wait; \
         probe 3 10.9.0.3 ping & probe 4 10.9.0.4 ping & probe 5 2001:db8::ffff:102:304 $p6 & \
         wait; probe 6 :: $p6 & wait;"
    );
    // Whatever the addresses, every word after the definition is one of ours or an
    // address's text, which has no character a shell treats specially.
    for word in calls.split_whitespace() {
        let ours =
            ["probe", "&", "wait;", "ping", "$p6"].contains(&word) || word.parse::<usize>().is_ok();
        assert!(ours || word.parse::<IpAddr>().is_ok(), "{word} in {calls}");
        assert!(
            word.chars()
                .all(|c| c.is_ascii_alphanumeric() || ".:&;-$".contains(c)),
            "{word}"
        );
    }
    // The same text for the same addresses: nothing else goes in.
    assert_eq!(command, super::command(&addresses, &echo(1, 1000), 3));
    // A bound of 0 is one at a time, not a division by zero.
    assert!(super::command(&addresses[..2], &echo(1, 1000), 0)
        .ends_with(" probe 0 10.9.0.0 ping & wait; probe 1 10.9.0.1 ping & wait;'"));
}

#[test]
fn ssh_batch_deadline_counts_waves() {
    // One wave: 2 requests 1 s apart, 1 s wait for the last, 10 s slack.
    assert_eq!(deadline(49, &echo(2, 1000), 128), Duration::from_secs(13));
    assert_eq!(deadline(0, &echo(2, 1000), 128), Duration::from_secs(13));
    assert_eq!(deadline(129, &echo(2, 1000), 128), Duration::from_secs(16));
    assert_eq!(deadline(3, &echo(1, 2500), 1), Duration::from_secs(22));
}

const SUMMARY: &str = "PING 10.0.0.2 (10.0.0.2) 56(84) bytes of data.||--- 10.0.0.2 ping \
    statistics ---|2 packets transmitted, 2 received, 0% packet loss, time 1001ms|rtt \
    min/avg/max/mdev = 0.040/0.084/0.129/0.044 ms";

#[test]
fn ssh_batch_parse_lines_in_any_order_among_noise() {
    let addresses = [ip("10.0.0.2"), ip("10.0.0.3"), ip("fd00::4")];
    let stdout = format!(
        "Welcome to the bastion\n\
         peering-probe 2 fd00::4 2 ping: connect: Network is unreachable\n\
         peering-probe 0 10.0.0.2 0 {SUMMARY}\n\
         peering-probe 1 10.0.0.3 1 \n"
    );
    let replies = parse(&stdout, &addresses);
    let first = replies[0].as_ref().unwrap();
    assert_eq!(first.exit_status, 0);
    assert_eq!(
        first.output.lines().collect::<Vec<_>>(),
        [
            "PING 10.0.0.2 (10.0.0.2) 56(84) bytes of data.",
            "--- 10.0.0.2 ping statistics ---",
            "2 packets transmitted, 2 received, 0% packet loss, time 1001ms",
            "rtt min/avg/max/mdev = 0.040/0.084/0.129/0.044 ms",
        ]
    );
    let summary = crate::probe::ssh::ping::parse(&first.output).unwrap();
    assert_eq!((summary.transmitted, summary.received), (2, 2));
    assert_eq!(
        replies[1],
        Some(Reply {
            exit_status: 1,
            output: String::new()
        })
    );
    assert_eq!(
        replies[2],
        Some(Reply {
            exit_status: 2,
            output: "ping: connect: Network is unreachable".to_string()
        })
    );
}

#[test]
fn ssh_batch_parse_missing_cut_and_foreign_lines_are_none() {
    let addresses = [
        ip("10.0.0.2"),
        ip("10.0.0.3"),
        ip("10.0.0.4"),
        ip("10.0.0.5"),
    ];
    let stdout = format!(
        "peering-probe 1 10.0.0.9 0 {SUMMARY}\n\
         peering-probe 2 10.0.0.4\n\
         peering-probe 3 10.0.0.5 x {SUMMARY}\n\
         peering-probe 7 10.0.0.5 0 {SUMMARY}\n\
         peering-probe -1 10.0.0.2 0 {SUMMARY}\n\
         peering-probe  0 10.0.0.2 0 {SUMMARY}\n\
         peering-probes 0 10.0.0.2 0 {SUMMARY}\n\
         x peering-probe 0 10.0.0.2 0 {SUMMARY}\n\
         peering-probe 0 10.0.0.2 0 {SUMMARY}\n\
         peering-probe 0 10.0.0.2 1 second line for the same index\n\
         peering-probe 3 10.0.0.5 0 2 packets transmitted, 2 rec"
    );
    let replies = parse(&stdout, &addresses);
    // Index 0: the first good line wins. 1: wrong address. 2: cut before the status.
    // 3: a status that is not a number, then a line cut inside the summary (kept: the
    // summary parser decides that it has no statistics).
    assert_eq!(replies[0].as_ref().unwrap().exit_status, 0);
    assert!(replies[0].as_ref().unwrap().output.starts_with("PING"));
    assert_eq!(replies[1], None);
    assert_eq!(replies[2], None);
    let cut = replies[3].as_ref().unwrap();
    assert_eq!(crate::probe::ssh::ping::parse(&cut.output), None);
    assert_eq!(parse("", &addresses), vec![None; 4]);
    assert_eq!(parse(&stdout, &[]), Vec::<Option<Reply>>::new());
}
