//! The `mermaid` attribute: the probed matrix as a Mermaid flowchart. One subgraph per
//! VPC holds its hosts; every probed pair is one edge. The line shows what was observed
//! (solid with the mean RTT when replies came, dashed and marked `x` when none did), the
//! colour what was judged (red for a failing result, whatever its shape).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

use crate::probe::LOCAL_SOURCE;

/// One probed pair as drawn.
#[derive(Debug, Clone, Copy)]
pub struct Edge<'a> {
    pub from: &'a str,
    pub to: &'a str,
    pub rtt_avg_ms: Option<f64>,
    pub reachable: bool,
    pub failed: bool,
}

/// Node id of the machine running Terraform; host ids all start with `h_`.
const RUNNER_ID: &str = "runner";

/// Renders `hosts` (placed by `host_vpcs`) and `edges`, in sorted and given order.
pub fn render(
    hosts: &BTreeSet<&str>,
    host_vpcs: &BTreeMap<String, String>,
    edges: &[Edge],
) -> String {
    let mut out = String::from("flowchart LR\n");
    if edges.iter().any(|e| e.from == LOCAL_SOURCE) {
        node(&mut out, "", RUNNER_ID, LOCAL_SOURCE);
    }
    let mut by_vpc: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    let mut outside = Vec::new();
    for &host in hosts {
        match host_vpcs.get(host) {
            Some(vpc) => by_vpc.entry(vpc.as_str()).or_default().push(host),
            None => outside.push(host),
        }
    }
    for (vpc, members) in by_vpc {
        let _ = writeln!(out, "    subgraph v_{}[\"{}\"]", id(vpc), label(vpc));
        for host in members {
            node(&mut out, "    ", &host_id(host), host);
        }
        out.push_str("    end\n");
    }
    for host in outside {
        node(&mut out, "", &host_id(host), host);
    }
    for edge in edges {
        let arrow = match (edge.reachable, edge.rtt_avg_ms) {
            (true, Some(ms)) => format!("-->|\"{ms:.3} ms\"|"),
            (true, None) => "-->".to_string(),
            (false, _) => "-.->|\"x\"|".to_string(),
        };
        let _ = writeln!(
            out,
            "    {} {arrow} {}",
            source_id(edge.from),
            host_id(edge.to)
        );
    }
    for (i, _) in edges.iter().enumerate().filter(|(_, e)| e.failed) {
        let _ = writeln!(out, "    linkStyle {i} stroke:red,stroke-width:2px");
    }
    out
}

fn node(out: &mut String, indent: &str, node_id: &str, name: &str) {
    let _ = writeln!(out, "    {indent}{node_id}[\"{}\"]", label(name));
}

fn source_id(from: &str) -> String {
    if from == LOCAL_SOURCE {
        RUNNER_ID.to_string()
    } else {
        host_id(from)
    }
}

fn host_id(name: &str) -> String {
    format!("h_{}", id(name))
}

/// ASCII letters and digits as they are, anything else as `_HEX_`: safe in a Mermaid id
/// and distinct for distinct names (`_` only ever starts or ends an escape).
fn id(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_string()
            } else {
                format!("_{:x}_", u32::from(c))
            }
        })
        .collect()
}

/// Text for inside `["..."]`: quotes, entity and markup characters as `#CODE;` entities.
fn label(name: &str) -> String {
    name.chars()
        .map(|c| {
            if matches!(c, '"' | '#' | '<' | '>' | '&') || c.is_control() {
                format!("#{};", u32::from(c))
            } else {
                c.to_string()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_safe_and_distinct() {
        assert_eq!(id("web-1"), "web_2d_1");
        assert_eq!(id("end"), "end");
        assert_ne!(id("a_2d_"), id("a-"));
        assert!(id("ä b\"")
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_'));
    }

    #[test]
    fn labels_escape_quotes_and_markup() {
        assert_eq!(label("a\"b<c>#"), "a#34;b#60;c#62;#35;");
    }
}
