//! Validation of a mesh before the first EC2 call: every problem at once, each on its
//! attribute path, with the offending value and the fix. Problems are the mesh's own
//! [`Problems`]; the resource reports them as Terraform diagnostics.

mod ipv6;
mod quotas;
mod topology;

use std::collections::BTreeMap;

use ipnet::{IpNet, Ipv4Net};

use super::desired::pairs;
use super::key::is_name;
use super::model::{Mesh, VpcSpec};
use super::problem::{quote, Path, Problems};
use crate::ec2::types::{TAG_COMPONENT, TAG_MESH, TAG_NAME};

pub use quotas::Quotas;
pub use topology::topology_from_config;

/// AWS accepts VPC and subnet CIDR blocks from /16 to /28.
const MIN_PREFIX: u8 = 16;
const MAX_PREFIX: u8 = 28;

/// Every problem of `mesh` against the account's `quotas`; none means it can be applied.
pub fn validate(mesh: &Mesh, quotas: &Quotas) -> Problems {
    let mut problems = Problems::new();
    check_mesh_name(&mesh.name, &mut problems);
    if mesh.vpcs.len() < 2 {
        problems.push(
            Path::root("vpcs"),
            "Too few VPCs",
            format!(
                "vpcs has {} entries; a mesh needs at least 2 VPCs to peer. Add another VPC.",
                mesh.vpcs.len()
            ),
        );
    }
    let mut adopted: BTreeMap<&str, &str> = BTreeMap::new();
    for (name, vpc) in &mesh.vpcs {
        check_vpc(name, vpc, &mut problems);
        if let Some(id) = &vpc.vpc_id {
            if let Some(first) = adopted.insert(id, name) {
                problems.push(
                    vpc_path(name).attr("vpc_id"),
                    "VPC adopted twice",
                    format!("vpc_id {} is adopted by both VPC {} and VPC {}; each VPC of the mesh must be a different VPC.", quote(id), quote(first), quote(name)),
                );
            }
        }
    }
    topology::check(mesh, &mut problems);
    check_peered_overlaps(mesh, &mut problems);
    check_ssh_cidrs(&mesh.ssh_ingress_cidrs, &mut problems);
    ipv6::check(mesh, &mut problems);
    check_tags(mesh, &mut problems);
    quotas::check(mesh, quotas, &mut problems);
    problems
}

pub(crate) fn vpc_path(name: &str) -> Path {
    Path::root("vpcs").key(name)
}

fn check_mesh_name(name: &str, problems: &mut Problems) {
    let ok = (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !ok {
        problems.push(
            Path::root("name"),
            "Invalid mesh name",
            format!("name is {}; it must be 1 to 64 letters, digits, '-' or '_' (it starts every Name tag and security group name).", quote(name)),
        );
    }
}

fn check_name(what: &str, name: &str, path: Path, problems: &mut Problems) {
    if !is_name(name) {
        problems.push(
            path,
            format!("Invalid {what} name"),
            format!(
                "{what} name {} must be 1 to 32 lowercase letters, digits, '-' or '_' (it is part of component keys such as vpc/NAME); rename it, e.g. {}.",
                quote(name),
                quote(&suggest_name(name))
            ),
        );
    }
}

fn suggest_name(name: &str) -> String {
    let s: String = name
        .to_ascii_lowercase()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .take(32)
        .collect();
    if s.is_empty() {
        "vpc".to_string()
    } else {
        s
    }
}

/// A CIDR block as AWS accepts it: a network address with a prefix from /16 to /28.
fn check_block(what: &str, cidr: Ipv4Net, path: &Path, problems: &mut Problems) -> bool {
    if cidr.trunc() != cidr {
        problems.push(
            path.clone(),
            format!("Invalid {what} CIDR block"),
            format!(
                "{path} is {cidr}, which has host bits set; use the network address {}.",
                cidr.trunc()
            ),
        );
        return false;
    }
    if !(MIN_PREFIX..=MAX_PREFIX).contains(&cidr.prefix_len()) {
        problems.push(
            path.clone(),
            format!("Invalid {what} CIDR block"),
            format!("{path} is {cidr}; AWS allows {what} CIDR blocks from /{MIN_PREFIX} to /{MAX_PREFIX}. Use a prefix length in that range."),
        );
        return false;
    }
    true
}

fn check_vpc(name: &str, vpc: &VpcSpec, problems: &mut Problems) {
    let path = vpc_path(name);
    check_name("VPC", name, path.clone(), problems);
    let cidr_path = path.clone().attr("cidr_block");
    let vpc_cidr = match (vpc.cidr, &vpc.vpc_id) {
        (Some(cidr), _) => check_block("VPC", cidr, &cidr_path, problems).then_some(cidr),
        (None, Some(_)) => None,
        (None, None) => {
            problems.push(
                cidr_path,
                "Missing VPC CIDR block",
                format!("VPC {} has neither cidr_block nor vpc_id; set cidr_block (e.g. \"10.1.0.0/16\") to create it, or vpc_id to adopt an existing VPC.", quote(name)),
            );
            None
        }
    };
    if let Some(id) = &vpc.vpc_id {
        let hex = id.strip_prefix("vpc-").unwrap_or_default();
        if hex.is_empty() || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            problems.push(
                path.clone().attr("vpc_id"),
                "Invalid VPC id",
                format!(
                    "vpc_id is {}; it must look like \"vpc-0123456789abcdef0\".",
                    quote(id)
                ),
            );
        }
    }
    let mut blocks: Vec<(&String, Ipv4Net)> = Vec::new();
    for (sub, spec) in &vpc.subnets {
        let sub_path = path.clone().attr("subnets").key(sub);
        check_name("subnet", sub, sub_path.clone(), problems);
        let block_path = sub_path.clone().attr("cidr_block");
        if !check_block("subnet", spec.cidr, &block_path, problems) {
            continue;
        }
        if let Some(outer) = vpc_cidr.filter(|outer| !outer.contains(&spec.cidr)) {
            problems.push(
                block_path.clone(),
                "Subnet outside its VPC",
                format!("subnet {} is {}, which is not inside VPC {} ({outer}); choose a block inside {outer}.", quote(sub), spec.cidr, quote(name)),
            );
        }
        for (other, other_cidr) in &blocks {
            if let Some(range) = overlap(spec.cidr, *other_cidr) {
                problems.push(
                    block_path.clone(),
                    "Overlapping subnets",
                    format!("subnets {} ({other_cidr}) and {} ({}) of VPC {} overlap in {range}; give each subnet its own block.", quote(other), quote(sub), spec.cidr, quote(name)),
                );
            }
        }
        blocks.push((sub, spec.cidr));
        if let (Some(region), Some(az)) = (&vpc.region, &spec.availability_zone) {
            if !az.starts_with(region.as_str()) {
                problems.push(
                    sub_path.attr("availability_zone"),
                    "Availability zone outside the VPC's region",
                    format!("availability_zone is {} but VPC {} is in region {}; use a zone of that region, e.g. {}.", quote(az), quote(name), quote(region), quote(&format!("{region}a"))),
                );
            }
        }
    }
}

/// Two CIDR blocks either nest or are disjoint; when they nest, the smaller one is the
/// overlapping range.
pub(crate) fn overlap(x: Ipv4Net, y: Ipv4Net) -> Option<Ipv4Net> {
    if x.contains(&y.network()) || y.contains(&x.network()) {
        Some(if x.prefix_len() >= y.prefix_len() {
            x
        } else {
            y
        })
    } else {
        None
    }
}

/// Peered VPCs need disjoint CIDRs (AWS fails the peering; moto does not, so we check).
fn check_peered_overlaps(mesh: &Mesh, problems: &mut Problems) {
    for pair in pairs(mesh) {
        let (a, b) = (&mesh.vpcs[&pair.a], &mesh.vpcs[&pair.b]);
        let (Some(ca), Some(cb)) = (a.cidr, b.cidr) else {
            continue;
        };
        if let Some(range) = overlap(ca, cb) {
            // Point at a block the user wrote and can change.
            let at = if b.vpc_id.is_some() && a.vpc_id.is_none() {
                &pair.a
            } else {
                &pair.b
            };
            problems.push(
                vpc_path(at).attr("cidr_block"),
                "Overlapping CIDR blocks of peered VPCs",
                format!(
                    "VPC {} ({ca}) and VPC {} ({cb}) overlap in {range}; AWS cannot peer VPCs with overlapping CIDR blocks. Give one of them a disjoint block, or do not connect them.",
                    quote(&pair.a), quote(&pair.b)
                ),
            );
        }
    }
}

fn check_ssh_cidrs(cidrs: &[IpNet], problems: &mut Problems) {
    for (i, cidr) in cidrs.iter().enumerate() {
        let path = Path::root("ssh_ingress_cidrs").index(i);
        if cidr.trunc() != *cidr {
            problems.push(
                path,
                "Invalid SSH ingress CIDR",
                format!("ssh_ingress_cidrs[{i}] is {cidr}, which has host bits set; use {} (or {}/{} for one host).", cidr.trunc(), cidr.addr(), cidr.max_prefix_len()),
            );
        } else if let Some(first) = cidrs[..i].iter().position(|c| c == cidr) {
            problems.push(
                path,
                "Duplicate SSH ingress CIDR",
                format!("ssh_ingress_cidrs[{i}] ({cidr}) repeats ssh_ingress_cidrs[{first}]; list each CIDR once."),
            );
        }
    }
}

fn check_tags(mesh: &Mesh, problems: &mut Problems) {
    for key in mesh.tags.keys() {
        let reserved = [TAG_MESH, TAG_COMPONENT, TAG_NAME].contains(&key.as_str())
            || key.starts_with("peering:")
            || key.starts_with("aws:");
        if reserved {
            problems.push(
                Path::root("tags").key(key),
                "Reserved tag key",
                format!("tag {} is reserved: the mesh sets Name, {TAG_MESH} and {TAG_COMPONENT} itself (they find its objects again) and AWS reserves aws:*. Remove it from tags.", quote(key)),
            );
        }
    }
}

#[cfg(test)]
mod tests;
