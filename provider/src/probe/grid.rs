//! The matrix at a glance: sources as rows, targets as columns, the mean RTT of each pair
//! or a mark when it failed. It heads the `report` attribute.

use std::collections::{BTreeMap, BTreeSet};

use super::PairResult;

/// A pair that got no reply.
pub const NO_REPLY: &str = "✗";
/// A pair that could not be probed (nothing sent: the source was unreachable).
pub const NOT_PROBED: &str = "?";
/// A pair not in the results (a host and itself).
const NONE: &str = "-";

/// Renders `results` as a grid, e.g.
///
/// ```text
/// from \ to    development  production
/// development            -       0.081
/// production         0.079           -
/// RTT: mean ms; ✗ no reply; ? not probed; - not a pair
/// ```
pub fn render_grid(results: &[PairResult]) -> String {
    let sources: BTreeSet<&str> = results.iter().map(|r| r.from.as_str()).collect();
    let targets: BTreeSet<&str> = results.iter().map(|r| r.to.as_str()).collect();
    let cells: BTreeMap<(&str, &str), String> = results
        .iter()
        .map(|r| ((r.from.as_str(), r.to.as_str()), cell(r)))
        .collect();
    let corner = "from \\ to";
    let first = sources.iter().map(|s| s.chars().count()).max().unwrap_or(0);
    let first = first.max(corner.chars().count());
    let mut grid = pad_right(corner, first);
    let widths: Vec<usize> = targets
        .iter()
        .map(|t| {
            let widest = cells.iter().filter(|((_, to), _)| to == t);
            let widest = widest.map(|(_, c)| c.chars().count()).max().unwrap_or(0);
            widest.max(t.chars().count())
        })
        .collect();
    for (target, width) in targets.iter().zip(&widths) {
        grid.push_str("  ");
        grid.push_str(&pad_left(target, *width));
    }
    grid.push('\n');
    for source in &sources {
        grid.push_str(&pad_right(source, first));
        for (target, width) in targets.iter().zip(&widths) {
            let text = cells.get(&(*source, *target)).map_or(NONE, String::as_str);
            grid.push_str("  ");
            grid.push_str(&pad_left(text, *width));
        }
        grid.push('\n');
    }
    grid.push_str(&format!(
        "RTT: mean ms; {NO_REPLY} no reply; {NOT_PROBED} not probed; {NONE} not a pair\n"
    ));
    grid
}

fn cell(r: &PairResult) -> String {
    match r.rtt_avg_ms {
        Some(ms) if r.reachable => format!("{ms:.3}"),
        _ if r.sent == 0 => NOT_PROBED.to_string(),
        _ => NO_REPLY.to_string(),
    }
}

fn pad_right(text: &str, width: usize) -> String {
    let fill = width.saturating_sub(text.chars().count());
    format!("{text}{}", " ".repeat(fill))
}

fn pad_left(text: &str, width: usize) -> String {
    let fill = width.saturating_sub(text.chars().count());
    format!("{}{text}", " ".repeat(fill))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(from: &str, to: &str, sent: u32, rtt: Option<f64>) -> PairResult {
        PairResult {
            from: from.into(),
            to: to.into(),
            address: "10.1.2.249".parse().unwrap(),
            sent,
            received: u32::from(rtt.is_some()),
            loss_percent: if rtt.is_some() { 0.0 } else { 100.0 },
            rtt_min_ms: rtt,
            rtt_avg_ms: rtt,
            rtt_max_ms: rtt,
            reachable: rtt.is_some(),
        }
    }

    #[test]
    fn grid_golden() {
        let results = [
            pair("development", "production", 2, Some(0.0812)),
            pair("development", "shared", 2, None),
            pair("production", "development", 2, Some(12.5)),
            pair("production", "shared", 0, None),
        ];
        let expected = "\
from \\ to    development  production  shared
development            -       0.081       ✗
production        12.500           -       ?
RTT: mean ms; ✗ no reply; ? not probed; - not a pair
";
        assert_eq!(render_grid(&results), expected);
    }

    #[test]
    fn local_source_is_one_row() {
        let grid = render_grid(&[pair("local", "a", 1, Some(1.0))]);
        assert_eq!(grid.lines().nth(1), Some("local      1.000"));
    }
}
