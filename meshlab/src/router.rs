//! A VPC router as `ip -batch` lines, once per address family: subnet
//! bridges carry the subnet's first address (`.1`, `::1`), each subnet's
//! route table becomes a Linux routing table chosen by `ip rule iif
//! <bridge>`, and whatever enters from a peering or the internet gateway is
//! looked up in a table that knows only this VPC's subnets, so a peering never
//! carries traffic on to a third VPC (peering is non-transitive), whatever the
//! routes say. IPv4 and IPv6 routes of one EC2 table land in the same table
//! number of their family.

use std::net::{Ipv4Addr, Ipv6Addr};

use ipnet::{IpNet, Ipv6Net};

use crate::gateway;
use crate::names::{self, ROUTER_GATEWAY_LINK, RUNNER_IP, RUNNER_LINK_IP6};
use crate::plan::NsConfig;
use crate::spec::{LabSpec, RouteSpec, RouteTableSpec, RouteTarget, SubnetSpec, VpcSpec};

/// Traffic that entered from outside the VPC: delivery to its subnets only.
pub const FROM_OUTSIDE_TABLE: u32 = 100;
/// The n-th route table of the VPC (sorted by id) is table 101 + n.
const FIRST_ROUTE_TABLE: u32 = 101;
const SUBNET_RULE_PREF: u32 = 1000;
const OUTSIDE_RULE_PREF: u32 = 5000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    V4,
    V6,
}

impl Family {
    fn of(net: &IpNet) -> Family {
        match net {
            IpNet::V4(_) => Family::V4,
            IpNet::V6(_) => Family::V6,
        }
    }

    /// The subnet's block of this family, if it has one.
    fn block(self, subnet: &SubnetSpec) -> Option<IpNet> {
        match self {
            Family::V4 => Some(IpNet::V4(subnet.cidr)),
            Family::V6 => subnet.ipv6_cidr.map(IpNet::V6),
        }
    }
}

/// The address the router's bridge carries in an IPv6 subnet, and hosts'
/// default gateway: the block's `::1`.
pub fn subnet_router_ip6(block: Ipv6Net) -> Ipv6Addr {
    Ipv6Addr::from_bits(block.network().to_bits() + 1)
}

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
    ip.extend(routing(spec, vpc, &subnets, &tables, Family::V4));
    let mut ip6 = links6(spec, vpc, &subnets);
    ip6.extend(routing(spec, vpc, &subnets, &tables, Family::V6));
    NsConfig {
        ip,
        ip6,
        nft: gateway::nat_ruleset(spec, vpc),
    }
}

/// Rules and tables of one family, rebuilt from scratch: the rules, then
/// every table they point to.
fn routing(
    spec: &LabSpec,
    vpc: &VpcSpec,
    subnets: &[&SubnetSpec],
    tables: &[&RouteTableSpec],
    family: Family,
) -> Vec<String> {
    let mut ip = vec![
        "rule flush".to_string(),
        "rule add pref 32766 lookup main".to_string(),
    ];
    ip.extend(outside_table(spec, vpc, subnets, family));
    for (n, table) in tables.iter().enumerate() {
        ip.extend(route_table(
            spec,
            vpc,
            subnets,
            table,
            FIRST_ROUTE_TABLE + n as u32,
            family,
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
    ip
}

fn gateway_ip(subnet: &SubnetSpec) -> Ipv4Addr {
    Ipv4Addr::from_bits(subnet.cidr.network().to_bits() + 1)
}

/// The router's peering links and its gateway link.
fn outward_links(spec: &LabSpec, vpc: &VpcSpec) -> Vec<String> {
    let mut outward: Vec<String> = spec
        .live_peerings()
        .filter(|p| p.other_side(&vpc.id).is_some())
        .map(|p| names::peering_link(&p.id))
        .collect();
    if spec.has_gateway(&vpc.id) {
        outward.push(ROUTER_GATEWAY_LINK.into());
    }
    outward
}

/// Addresses and states of the router's links, and which bridge each host port joins.
fn links(spec: &LabSpec, vpc: &VpcSpec, subnets: &[&SubnetSpec]) -> Vec<String> {
    let mut ip = Vec::new();
    for subnet in subnets {
        let bridge = names::bridge(&subnet.id);
        // No MLD snooping: neighbour solicitations go to each host's solicited-node
        // group, whose report the bridge may never have seen (nobody queries), and
        // a snooping bridge then drops them: IPv6 neighbours went unresolved at random.
        ip.push(format!("link set {bridge} type bridge mcast_snooping 0"));
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
    // Flushed first (both families; IPv6 is added back by `links6`): the
    // router's address moves when VPCs sorting before it come or go.
    let own = spec.router_ip(&vpc.id);
    for link in outward_links(spec, vpc) {
        ip.push(format!("link set {link} up"));
        ip.push(format!("addr flush dev {link}"));
        ip.push(format!("addr add {own}/32 dev {link}"));
    }
    ip
}

/// IPv6 addresses: `::1` of each dual-stack subnet on its bridge, the router's
/// link-local address on the bridge and on every outward link. `nodad`: usable
/// at once. The bridge needs the link-local one: the kernel solicits a
/// neighbour for forwarded packets from a link-local address only, so without
/// it hosts are reached only once they have spoken first.
fn links6(spec: &LabSpec, vpc: &VpcSpec, subnets: &[&SubnetSpec]) -> Vec<String> {
    let mut ip6 = Vec::new();
    let own = spec.router_ip6(&vpc.id);
    for subnet in subnets {
        if let Some(block) = subnet.ipv6_cidr {
            let bridge = names::bridge(&subnet.id);
            ip6.push(format!(
                "addr replace {}/{} dev {bridge} nodad",
                subnet_router_ip6(block),
                block.prefix_len(),
            ));
            ip6.push(format!("addr replace {own}/64 dev {bridge} nodad"));
        }
    }
    for link in outward_links(spec, vpc) {
        ip6.push(format!("addr replace {own}/64 dev {link} nodad"));
    }
    ip6
}

fn outside_table(
    spec: &LabSpec,
    vpc: &VpcSpec,
    subnets: &[&SubnetSpec],
    family: Family,
) -> Vec<String> {
    let table = FROM_OUTSIDE_TABLE;
    let mut ip = vec![format!("route flush table {table}")];
    for subnet in subnets {
        if let Some(block) = family.block(subnet) {
            ip.push(format!(
                "route add {block} dev {} table {table}",
                names::bridge(&subnet.id)
            ));
        }
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

/// One EC2 route table, the routes of one family; anything it does not route
/// is dropped, as in AWS.
fn route_table(
    spec: &LabSpec,
    vpc: &VpcSpec,
    subnets: &[&SubnetSpec],
    rt: &RouteTableSpec,
    table: u32,
    family: Family,
) -> Vec<String> {
    let mut ip = vec![format!("route flush table {table}")];
    for route in rt
        .routes
        .iter()
        .filter(|r| Family::of(&r.destination) == family)
    {
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
    let destination = route.destination;
    let family = Family::of(&destination);
    let blackhole = vec![format!("route add blackhole {destination}")];
    match &route.target {
        RouteTarget::Local => subnets
            .iter()
            .filter_map(|s| Some((family.block(s)?, s)))
            .filter(|(block, _)| destination.contains(block))
            .map(|(block, s)| format!("route add {block} dev {}", names::bridge(&s.id)))
            .collect(),
        RouteTarget::Peering(id) => match spec.live_peer(&vpc.id, id) {
            Some(peer) => {
                let link = names::peering_link(id);
                vec![match family {
                    Family::V4 => format!(
                        "route add {destination} via {} dev {link} onlink",
                        spec.router_ip(&peer.id)
                    ),
                    Family::V6 => format!(
                        "route add {destination} via {} dev {link}",
                        spec.router_ip6(&peer.id)
                    ),
                }]
            }
            None => blackhole,
        },
        RouteTarget::InternetGateway(id) if spec.gateway_attached(id, &vpc.id) => {
            vec![match family {
                Family::V4 => format!(
                    "route add {destination} via {RUNNER_IP} dev {ROUTER_GATEWAY_LINK} onlink"
                ),
                Family::V6 => format!(
                    "route add {destination} via {RUNNER_LINK_IP6} dev {ROUTER_GATEWAY_LINK}"
                ),
            }]
        }
        RouteTarget::InternetGateway(_) | RouteTarget::Other(_) => blackhole,
    }
}
