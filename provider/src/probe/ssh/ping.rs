//! Reading the summary of the system `ping` (iputils and BusyBox formats) run on a remote
//! host into a [`PairResult`]; [`super::batch`] runs it.

use std::net::IpAddr;

use crate::probe::PairResult;

/// What ping's summary says.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PingSummary {
    pub(crate) transmitted: u32,
    pub(crate) received: u32,
    /// min, avg, max in milliseconds; absent when nothing was received.
    pub(crate) rtt_ms: Option<(f64, f64, f64)>,
}

impl PingSummary {
    /// The matrix row for this summary. Loss is computed from the counts (not ping's rounded
    /// percentage), as the local prober does.
    pub(crate) fn into_result(self, from: &str, to: &str, address: IpAddr) -> PairResult {
        let received = self.received.min(self.transmitted);
        let loss_percent = if self.transmitted == 0 {
            100.0
        } else {
            f64::from(self.transmitted - received) * 100.0 / f64::from(self.transmitted)
        };
        let rtt = self.rtt_ms.filter(|_| received > 0);
        PairResult {
            from: from.to_string(),
            to: to.to_string(),
            address,
            sent: self.transmitted,
            received,
            loss_percent,
            rtt_min_ms: rtt.map(|(min, _, _)| min),
            rtt_avg_ms: rtt.map(|(_, avg, _)| avg),
            rtt_max_ms: rtt.map(|(_, _, max)| max),
            reachable: received > 0,
        }
    }
}

/// Reads the statistics of ping's output, or `None` when it has none (ping could not run,
/// or failed before sending, e.g. `connect: Network is unreachable`).
///
/// iputils: `2 packets transmitted, 1 received, +1 errors, 50% packet loss, time 1001ms` and
/// `rtt min/avg/max/mdev = 0.040/0.084/0.129/0.044 ms`; BusyBox:
/// `2 packets transmitted, 2 packets received, 0% packet loss` and
/// `round-trip min/avg/max = 0.075/0.082/0.089 ms`.
pub(crate) fn parse(output: &str) -> Option<PingSummary> {
    let mut counts = None;
    let mut rtt_ms = None;
    for line in output.lines() {
        if line.contains("packets transmitted") {
            counts = parse_counts(line);
        } else if line.contains("min/avg/max") {
            rtt_ms = parse_rtt(line);
        }
    }
    let (transmitted, received) = counts?;
    Some(PingSummary {
        transmitted,
        received,
        rtt_ms: rtt_ms.filter(|_| received > 0),
    })
}

fn parse_counts(line: &str) -> Option<(u32, u32)> {
    let mut transmitted = None;
    let mut received = None;
    for field in line.split(',').map(str::trim) {
        let number = || field.split_whitespace().next()?.parse::<u32>().ok();
        if field.ends_with("transmitted") {
            transmitted = number();
        } else if field.ends_with("received") {
            received = number();
        }
    }
    Some((transmitted?, received?))
}

/// `... = MIN/AVG/MAX[/MDEV] UNIT`; iputils and BusyBox always print milliseconds.
fn parse_rtt(line: &str) -> Option<(f64, f64, f64)> {
    let (_, values) = line.split_once('=')?;
    let mut values = values.split_whitespace();
    let numbers: Vec<f64> = values
        .next()?
        .split('/')
        .map(|value| value.parse::<f64>().ok().filter(|v| v.is_finite()))
        .collect::<Option<_>>()?;
    let unit = values.next().unwrap_or("ms");
    let scale = match unit {
        "ms" => 1.0,
        "us" | "µs" => 0.001,
        "s" => 1000.0,
        _ => return None,
    };
    match numbers[..] {
        [min, avg, max, ..] => Some((min * scale, avg * scale, max * scale)),
        _ => None,
    }
}

#[cfg(test)]
#[path = "ping_tests.rs"]
mod tests;
