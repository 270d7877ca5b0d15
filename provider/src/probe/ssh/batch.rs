//! All of one source's probes in one remote command: a POSIX `sh` script that starts one
//! system `ping` per target address in the background, prints one line per address with
//! ping's exit status and summary, and waits for them all.
//!
//! One command instead of one per target: OpenSSH allows 10 sessions per connection
//! (`MaxSessions`), so one command per target ran a source's probes in waves of 10, each a
//! whole ping run long; one command runs them all at once over a single session.
//!
//! The command line holds nothing but this module's fixed text, numbers and the targets'
//! [`IpAddr`]s (whose text is digits, `.`, `:` and hex letters): never a host name or other
//! text from the configuration, so nothing needs shell quoting but the script as a whole.

use std::net::IpAddr;
use std::time::Duration;

use crate::probe::Echo;

/// Starts every result line; anything else the remote side prints (a login banner from a
/// shell profile, a warning) is ignored.
const MARKER: &str = "peering-probe";

/// Stands for the line breaks of one ping's output inside its result line (ping never
/// prints it; if it did, the summary parser would only see one more line).
const JOINED_LINE_BREAK: char = '|';

/// ping's options for `echo`: `-q` keeps the output to its summary, so a result line stays
/// short (one `write`, which a pipe keeps whole, far below the shells' output buffers);
/// `-W` waits `echo.timeout` rounded up to whole seconds (BusyBox takes whole seconds only).
fn ping_options(echo: &Echo) -> String {
    format!("-q -n -c {} -W {}", echo.count.max(1), wait_seconds(echo))
}

fn wait_seconds(echo: &Echo) -> u64 {
    echo.timeout.as_millis().div_ceil(1000).max(1) as u64
}

/// The program an IPv6 address is pinged with: `ping6` where the remote host has it (older
/// iputils, as on Amazon Linux 2, has a `ping` that knows no `-6`; newer iputils and BusyBox
/// install `ping6` as `ping -6`), else `ping -6`. Chosen once per command, in the script.
const PICK_PING6: &str = "p6=\"ping -6\"; command -v ping6 >/dev/null 2>&1 && p6=ping6;";

/// The ping one address gets, quoted as a row's `cause` shows it.
pub(crate) fn ping_shown(address: IpAddr, echo: &Echo) -> String {
    let options = ping_options(echo);
    if address.is_ipv6() {
        format!("`ping6 {options} {address}` (`ping -6` where there is no ping6)")
    } else {
        format!("`ping {options} {address}`")
    }
}

/// The remote command probing `addresses` with at most `at_once` pings running at a time
/// (a `wait` after every `at_once` of them).
///
/// The script is one line (a csh or fish login shell rejects line breaks inside quotes)
/// without `'`, wrapped in `sh -c '...'` so it runs in a POSIX shell whatever the user's
/// login shell. Per address, in a background subshell: the address's ping program (`ping`,
/// or for IPv6 the one [`PICK_PING6`] chose) with `LC_ALL=C` (parseable output in any
/// locale), its stdout and stderr captured, then one `printf` of
/// `peering-probe INDEX ADDRESS STATUS OUTPUT` with the output's lines joined by `|`.
pub(crate) fn command(addresses: &[IpAddr], echo: &Echo, at_once: usize) -> String {
    let options = ping_options(echo);
    // `nl` is a line break made without writing one (see above); `set -f` stops globbing
    // of ping's output, which is split into lines and joined again by `$*`. The program
    // comes after the index and the address (`$@`): `$p6` may be two words.
    let mut script = format!(
        "nl=$(printf \"\\n_\"); nl=${{nl%_}}; \
         probe() {{ i=$1; a=$2; shift 2; \
         o=$(LC_ALL=C \"$@\" {options} \"$a\" 2>&1); s=$?; \
         set -f; IFS=$nl; set -- $o; IFS=\"{JOINED_LINE_BREAK}\"; \
         printf \"{MARKER} %s %s %s %s\\n\" \"$i\" \"$a\" \"$s\" \"$*\"; }};"
    );
    if addresses.iter().any(IpAddr::is_ipv6) {
        script.push(' ');
        script.push_str(PICK_PING6);
    }
    for (index, address) in addresses.iter().enumerate() {
        let program = if address.is_ipv6() { "$p6" } else { "ping" };
        script.push_str(&format!(" probe {index} {address} {program} &"));
        if (index + 1) % at_once.max(1) == 0 || index + 1 == addresses.len() {
            script.push_str(" wait;");
        }
    }
    format!("sh -c '{script}'")
}

/// How long the command may take before it is abandoned: per wave, one second between
/// requests (ping's default interval) and the wait for the last reply; then slack for
/// address resolution on the link (ARP gives up after about 3 s) and for starting the
/// shell and the pings.
pub(crate) fn deadline(targets: usize, echo: &Echo, at_once: usize) -> Duration {
    let waves = targets.div_ceil(at_once.max(1)).max(1) as u64;
    let wave = u64::from(echo.count.max(1)) + wait_seconds(echo);
    Duration::from_secs(waves * wave + 10)
}

/// One address's line: ping's exit status and its output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Reply {
    pub(crate) exit_status: u32,
    /// ping's stdout and stderr, blank lines dropped.
    pub(crate) output: String,
}

/// The reply for each of `addresses` (same order) found in `stdout`; `None` where none was
/// printed (the command was stopped, or ended early). A line that does not name an
/// index and the address at that index, or whose status is not a number, is ignored (it is
/// not ours, or it was cut); the first good line of an index counts.
pub(crate) fn parse(stdout: &str, addresses: &[IpAddr]) -> Vec<Option<Reply>> {
    let mut replies = vec![None; addresses.len()];
    for line in stdout.lines() {
        let Some((index, reply)) = parse_line(line, addresses) else {
            continue;
        };
        replies[index].get_or_insert(reply);
    }
    replies
}

fn parse_line(line: &str, addresses: &[IpAddr]) -> Option<(usize, Reply)> {
    let rest = line.strip_prefix(MARKER)?.strip_prefix(' ')?;
    let mut fields = rest.splitn(4, ' ');
    let index: usize = fields.next()?.parse().ok()?;
    let address: IpAddr = fields.next()?.parse().ok()?;
    let exit_status: u32 = fields.next()?.parse().ok()?;
    let output = fields.next().unwrap_or_default();
    if addresses.get(index) != Some(&address) {
        return None;
    }
    let output = output
        .split(JOINED_LINE_BREAK)
        .map(str::trim_end)
        .filter(|line| !line.is_empty())
        .collect::<Vec<_>>()
        .join("\n");
    Some((
        index,
        Reply {
            exit_status,
            output,
        },
    ))
}

#[cfg(test)]
#[path = "batch_shell_tests.rs"]
mod shell_tests;
#[cfg(test)]
#[path = "batch_tests.rs"]
mod tests;
