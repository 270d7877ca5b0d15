//! Settings of the mesh that EC2 objects cannot tell by themselves (its name, topology,
//! hub, the ICMP and DNS switches, SSH sources in the order written, the explicit
//! connections as written), kept as `peering:*` tags so that `terraform import` can
//! rebuild the exact configuration from the account alone.
//!
//! The mesh-wide settings go on every VPC's security group (the one object the mesh owns
//! in every VPC, adopted or not); each explicit connection goes on its peering.

use std::collections::BTreeMap;

use ipnet::IpNet;

use crate::ec2::types::{SecurityGroupObs, Tags, TAG_NAME};
use crate::mesh::desired::Desired;
use crate::mesh::model::{Mesh, Pair, Topology};

pub const TAG_MESH_NAME: &str = "peering:name";
pub const TAG_TOPOLOGY: &str = "peering:topology";
pub const TAG_HUB: &str = "peering:hub";
pub const TAG_ALLOW_ICMP: &str = "peering:allow-icmp";
pub const TAG_DNS: &str = "peering:dns-resolution";
/// `peering:ssh/0`, `peering:ssh/1`, ...: one tag per SSH source, in order.
pub const TAG_SSH_PREFIX: &str = "peering:ssh/";
/// On a peering of an explicit topology: `INDEX FIRST SECOND` as written in `connections`.
pub const TAG_CONNECTION: &str = "peering:connection";

pub fn topology_name(t: &Topology) -> &'static str {
    match t {
        Topology::FullMesh => "full_mesh",
        Topology::HubAndSpoke { .. } => "hub_and_spoke",
        Topology::Explicit { .. } => "explicit",
    }
}

/// The settings tags every security group of `mesh` carries.
pub fn settings_tags(mesh: &Mesh) -> Tags {
    let mut tags = Tags::new();
    tags.insert(TAG_MESH_NAME.into(), mesh.name.clone());
    tags.insert(TAG_TOPOLOGY.into(), topology_name(&mesh.topology).into());
    if let Topology::HubAndSpoke { hub } = &mesh.topology {
        tags.insert(TAG_HUB.into(), hub.clone());
    }
    tags.insert(TAG_ALLOW_ICMP.into(), mesh.allow_icmp.to_string());
    tags.insert(TAG_DNS.into(), mesh.dns_resolution.to_string());
    for (i, cidr) in mesh.ssh_ingress_cidrs.iter().enumerate() {
        tags.insert(format!("{TAG_SSH_PREFIX}{i}"), cidr.to_string());
    }
    tags
}

/// Adds the settings tags to what the planner will create or retag.
pub fn add_settings_tags(desired: &mut Desired, mesh: &Mesh) {
    let settings = settings_tags(mesh);
    for group in desired.security_groups.values_mut() {
        group.tags.extend(settings.clone());
    }
    if let Topology::Explicit { connections } = &mesh.topology {
        for (i, (x, y)) in connections.iter().enumerate() {
            if let Some(peering) = desired.peerings.get_mut(&Pair::new(x, y)) {
                peering
                    .tags
                    .insert(TAG_CONNECTION.into(), format!("{i} {x} {y}"));
            }
        }
    }
}

/// Mesh-wide settings as read back from a security group's tags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    pub name: String,
    pub topology: String,
    pub hub: Option<String>,
    pub allow_icmp: bool,
    pub dns_resolution: bool,
    pub ssh_ingress_cidrs: Vec<IpNet>,
    /// The user's `tags`: what is left after the mesh's own tags and the provider's
    /// `default_tags` (a tag equal to a default tag cannot be told apart; it is taken
    /// as the default's).
    pub tags: BTreeMap<String, String>,
}

pub fn read_settings(group: &SecurityGroupObs, default_tags: &Tags) -> Option<Settings> {
    let t = &group.tags;
    let flag = |key: &str, default: bool| t.get(key).map_or(default, |v| v == "true");
    let mut ssh: Vec<(usize, IpNet)> = t
        .iter()
        .filter_map(|(k, v)| {
            Some((
                k.strip_prefix(TAG_SSH_PREFIX)?.parse().ok()?,
                v.parse().ok()?,
            ))
        })
        .collect();
    ssh.sort();
    let tags = t
        .iter()
        .filter(|(k, v)| {
            k.as_str() != TAG_NAME
                && !k.starts_with("peering:")
                && !k.starts_with("aws:")
                && default_tags.get(*k) != Some(*v)
        })
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    Some(Settings {
        name: t.get(TAG_MESH_NAME)?.clone(),
        topology: t
            .get(TAG_TOPOLOGY)
            .cloned()
            .unwrap_or_else(|| "full_mesh".into()),
        hub: t.get(TAG_HUB).cloned(),
        allow_icmp: flag(TAG_ALLOW_ICMP, true),
        dns_resolution: flag(TAG_DNS, false),
        ssh_ingress_cidrs: ssh.into_iter().map(|(_, c)| c).collect(),
        tags,
    })
}

/// An explicit connection read back from a peering's tag: (index, first, second).
pub fn read_connection(tags: &Tags) -> Option<(usize, String, String)> {
    let text = tags.get(TAG_CONNECTION)?;
    let mut parts = text.split(' ');
    let (i, x, y) = (parts.next()?.parse().ok()?, parts.next()?, parts.next()?);
    parts
        .next()
        .is_none()
        .then(|| (i, x.to_string(), y.to_string()))
}
