//! A VPC router as `ip -batch` lines: subnet bridges carry the .1 address,
//! each subnet's route table becomes a Linux routing table chosen by
//! `ip rule iif <bridge>`, and whatever enters from a peering or the
//! internet gateway is looked up in a table that knows only this VPC's
//! subnets, so a peering never carries traffic on to a third VPC (peering is
//! non-transitive), whatever the routes say.

use std::net::Ipv4Addr;

use ipnet::Ipv4Net;

use crate::gateway;
use crate::names::{self, ROUTER_GATEWAY_LINK, RUNNER_IP};
use crate::plan::NsConfig;
use crate::spec::{LabSpec, RouteSpec, RouteTableSpec, RouteTarget, SubnetSpec, VpcSpec};

/// Traffic that entered from outside the VPC: delivery to its subnets only.
pub const FROM_OUTSIDE_TABLE: u32 = 100;
/// The n-th route table of the VPC (sorted by id) is table 101 + n.
const FIRST_ROUTE_TABLE: u32 = 101;
const SUBNET_RULE_PREF: u32 = 1000;
const OUTSIDE_RULE_PREF: u32 = 5000;

pub fn config(spec: &LabSpec, vpc: &VpcSpec) -> NsConfig {
    let mut subnets: Vec<&SubnetSpec> = spec.subnets_of(&vpc.id).collect();
    subnets.sort_by(|a, b| a.id.cmp(&b.id));
    let mut tables: Vec<&RouteTableSpec> = spec
        .route_tables
        .iter()
        .filter(|t| t.vpc_id == vpc.id)
        .collect();
    tables.sort_by(|a, b| a.id.cmp(&b.id));
    let mut ip = links(spec, vpc, &subnets);
    // Rebuilt from scratch: the rules, then every table they point to.
    ip.push("rule flush".into());
    ip.push("rule add pref 32766 lookup main".into());
    ip.extend(outside_table(spec, vpc, &subnets));
    for (n, table) in tables.iter().enumerate() {
        ip.extend(route_table(
            spec,
            vpc,
            &subnets,
            table,
            FIRST_ROUTE_TABLE + n as u32,
        ));
    }
    for (n, subnet) in subnets.iter().enumerate() {
        let Some(position) = spec
            .table_of(subnet)
            .and_then(|t| tables.iter().position(|x| x.id == t.id))
        else {
            continue; // validated: cannot happen
        };
        let table = FIRST_ROUTE_TABLE + position as u32;
        ip.push(format!(
            "rule add pref {} iif {} lookup {table}",
            SUBNET_RULE_PREF + n as u32,
            names::bridge(&subnet.id)
        ));
    }
    NsConfig {
        ip,
        nft: gateway::nat_ruleset(spec, vpc),
    }
}

fn gateway_ip(subnet: &SubnetSpec) -> Ipv4Addr {
    Ipv4Addr::from_bits(subnet.cidr.network().to_bits() + 1)
}

/// Addresses and states of the router's links, and which bridge each host port joins.
fn links(spec: &LabSpec, vpc: &VpcSpec, subnets: &[&SubnetSpec]) -> Vec<String> {
    let mut ip = Vec::new();
    for subnet in subnets {
        let bridge = names::bridge(&subnet.id);
        ip.push(format!("link set {bridge} up"));
        ip.push(format!(
            "addr replace {}/{} dev {bridge}",
            gateway_ip(subnet),
            subnet.cidr.prefix_len()
        ));
        for instance in spec.instances_in(&subnet.id) {
            let port = names::host_port(&instance.id);
            ip.push(format!("link set {port} master {bridge}"));
            ip.push(format!("link set {port} up"));
        }
    }
    let mut outward: Vec<String> = spec
        .live_peerings()
        .filter(|p| p.other_side(&vpc.id).is_some())
        .map(|p| names::peering_link(&p.id))
        .collect();
    if spec.has_gateway(&vpc.id) {
        outward.push(ROUTER_GATEWAY_LINK.into());
    }
    // Flushed first: the router's address moves when VPCs sorting before it come or go.
    let own = spec.router_ip(&vpc.id);
    for link in outward {
        ip.push(format!("link set {link} up"));
        ip.push(format!("addr flush dev {link}"));
        ip.push(format!("addr add {own}/32 dev {link}"));
    }
    ip
}

fn outside_table(spec: &LabSpec, vpc: &VpcSpec, subnets: &[&SubnetSpec]) -> Vec<String> {
    let table = FROM_OUTSIDE_TABLE;
    let mut ip = vec![format!("route flush table {table}")];
    for subnet in subnets {
        ip.push(format!(
            "route add {} dev {} table {table}",
            subnet.cidr,
            names::bridge(&subnet.id)
        ));
    }
    ip.push(format!(
        "route add blackhole default metric {} table {table}",
        u32::MAX
    ));
    let mut pref = OUTSIDE_RULE_PREF;
    for peering in spec
        .live_peerings()
        .filter(|p| p.other_side(&vpc.id).is_some())
    {
        ip.push(format!(
            "rule add pref {pref} iif {} lookup {table}",
            names::peering_link(&peering.id)
        ));
        pref += 1;
    }
    if spec.has_gateway(&vpc.id) {
        ip.push(format!(
            "rule add pref {pref} iif {ROUTER_GATEWAY_LINK} lookup {table}"
        ));
    }
    ip
}

/// One EC2 route table; anything it does not route is dropped, as in AWS.
fn route_table(
    spec: &LabSpec,
    vpc: &VpcSpec,
    subnets: &[&SubnetSpec],
    rt: &RouteTableSpec,
    table: u32,
) -> Vec<String> {
    let mut ip = vec![format!("route flush table {table}")];
    for route in &rt.routes {
        for line in route_lines(spec, vpc, subnets, route) {
            ip.push(format!("{line} table {table}"));
        }
    }
    ip.push(format!(
        "route add blackhole default metric {} table {table}",
        u32::MAX
    ));
    ip
}

fn route_lines(
    spec: &LabSpec,
    vpc: &VpcSpec,
    subnets: &[&SubnetSpec],
    route: &RouteSpec,
) -> Vec<String> {
    let destination: Ipv4Net = route.destination;
    let blackhole = vec![format!("route add blackhole {destination}")];
    match &route.target {
        RouteTarget::Local => subnets
            .iter()
            .filter(|s| destination.contains(&s.cidr))
            .map(|s| format!("route add {} dev {}", s.cidr, names::bridge(&s.id)))
            .collect(),
        RouteTarget::Peering(id) => match spec.live_peer(&vpc.id, id) {
            Some(peer) => {
                let next = spec.router_ip(&peer.id);
                vec![format!(
                    "route add {destination} via {next} dev {} onlink",
                    names::peering_link(id)
                )]
            }
            None => blackhole,
        },
        RouteTarget::InternetGateway(id) if spec.gateway_attached(id, &vpc.id) => {
            vec![format!(
                "route add {destination} via {RUNNER_IP} dev {ROUTER_GATEWAY_LINK} onlink"
            )]
        }
        RouteTarget::InternetGateway(_) | RouteTarget::Other(_) => blackhole,
    }
}
