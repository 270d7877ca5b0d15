//! Checks a [`LabSpec`] before anything is created: every reference
//! resolves, every address fits where AWS would allow it. Errors name the
//! object, so a bad hand-built spec fails with a readable message.

use std::collections::BTreeSet;

use crate::spec::{InstanceSpec, LabSpec, SubnetSpec};

impl LabSpec {
    /// All problems found, one per line; `Ok` when there are none.
    pub fn validate(&self) -> Result<(), String> {
        let mut problems = Vec::new();
        unique_ids(self, &mut problems);
        check_subnets(self, &mut problems);
        check_route_tables(self, &mut problems);
        check_instances(self, &mut problems);
        if problems.is_empty() {
            Ok(())
        } else {
            Err(format!("invalid lab spec:\n  {}", problems.join("\n  ")))
        }
    }
}

fn duplicates<'a>(what: &str, keys: impl Iterator<Item = &'a str>, problems: &mut Vec<String>) {
    let mut seen = BTreeSet::new();
    for key in keys {
        if !seen.insert(key) {
            problems.push(format!("{what} {key} appears twice"));
        }
    }
}

fn unique_ids(spec: &LabSpec, problems: &mut Vec<String>) {
    duplicates("VPC", spec.vpcs.iter().map(|v| v.id.as_str()), problems);
    duplicates(
        "subnet",
        spec.subnets.iter().map(|s| s.id.as_str()),
        problems,
    );
    duplicates(
        "route table",
        spec.route_tables.iter().map(|t| t.id.as_str()),
        problems,
    );
    duplicates(
        "peering",
        spec.peerings.iter().map(|p| p.id.as_str()),
        problems,
    );
    duplicates(
        "security group",
        spec.security_groups.iter().map(|g| g.id.as_str()),
        problems,
    );
    duplicates(
        "instance",
        spec.instances.iter().map(|i| i.id.as_str()),
        problems,
    );
    duplicates(
        "instance name",
        spec.instances.iter().map(|i| i.name.as_str()),
        problems,
    );
}

fn check_subnets(spec: &LabSpec, problems: &mut Vec<String>) {
    for subnet in &spec.subnets {
        let Some(vpc) = spec.vpc(&subnet.vpc_id) else {
            problems.push(format!("subnet {}: no VPC {}", subnet.id, subnet.vpc_id));
            continue;
        };
        if !vpc.cidr.contains(&subnet.cidr) {
            problems.push(format!(
                "subnet {} ({}) is outside VPC {} ({})",
                subnet.id, subnet.cidr, vpc.id, vpc.cidr
            ));
        }
        match (subnet.ipv6_cidr, vpc.ipv6_cidr) {
            (Some(block), Some(vpc_block)) if !vpc_block.contains(&block) => {
                problems.push(format!(
                    "subnet {}: IPv6 {block} is outside VPC {} ({vpc_block})",
                    subnet.id, vpc.id
                ))
            }
            (Some(block), None) => problems.push(format!(
                "subnet {}: IPv6 {block} but VPC {} has no IPv6 block",
                subnet.id, vpc.id
            )),
            _ => {}
        }
        if subnet.cidr.prefix_len() > 28 {
            problems.push(format!(
                "subnet {}: {} is smaller than /28",
                subnet.id, subnet.cidr
            ));
        }
        match spec.table_of(subnet) {
            Some(table) if table.vpc_id != subnet.vpc_id => problems.push(format!(
                "subnet {}: route table {} belongs to another VPC",
                subnet.id, table.id
            )),
            Some(_) => {}
            None => problems.push(format!(
                "subnet {}: no route table (and no main table in {})",
                subnet.id, subnet.vpc_id
            )),
        }
    }
}

fn check_route_tables(spec: &LabSpec, problems: &mut Vec<String>) {
    for vpc in &spec.vpcs {
        let mains = spec
            .route_tables
            .iter()
            .filter(|t| t.main && t.vpc_id == vpc.id)
            .count();
        if mains > 1 {
            problems.push(format!("VPC {} has {mains} main route tables", vpc.id));
        }
    }
    for table in &spec.route_tables {
        if spec.vpc(&table.vpc_id).is_none() {
            problems.push(format!("route table {}: no VPC {}", table.id, table.vpc_id));
        }
        duplicates(
            &format!("route table {}: destination", table.id),
            table
                .routes
                .iter()
                .map(|r| r.destination.to_string())
                .collect::<Vec<_>>()
                .iter()
                .map(String::as_str),
            problems,
        );
    }
}

fn check_instances(spec: &LabSpec, problems: &mut Vec<String>) {
    let mut addresses = BTreeSet::new();
    for instance in &spec.instances {
        let Some(subnet) = spec.subnet(&instance.subnet_id) else {
            problems.push(format!(
                "instance {}: no subnet {}",
                instance.id, instance.subnet_id
            ));
            continue;
        };
        // AWS reserves the first four addresses of a subnet and its last.
        let ip = u32::from(instance.private_ip);
        let first = u32::from(subnet.cidr.network());
        let last = u32::from(subnet.cidr.broadcast());
        if !subnet.cidr.contains(&instance.private_ip) || ip < first + 4 || ip == last {
            problems.push(format!(
                "instance {}: {} is not a usable address of subnet {} ({})",
                instance.id, instance.private_ip, subnet.id, subnet.cidr
            ));
        }
        if !addresses.insert((subnet.vpc_id.as_str(), instance.private_ip)) {
            problems.push(format!(
                "instance {}: {} is taken in {}",
                instance.id, instance.private_ip, subnet.vpc_id
            ));
        }
        check_ipv6(instance, subnet, problems);
        for group in &instance.security_group_ids {
            if spec.security_group(group).is_none() {
                problems.push(format!(
                    "instance {}: no security group {group}",
                    instance.id
                ));
            }
        }
    }
}

/// An instance's IPv6 addresses lie in its subnet's block, past the `::1` the
/// lab's router takes (AWS reserves the first four addresses there too).
fn check_ipv6(instance: &InstanceSpec, subnet: &SubnetSpec, problems: &mut Vec<String>) {
    for address in &instance.ipv6_addresses {
        let usable = subnet.ipv6_cidr.is_some_and(|block| {
            block.contains(address) && address.to_bits() - block.network().to_bits() >= 4
        });
        if !usable {
            problems.push(format!(
                "instance {}: {address} is not a usable IPv6 address of subnet {}",
                instance.id, subnet.id
            ));
        }
    }
}
