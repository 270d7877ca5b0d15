//! EC2 quotas checked at plan time, so that an apply does not stop half-way on
//! `...LimitExceeded`. The limits come from the provider's `quotas` block. Per VPC:
//! peerings, routes per table, rules per group; per region: VPCs and internet gateways.

use std::collections::BTreeMap;

use ipnet::IpNet;

use super::vpc_path;
use crate::mesh::desired::reachability;
use crate::mesh::model::Mesh;
use crate::mesh::problem::{quote, Path, Problems};

/// AWS default quotas; an account with raised limits says so in the provider's `quotas`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quotas {
    pub peerings_per_vpc: i64,
    pub routes_per_route_table: i64,
    pub rules_per_security_group: i64,
    /// VPCs per region (the mesh's own count; other VPCs of the account count too).
    pub vpcs_per_region: i64,
    pub internet_gateways_per_region: i64,
}

impl Default for Quotas {
    fn default() -> Self {
        Quotas {
            peerings_per_vpc: 50,
            routes_per_route_table: 500,
            rules_per_security_group: 60,
            vpcs_per_region: 5,
            internet_gateways_per_region: 5,
        }
    }
}

impl Quotas {
    /// No limit at all: what validation uses before the provider (and so the account's
    /// quotas) is known.
    pub fn unlimited() -> Self {
        Quotas {
            peerings_per_vpc: i64::MAX,
            routes_per_route_table: i64::MAX,
            rules_per_security_group: i64::MAX,
            vpcs_per_region: i64::MAX,
            internet_gateways_per_region: i64::MAX,
        }
    }
}

pub(super) fn check(mesh: &Mesh, quotas: &Quotas, problems: &mut Problems) {
    check_regions(mesh, quotas, problems);
    let raise = |field: &str, aws_max: &str| {
        format!("If AWS raised this quota for your account (Service Quotas, up to {aws_max}), set quotas = {{ {field} = N }} in the provider configuration.")
    };
    for (name, peers) in reachability(mesh) {
        let peerings = peers.len() as i64;
        if peerings > quotas.peerings_per_vpc {
            problems.push(
                vpc_path(&name),
                "Too many peerings for one VPC",
                format!(
                    "VPC {} would have {peerings} peering connections, more than the quota of {} per VPC. Use topology \"hub_and_spoke\" or \"explicit\" to need fewer. {}",
                    quote(&name),
                    quotas.peerings_per_vpc,
                    raise("peerings_per_vpc", "125")
                ),
            );
        }
        let vpc = &mesh.vpcs[&name];
        // Every table holds the local route plus one route per peer; a public subnet's
        // table also the default route to the internet gateway.
        let tables: Vec<(Option<&String>, i64)> = if vpc.subnets.is_empty() {
            vec![(None, peerings + 1)]
        } else {
            vpc.subnets
                .iter()
                .map(|(sub, s)| (Some(sub), peerings + 1 + i64::from(s.public)))
                .collect()
        };
        for (subnet, routes) in tables {
            if routes > quotas.routes_per_route_table {
                let (path, table) = match subnet {
                    Some(sub) => (
                        vpc_path(&name).attr("subnets").key(sub),
                        format!(
                            "the route table of subnet {} in VPC {}",
                            quote(sub),
                            quote(&name)
                        ),
                    ),
                    None => (
                        vpc_path(&name),
                        format!("the main route table of VPC {}", quote(&name)),
                    ),
                };
                problems.push(
                    path,
                    "Too many routes for one route table",
                    format!(
                        "{table} would hold {routes} routes (one per peered VPC, the local route and any internet route), more than the quota of {}. {}",
                        quotas.routes_per_route_table,
                        raise("routes_per_route_table", "1000")
                    ),
                );
            }
        }
        // AWS counts IPv4 and IPv6 rules against the quota separately.
        let ipv6_peers = peers
            .iter()
            .filter(|p| vpc.ipv6 && mesh.vpcs.get(*p).is_some_and(|v| v.ipv6))
            .count() as i64;
        let ssh_v6 = mesh
            .ssh_ingress_cidrs
            .iter()
            .filter(|c| matches!(c, IpNet::V6(_)))
            .count() as i64;
        let ssh_v4 = mesh.ssh_ingress_cidrs.len() as i64 - ssh_v6;
        let families = [
            ("", "ICMP", peerings, ssh_v4),
            (" IPv6", "ICMPv6", ipv6_peers, ssh_v6),
        ];
        for (family, icmp_name, icmp_sources, ssh) in families {
            let icmp = if mesh.allow_icmp { icmp_sources } else { 0 };
            let rules = icmp + ssh;
            if rules > quotas.rules_per_security_group {
                problems.push(
                    vpc_path(&name),
                    "Too many rules for one security group",
                    format!(
                        "the security group of VPC {} would hold {rules}{family} inbound rules ({icmp} {icmp_name}, one per peered VPC, and {ssh} SSH, one per{family} ssh_ingress_cidrs entry), more than the quota of {}. {}",
                        quote(&name),
                        quotas.rules_per_security_group,
                        raise("rules_per_security_group", "1000")
                    ),
                );
            }
        }
    }
}

/// VPCs the mesh creates (adopted ones exist already) and internet gateways (one per
/// VPC with a public subnet), per account and region: quotas are per account and region,
/// and every account is held to the same `quotas`. VPCs without `region` are counted
/// together under the provider's region, whatever it turns out to be.
fn check_regions(mesh: &Mesh, quotas: &Quotas, problems: &mut Problems) {
    type Place<'m> = (Option<&'m str>, Option<&'m str>);
    let mut vpcs: BTreeMap<Place, i64> = BTreeMap::new();
    let mut gateways: BTreeMap<Place, i64> = BTreeMap::new();
    for vpc in mesh.vpcs.values() {
        let region = (vpc.account.as_deref(), vpc.region.as_deref());
        if vpc.vpc_id.is_none() {
            *vpcs.entry(region).or_default() += 1;
        }
        if vpc.subnets.values().any(|s| s.public) {
            *gateways.entry(region).or_default() += 1;
        }
    }
    let region_name = |(account, r): Place| {
        let region = r.map_or_else(
            || "the provider's region".to_string(),
            |r| format!("region {r}"),
        );
        match account {
            Some(key) => format!("{region} of account \"{key}\""),
            None => region,
        }
    };
    for (region, count) in vpcs {
        if count > quotas.vpcs_per_region {
            problems.push(
                Path::root("vpcs"),
                "Too many VPCs for one region",
                format!(
                    "the mesh would create {count} VPCs in {}, more than the quota of {} VPCs per region (VPCs the account already has there, such as the default VPC, count too). Ask AWS for more (Service Quotas, \"VPCs per Region\"), then set quotas = {{ vpcs_per_region = N }} in the provider configuration; or place some VPCs in another region, or adopt existing ones with vpc_id.",
                    region_name(region),
                    quotas.vpcs_per_region
                ),
            );
        }
    }
    for (region, count) in gateways {
        if count > quotas.internet_gateways_per_region {
            problems.push(
                Path::root("vpcs"),
                "Too many internet gateways for one region",
                format!(
                    "{count} VPCs in {} have a public subnet, and each needs its own internet gateway: more than the quota of {} internet gateways per region (gateways the account already has there count too). Ask AWS for more (Service Quotas, \"Internet gateways per Region\"), then set quotas = {{ internet_gateways_per_region = N }} in the provider configuration; or make fewer subnets public.",
                    region_name(region),
                    quotas.internet_gateways_per_region
                ),
            );
        }
    }
}
