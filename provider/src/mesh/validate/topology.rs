//! The topology: building it from the `topology`, `hub` and `connections` attributes,
//! and checking that it names VPCs of the mesh.

use std::collections::BTreeMap;

use tfplugin::diag::{AttributePath, Diagnostics};

use crate::mesh::model::{Mesh, Pair, Topology};

const KINDS: &str = "\"full_mesh\", \"hub_and_spoke\" or \"explicit\"";

/// The topology the configuration asks for; `None` (with errors) when the attributes do
/// not fit together. `topology` null means `full_mesh`; `connections` are the lists as
/// written, each should hold two VPC names.
pub fn topology_from_config(
    topology: Option<&str>,
    hub: Option<&str>,
    connections: Option<&[Vec<String>]>,
    diags: &mut Diagnostics,
) -> Option<Topology> {
    let kind = topology.unwrap_or("full_mesh");
    let before = diags.0.len();
    let unused = |attr: &str, diags: &mut Diagnostics, needs: &str| {
        diags.error_at(
            AttributePath::root(attr),
            format!("{attr} not used with topology {kind:?}"),
            format!("{attr} is only used with topology = {needs:?}; remove it or set topology = {needs:?}."),
        );
    };
    let result = match kind {
        "full_mesh" => {
            if hub.is_some() {
                unused("hub", diags, "hub_and_spoke");
            }
            if connections.is_some() {
                unused("connections", diags, "explicit");
            }
            Some(Topology::FullMesh)
        }
        "hub_and_spoke" => {
            if connections.is_some() {
                unused("connections", diags, "explicit");
            }
            match hub {
                Some(hub) if !hub.is_empty() => Some(Topology::HubAndSpoke {
                    hub: hub.to_string(),
                }),
                _ => {
                    diags.error_at(
                        AttributePath::root("hub"),
                        "Missing hub",
                        "topology \"hub_and_spoke\" needs hub: the name of the VPC every other VPC peers with, e.g. hub = \"shared\".",
                    );
                    None
                }
            }
        }
        "explicit" => {
            if hub.is_some() {
                unused("hub", diags, "hub_and_spoke");
            }
            let pairs = explicit_pairs(connections.unwrap_or_default(), diags);
            Some(Topology::Explicit { connections: pairs })
        }
        other => {
            diags.error_at(
                AttributePath::root("topology"),
                "Invalid topology",
                format!("topology is {other:?}; it must be {KINDS}."),
            );
            None
        }
    };
    (diags.0.len() == before).then_some(result).flatten()
}

fn explicit_pairs(connections: &[Vec<String>], diags: &mut Diagnostics) -> Vec<(String, String)> {
    let mut pairs = Vec::new();
    for (i, c) in connections.iter().enumerate() {
        match c.as_slice() {
            [a, b] => pairs.push((a.clone(), b.clone())),
            _ => diags.error_at(
                AttributePath::root("connections").index(i as i64),
                "Invalid connection",
                format!("connections[{i}] is {c:?}; each connection is a list of two VPC names, e.g. [\"production\", \"shared\"]."),
            ),
        }
    }
    pairs
}

/// The topology refers to VPCs of the mesh, and explicit connections are distinct pairs.
pub(super) fn check(mesh: &Mesh, diags: &mut Diagnostics) {
    let names = || {
        mesh.vpcs
            .keys()
            .map(|n| format!("{n:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match &mesh.topology {
        Topology::FullMesh => {}
        Topology::HubAndSpoke { hub } => {
            if !mesh.vpcs.contains_key(hub) {
                diags.error_at(
                    AttributePath::root("hub"),
                    "Unknown hub",
                    format!(
                        "hub is {hub:?}, which is not a VPC of this mesh; use one of {}.",
                        names()
                    ),
                );
            }
        }
        Topology::Explicit { connections } => {
            if connections.is_empty() {
                diags.error_at(
                    AttributePath::root("connections"),
                    "Missing connections",
                    "topology \"explicit\" needs connections: a list of VPC name pairs to peer, e.g. [[\"production\", \"shared\"]].",
                );
            }
            let mut seen: BTreeMap<Pair, usize> = BTreeMap::new();
            for (i, (x, y)) in connections.iter().enumerate() {
                let path = AttributePath::root("connections").index(i as i64);
                let unknown: Vec<&String> = [x, y]
                    .into_iter()
                    .filter(|n| !mesh.vpcs.contains_key(*n))
                    .collect();
                if !unknown.is_empty() {
                    let listed = unknown
                        .iter()
                        .map(|n| format!("{n:?}"))
                        .collect::<Vec<_>>()
                        .join(" and ");
                    diags.error_at(
                        path,
                        "Unknown VPC in connection",
                        format!("connections[{i}] names {listed}, not a VPC of this mesh; use names from {}.", names()),
                    );
                } else if x == y {
                    diags.error_at(
                        path,
                        "VPC connected to itself",
                        format!("connections[{i}] connects {x:?} to itself; a peering joins two different VPCs."),
                    );
                } else if let Some(first) = seen.get(&Pair::new(x, y)) {
                    diags.error_at(
                        path,
                        "Duplicate connection",
                        format!("connections[{i}] ([{x:?}, {y:?}]) repeats connections[{first}] (in either order the pair is one peering); remove one of them."),
                    );
                } else {
                    seen.insert(Pair::new(x, y), i);
                }
            }
        }
    }
}
