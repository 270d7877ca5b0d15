//! A source's probes over its session: the one remote command of [`super::batch`], and its
//! output turned into one row per target, whatever came back.

use std::net::IpAddr;
use std::time::Duration;

use super::run::SshProber;
use super::session::{self, CommandOutput, Session};
use super::{batch, ping, SshProbeResult};
use crate::probe::Echo;

/// Output kept per target: a `ping -q` result line is about 250 bytes; the rest is room for
/// error text. Beyond the limit lines are dropped, and their targets get a cause.
const OUTPUT_PER_TARGET: usize = 4 * 1024;
const OUTPUT_BASE: usize = 64 * 1024;

/// How the remote command went: what it printed, or why it could not run.
pub(super) type Outcome = Result<CommandOutput, russh::Error>;

impl SshProber {
    /// Pings every target of `pairs` from `source` in one remote command.
    pub(super) async fn probe_all(
        &self,
        session: &Session,
        source: &str,
        pairs: &[(&String, IpAddr)],
        echo: &Echo,
    ) -> Vec<SshProbeResult> {
        let addresses: Vec<IpAddr> = pairs.iter().map(|&(_, address)| address).collect();
        let at_once = self.probes_per_source;
        let command = batch::command(&addresses, echo, at_once);
        let deadline = batch::deadline(addresses.len(), echo, at_once);
        let limit = OUTPUT_BASE + OUTPUT_PER_TARGET * addresses.len();
        let outcome = session::run_command(session, &command, limit, deadline).await;
        rows(source, pairs, echo, outcome, deadline)
    }
}

/// One row per pair from the command's `outcome`: the pair's summary, or why there is none.
pub(super) fn rows(
    source: &str,
    pairs: &[(&String, IpAddr)],
    echo: &Echo,
    outcome: Outcome,
    deadline: Duration,
) -> Vec<SshProbeResult> {
    let output = match outcome {
        Ok(output) => output,
        Err(error) => {
            let cause = format!(
                "running the probe command (one `ping` per target) on {source} failed: {error}"
            );
            return pairs
                .iter()
                .map(|&(target, address)| {
                    SshProbeResult::not_probed(source, target, address, cause.clone())
                })
                .collect();
        }
    };
    let addresses: Vec<IpAddr> = pairs.iter().map(|&(_, address)| address).collect();
    let replies = batch::parse(&output.stdout, &addresses);
    pairs
        .iter()
        .zip(replies)
        .map(|(&(target, address), reply)| {
            let ping = batch::ping_shown(address, echo);
            let not_probed = |cause| SshProbeResult::not_probed(source, target, address, cause);
            let Some(reply) = reply else {
                return not_probed(missing(&ping, source, &output, deadline));
            };
            match ping::parse(&reply.output) {
                Some(summary) => SshProbeResult {
                    result: summary.into_result(source, target, address),
                    cause: None,
                },
                None => not_probed(format!(
                    "{ping} on {source} printed no statistics (exit status {}): {}",
                    reply.exit_status,
                    reply.output.lines().next().unwrap_or("no output")
                )),
            }
        })
        .collect()
}

/// Why a target has no result line.
fn missing(ping: &str, source: &str, output: &CommandOutput, deadline: Duration) -> String {
    if output.timed_out {
        return format!(
            "no result from {ping} on {source}: the probe command did not finish within {} s \
             and was stopped",
            deadline.as_secs()
        );
    }
    let status = output.exit_status.map_or_else(
        || "without an exit status".to_string(),
        |code| format!("with exit status {code}"),
    );
    let said = output
        .stderr
        .lines()
        .map(str::trim)
        .find(|line| !line.is_empty())
        .unwrap_or("it printed nothing on stderr");
    format!(
        "no result from {ping} on {source}: the probe command (sh and one ping per target) \
         ended {status} without a line for this target: {said}"
    )
}

#[cfg(test)]
#[path = "probes_tests.rs"]
mod tests;
