//! IPv6 settings: each subnet's `ipv6_index` picks one of the 256 /64s of its VPC's
//! /56, so it must be in 0-255, unique in the VPC, and set only where the VPC has IPv6.

use std::collections::BTreeMap;

use super::vpc_path;
use crate::mesh::model::Mesh;
use crate::mesh::problem::{quote, Problems};

pub fn check(mesh: &Mesh, problems: &mut Problems) {
    for (name, vpc) in &mesh.vpcs {
        let mut taken: BTreeMap<i64, &str> = BTreeMap::new();
        for (position, (sub, s)) in vpc.subnets.iter().enumerate() {
            let path = vpc_path(name).attr("subnets").key(sub).attr("ipv6_index");
            let Some(explicit) = s.ipv6_index else {
                if vpc.ipv6 {
                    // The default (its position) may collide with another's explicit index.
                    taken.entry(position as i64).or_insert(sub);
                }
                continue;
            };
            if !vpc.ipv6 {
                problems.push(
                    path,
                    "IPv6 index without IPv6",
                    format!("subnet {} of VPC {} sets ipv6_index = {explicit}, but the VPC has no IPv6 block; set ipv6 = true on vpcs[{}] or remove ipv6_index.", quote(sub), quote(name), quote(name)),
                );
            } else if !(0..=255).contains(&explicit) {
                problems.push(
                    path,
                    "IPv6 index out of range",
                    format!("subnet {} of VPC {} sets ipv6_index = {explicit}; a VPC's /56 holds 256 /64 blocks, so use 0 to 255.", quote(sub), quote(name)),
                );
            } else if let Some(other) = taken.insert(explicit, sub) {
                problems.push(
                    path,
                    "Duplicate IPv6 index",
                    format!("subnets {} and {} of VPC {} would both get /64 number {explicit} of the VPC's IPv6 block (a subnet without ipv6_index takes its position in name order); give each subnet its own ipv6_index.", quote(other), quote(sub), quote(name)),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::mesh::fixtures::seed_mesh;
    use crate::mesh::validate::{validate, Quotas};

    #[test]
    fn ipv4_and_ipv6_rules_count_separately_against_the_quota() {
        let mut mesh = seed_mesh();
        for v in mesh.vpcs.values_mut() {
            v.ipv6 = true;
        }
        mesh.allow_icmp = false;
        mesh.ssh_ingress_cidrs = [
            "10.1.1.0/24",
            "10.1.2.0/24",
            "2001:db8::/32",
            "2001:db9::/32",
        ]
        .iter()
        .map(|c| c.parse().unwrap())
        .collect();
        let quotas = Quotas {
            rules_per_security_group: 2,
            ..Quotas::unlimited()
        };
        assert!(validate(&mesh, &quotas).is_empty());
        mesh.ssh_ingress_cidrs
            .push("2001:dba::/32".parse().unwrap());
        assert!(!validate(&mesh, &quotas).is_empty());
    }
}
