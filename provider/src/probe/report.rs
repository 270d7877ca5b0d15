//! The human-readable `report` attribute: an aligned table of pair results and a summary line.

use super::PairResult;

const HEADERS: [&str; 10] = [
    "from", "to", "address", "sent", "recv", "loss", "min ms", "avg ms", "max ms", "status",
];
/// Columns holding numbers are right-aligned so digits line up.
const RIGHT_ALIGNED: [bool; 10] = [
    false, false, false, true, true, true, true, true, true, false,
];

/// Renders `results` as a table sorted by `from`, then `to`, followed by a summary line, e.g.
///
/// ```text
/// from   to           address    sent  recv    loss  min ms  avg ms  max ms  status
/// local  development  10.2.1.29     2     2    0.0%   0.041   0.052   0.063  reachable
/// local  shared       10.4.1.22     2     0  100.0%       -       -       -  UNREACHABLE
/// 1 of 2 pairs unreachable: local->shared
/// ```
pub fn render_report(results: &[PairResult]) -> String {
    let mut sorted: Vec<&PairResult> = results.iter().collect();
    sorted.sort_by(|a, b| (&a.from, &a.to).cmp(&(&b.from, &b.to)));

    let rows: Vec<[String; 10]> = sorted.iter().map(|result| row(result)).collect();
    let mut widths = HEADERS.map(str::len);
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.len());
        }
    }
    let mut report = String::new();
    push_line(&mut report, &HEADERS.map(String::from), &widths);
    for row in &rows {
        push_line(&mut report, row, &widths);
    }
    report.push_str(&summary(&sorted));
    report.push('\n');
    report
}

fn row(result: &PairResult) -> [String; 10] {
    let ms = |value: Option<f64>| value.map_or_else(|| "-".to_string(), |v| format!("{v:.3}"));
    [
        result.from.clone(),
        result.to.clone(),
        result.address.to_string(),
        result.sent.to_string(),
        result.received.to_string(),
        format!("{:.1}%", result.loss_percent),
        ms(result.rtt_min_ms),
        ms(result.rtt_avg_ms),
        ms(result.rtt_max_ms),
        if result.reachable {
            "reachable"
        } else {
            "UNREACHABLE"
        }
        .to_string(),
    ]
}

fn push_line(report: &mut String, cells: &[String; 10], widths: &[usize; 10]) {
    let padded: Vec<String> = cells
        .iter()
        .zip(widths)
        .zip(RIGHT_ALIGNED)
        .map(|((cell, &width), right)| {
            if right {
                format!("{cell:>width$}")
            } else {
                format!("{cell:<width$}")
            }
        })
        .collect();
    report.push_str(padded.join("  ").trim_end());
    report.push('\n');
}

fn summary(sorted: &[&PairResult]) -> String {
    let unreachable: Vec<String> = sorted
        .iter()
        .filter(|result| !result.reachable)
        .map(|result| format!("{}->{}", result.from, result.to))
        .collect();
    match (sorted.len(), unreachable.len()) {
        (0, _) => "no hosts probed".to_string(),
        (1, 0) => "the only pair is reachable".to_string(),
        (total, 0) => format!("all {total} pairs reachable"),
        (total, failed) => format!(
            "{failed} of {total} pairs unreachable: {}",
            unreachable.join(", ")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(to: &str, address: &str, received: u32, rtts_ms: [f64; 3]) -> PairResult {
        let reachable = received > 0;
        let rtt = |i: usize| reachable.then_some(rtts_ms[i]);
        PairResult {
            from: "local".into(),
            to: to.into(),
            address: address.parse().unwrap(),
            sent: 2,
            received,
            loss_percent: f64::from(2 - received) * 50.0,
            rtt_min_ms: rtt(0),
            rtt_avg_ms: rtt(1),
            rtt_max_ms: rtt(2),
            reachable,
        }
    }

    #[test]
    fn probe_report_golden() {
        let results = [
            result("testing", "10.3.1.129", 1, [12.5, 12.5, 12.5]),
            result("shared", "10.4.1.22", 0, [0.0; 3]),
            result("development", "fd00::29", 2, [0.0412, 0.05249, 0.0638]),
            result("production", "10.1.2.249", 2, [1.0, 101.25, 201.5]),
        ];
        let expected = "\
from   to           address     sent  recv    loss  min ms   avg ms   max ms  status
local  development  fd00::29       2     2    0.0%   0.041    0.052    0.064  reachable
local  production   10.1.2.249     2     2    0.0%   1.000  101.250  201.500  reachable
local  shared       10.4.1.22      2     0  100.0%       -        -        -  UNREACHABLE
local  testing      10.3.1.129     2     1   50.0%  12.500   12.500   12.500  reachable
1 of 4 pairs unreachable: local->shared
";
        assert_eq!(render_report(&results), expected);
    }

    #[test]
    fn probe_report_summaries() {
        let reachable = result("a", "127.0.0.1", 2, [1.0; 3]);
        let unreachable = result("b", "127.0.0.2", 0, [0.0; 3]);
        let last_line =
            |results: &[PairResult]| render_report(results).lines().last().unwrap().to_string();
        assert_eq!(last_line(&[]), "no hosts probed");
        assert_eq!(
            last_line(std::slice::from_ref(&reachable)),
            "the only pair is reachable"
        );
        assert_eq!(
            last_line(&[reachable.clone(), reachable.clone()]),
            "all 2 pairs reachable"
        );
        assert_eq!(
            last_line(&[unreachable.clone(), reachable, unreachable]),
            "2 of 3 pairs unreachable: local->b, local->b"
        );
    }
}
