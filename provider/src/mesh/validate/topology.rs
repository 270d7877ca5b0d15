//! The topology: building it from the `topology`, `hub` and `connections` attributes,
//! and checking that it names VPCs of the mesh.

use std::collections::BTreeMap;

use crate::mesh::model::{Mesh, Pair, Topology};
use crate::mesh::problem::{quote, quote_all, Path, Problems};

const KINDS: &str = "\"full_mesh\", \"hub_and_spoke\" or \"explicit\"";

/// The topology the configuration asks for, or every reason the attributes do not fit
/// together. `topology` null means `full_mesh`; `connections` are the lists as written,
/// each should hold two VPC names.
pub fn topology_from_config(
    topology: Option<&str>,
    hub: Option<&str>,
    connections: Option<&[Vec<String>]>,
) -> Result<Topology, Problems> {
    let kind = topology.unwrap_or("full_mesh");
    let mut problems = Problems::new();
    let unused = |attr: &str, problems: &mut Problems, needs: &str| {
        problems.push(
            Path::root(attr),
            format!("{attr} not used with topology {}", quote(kind)),
            format!(
                "{attr} is only used with topology = {needs}; remove it or set topology = {needs}.",
                needs = quote(needs)
            ),
        );
    };
    let result = match kind {
        "full_mesh" => {
            if hub.is_some() {
                unused("hub", &mut problems, "hub_and_spoke");
            }
            if connections.is_some() {
                unused("connections", &mut problems, "explicit");
            }
            Some(Topology::FullMesh)
        }
        "hub_and_spoke" => {
            if connections.is_some() {
                unused("connections", &mut problems, "explicit");
            }
            match hub {
                Some(hub) if !hub.is_empty() => Some(Topology::HubAndSpoke {
                    hub: hub.to_string(),
                }),
                _ => {
                    problems.push(
                        Path::root("hub"),
                        "Missing hub",
                        "topology \"hub_and_spoke\" needs hub: the name of the VPC every other VPC peers with, e.g. hub = \"shared\".",
                    );
                    None
                }
            }
        }
        "explicit" => {
            if hub.is_some() {
                unused("hub", &mut problems, "hub_and_spoke");
            }
            let pairs = explicit_pairs(connections.unwrap_or_default(), &mut problems);
            Some(Topology::Explicit { connections: pairs })
        }
        other => {
            problems.push(
                Path::root("topology"),
                "Invalid topology",
                format!("topology is {}; it must be {KINDS}.", quote(other)),
            );
            None
        }
    };
    match result {
        Some(topology) if problems.is_empty() => Ok(topology),
        _ => Err(problems),
    }
}

fn explicit_pairs(connections: &[Vec<String>], problems: &mut Problems) -> Vec<(String, String)> {
    let mut pairs = Vec::new();
    for (i, c) in connections.iter().enumerate() {
        match c.as_slice() {
            [a, b] => pairs.push((a.clone(), b.clone())),
            _ => problems.push(
                Path::root("connections").index(i),
                "Invalid connection",
                format!("connections[{i}] is [{}]; each connection is a list of two VPC names, e.g. [\"production\", \"shared\"].", quote_all(c, ", ")),
            ),
        }
    }
    pairs
}

/// The topology refers to VPCs of the mesh, and explicit connections are distinct pairs.
pub(super) fn check(mesh: &Mesh, problems: &mut Problems) {
    let names = || quote_all(mesh.vpcs.keys(), ", ");
    match &mesh.topology {
        Topology::FullMesh => {}
        Topology::HubAndSpoke { hub } => {
            if !mesh.vpcs.contains_key(hub) {
                problems.push(
                    Path::root("hub"),
                    "Unknown hub",
                    format!(
                        "hub is {}, which is not a VPC of this mesh; use one of {}.",
                        quote(hub),
                        names()
                    ),
                );
            }
        }
        Topology::Explicit { connections } => {
            if connections.is_empty() {
                problems.push(
                    Path::root("connections"),
                    "Missing connections",
                    "topology \"explicit\" needs connections: a list of VPC name pairs to peer, e.g. [[\"production\", \"shared\"]].",
                );
            }
            let mut seen: BTreeMap<Pair, usize> = BTreeMap::new();
            for (i, (x, y)) in connections.iter().enumerate() {
                let path = Path::root("connections").index(i);
                let unknown: Vec<&String> = [x, y]
                    .into_iter()
                    .filter(|n| !mesh.vpcs.contains_key(*n))
                    .collect();
                if !unknown.is_empty() {
                    let listed = quote_all(unknown, " and ");
                    problems.push(
                        path,
                        "Unknown VPC in connection",
                        format!("connections[{i}] names {listed}, not a VPC of this mesh; use names from {}.", names()),
                    );
                } else if x == y {
                    problems.push(
                        path,
                        "VPC connected to itself",
                        format!("connections[{i}] connects {} to itself; a peering joins two different VPCs.", quote(x)),
                    );
                } else if let Some(first) = seen.get(&Pair::new(x, y)) {
                    problems.push(
                        path,
                        "Duplicate connection",
                        format!("connections[{i}] ([{}]) repeats connections[{first}] (in either order the pair is one peering); remove one of them.", quote_all([x, y], ", ")),
                    );
                } else {
                    seen.insert(Pair::new(x, y), i);
                }
            }
        }
    }
}
