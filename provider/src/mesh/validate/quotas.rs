//! EC2 quotas checked at plan time, so that an apply does not stop half-way on
//! `...LimitExceeded`. The limits come from the provider's `quotas` block. Per VPC:
//! peerings, routes per table, rules per group; per region: VPCs and internet gateways.

use std::collections::BTreeMap;

use tfplugin::diag::{AttributePath, Diagnostics};

use super::vpc_path;
use crate::config::Quotas;
use crate::mesh::desired::reachability;
use crate::mesh::model::Mesh;

pub(super) fn check(mesh: &Mesh, quotas: &Quotas, diags: &mut Diagnostics) {
    check_regions(mesh, quotas, diags);
    let raise = |field: &str, aws_max: &str| {
        format!("If AWS raised this quota for your account (Service Quotas, up to {aws_max}), set quotas = {{ {field} = N }} in the provider configuration.")
    };
    for (name, peers) in reachability(mesh) {
        let peerings = peers.len() as i64;
        if peerings > quotas.peerings_per_vpc {
            diags.error_at(
                vpc_path(&name),
                "Too many peerings for one VPC",
                format!(
                    "VPC {name:?} would have {peerings} peering connections, more than the quota of {} per VPC. Use topology \"hub_and_spoke\" or \"explicit\" to need fewer. {}",
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
                        format!("the route table of subnet {sub:?} in VPC {name:?}"),
                    ),
                    None => (
                        vpc_path(&name),
                        format!("the main route table of VPC {name:?}"),
                    ),
                };
                diags.error_at(
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
        let icmp = if mesh.allow_icmp { peerings } else { 0 };
        let rules = icmp + mesh.ssh_ingress_cidrs.len() as i64;
        if rules > quotas.rules_per_security_group {
            diags.error_at(
                vpc_path(&name),
                "Too many rules for one security group",
                format!(
                    "the security group of VPC {name:?} would hold {rules} inbound rules ({icmp} ICMP, one per peered VPC, and {} SSH, one per ssh_ingress_cidrs entry), more than the quota of {}. {}",
                    mesh.ssh_ingress_cidrs.len(),
                    quotas.rules_per_security_group,
                    raise("rules_per_security_group", "1000")
                ),
            );
        }
    }
}

/// VPCs the mesh creates (adopted ones exist already) and internet gateways (one per
/// VPC with a public subnet), per region. VPCs without `region` are counted together
/// under the provider's region, whatever it turns out to be.
fn check_regions(mesh: &Mesh, quotas: &Quotas, diags: &mut Diagnostics) {
    let mut vpcs: BTreeMap<Option<&str>, i64> = BTreeMap::new();
    let mut gateways: BTreeMap<Option<&str>, i64> = BTreeMap::new();
    for vpc in mesh.vpcs.values() {
        let region = vpc.region.as_deref();
        if vpc.vpc_id.is_none() {
            *vpcs.entry(region).or_default() += 1;
        }
        if vpc.subnets.values().any(|s| s.public) {
            *gateways.entry(region).or_default() += 1;
        }
    }
    let region_name = |r: Option<&str>| {
        r.map_or_else(
            || "the provider's region".to_string(),
            |r| format!("region {r}"),
        )
    };
    for (region, count) in vpcs {
        if count > quotas.vpcs_per_region {
            diags.error_at(
                AttributePath::root("vpcs"),
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
            diags.error_at(
                AttributePath::root("vpcs"),
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
