//! The diagnosis [`Snapshot`] from what EC2 reports: the mesh's inventory and the
//! instances in its VPCs. Pure: no EC2 call here.
//!
//! Hosts are matched to instances by any private IPv4 or IPv6 address of any of their
//! network interfaces; a host without a matching instance (a machine outside the mesh's
//! VPCs, a terminated instance) gets no facts, and the diagnosis says so rather than
//! guessing.

use std::collections::BTreeMap;
use std::net::IpAddr;

use crate::connectivity::diagnosis::snapshot::{
    Host, IngressRule, Peering, Route, RouteTable, SecurityGroup, Snapshot, Subnet, Traffic, Vpc,
};
use crate::ec2::types::{
    InstanceObs, Inventory, PeeringObs, Protocol, RouteTableObs, SecurityGroupObs, SubnetObs, Tags,
    TAG_COMPONENT, TAG_MESH,
};
use crate::mesh::discover::named_vpcs;

pub fn snapshot(
    inv: &Inventory,
    instances: &[InstanceObs],
    mesh_id: &str,
    hosts: &BTreeMap<String, IpAddr>,
) -> Snapshot {
    Snapshot {
        vpcs: vpcs(inv, mesh_id),
        subnets: inv
            .subnets
            .iter()
            .filter_map(|s| subnet(s, &inv.route_tables))
            .collect(),
        hosts: hosts
            .iter()
            .filter_map(|(name, addr)| host(name, *addr, instances))
            .collect(),
        route_tables: inv
            .route_tables
            .iter()
            .map(|t| route_table(t, mesh_id))
            .collect(),
        peerings: inv.peerings.iter().map(|p| peering(p, mesh_id)).collect(),
        security_groups: inv
            .security_groups
            .iter()
            .map(|g| security_group(g, mesh_id))
            .collect(),
    }
}

/// Every VPC of the inventory, named as in `peering_mesh.vpcs` (by its id when the
/// mesh's tags do not name it).
fn vpcs(inv: &Inventory, mesh_id: &str) -> Vec<Vpc> {
    let names: BTreeMap<&str, String> = named_vpcs(inv, mesh_id)
        .into_iter()
        .map(|(name, named)| (named.vpc.id.as_str(), name))
        .collect();
    inv.vpcs
        .iter()
        .map(|v| Vpc {
            name: names.get(v.id.as_str()).cloned().unwrap_or(v.id.clone()),
            id: v.id.clone(),
            cidr: v.cidr,
            ipv6_cidr: v.ipv6_cidr,
        })
        .collect()
}

/// The subnet with the table that routes for it: its explicit association, else its
/// VPC's main table. None when neither is in the inventory.
fn subnet(s: &SubnetObs, tables: &[RouteTableObs]) -> Option<Subnet> {
    let associated = tables
        .iter()
        .find(|t| t.associations.iter().any(|(_, subnet)| *subnet == s.id));
    let main = || tables.iter().find(|t| t.main && t.vpc_id == s.vpc_id);
    Some(Subnet {
        id: s.id.clone(),
        vpc_id: s.vpc_id.clone(),
        route_table_id: associated.or_else(main)?.id.clone(),
    })
}

fn host(name: &str, addr: IpAddr, instances: &[InstanceObs]) -> Option<Host> {
    let i = instances.iter().find(|i| match addr {
        IpAddr::V4(ip) => i.private_ip == ip || i.private_ips.contains(&ip),
        IpAddr::V6(ip) => i.ipv6_addresses.contains(&ip),
    })?;
    // The address probed, which may be a secondary interface's: routes and rules are
    // checked for it; for the other family, the instance's first address.
    let (private_ip, ipv6) = match addr {
        IpAddr::V4(ip) => (ip, i.ipv6_addresses.first().copied()),
        IpAddr::V6(ip) => (i.private_ip, Some(ip)),
    };
    Some(Host {
        name: name.to_string(),
        instance_id: i.id.clone(),
        vpc_id: i.vpc_id.clone(),
        subnet_id: i.subnet_id.clone(),
        address: addr,
        private_ip,
        ipv6,
        security_group_ids: i.security_group_ids.clone(),
        state: i.state,
    })
}

/// The mesh's key in `tags` (`rtb/beta/private`), when they say the object is `mesh_id`'s.
fn mesh_key(tags: &Tags, mesh_id: &str) -> Option<String> {
    let ours = tags.get(TAG_MESH).is_some_and(|m| m == mesh_id);
    tags.get(TAG_COMPONENT).filter(|_| ours).cloned()
}

fn route_table(t: &RouteTableObs, mesh_id: &str) -> RouteTable {
    RouteTable {
        id: t.id.clone(),
        key: mesh_key(&t.tags, mesh_id),
        routes: t
            .routes
            .iter()
            .map(|r| Route {
                destination: r.destination,
                target: r.target.clone(),
                blackhole: r.state == "blackhole",
            })
            .collect(),
    }
}

fn peering(p: &PeeringObs, mesh_id: &str) -> Peering {
    Peering {
        id: p.id.clone(),
        key: mesh_key(&p.tags, mesh_id),
        vpc_ids: [p.requester_vpc_id.clone(), p.accepter_vpc_id.clone()],
        status: p.status,
    }
}

fn security_group(g: &SecurityGroupObs, mesh_id: &str) -> SecurityGroup {
    let rule = |r: &crate::ec2::types::IngressRule| IngressRule {
        traffic: match r.protocol {
            Protocol::Icmp => Traffic::Icmp { icmp_type: None },
            Protocol::Icmpv6 => Traffic::Icmpv6 { icmp_type: None },
            Protocol::Tcp { from, to } => Traffic::Tcp {
                from_port: from,
                to_port: to,
            },
        },
        source: r.cidr,
    };
    SecurityGroup {
        id: g.id.clone(),
        key: mesh_key(&g.tags, mesh_id),
        ingress: g.rules.iter().map(rule).collect(),
        opaque_rules: g.foreign_rules,
    }
}
