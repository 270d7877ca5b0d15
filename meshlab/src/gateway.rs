//! The internet gateway: a link from each VPC router that has one to the
//! runner namespace, 1:1 NAT in the router between an instance's public IP
//! and its private IP (only for instances whose subnet routes 0.0.0.0/0 to
//! the gateway), and in the runner a route to exactly those public IPs.
//! IPv6 is routed without NAT, as through an AWS internet gateway: the runner
//! routes the /64 of every subnet whose table sends `::/0` to the gateway.

use std::net::Ipv4Addr;

use crate::names::{self, ROUTER_GATEWAY_LINK, RUNNER_IP, RUNNER_IP6, RUNNER_LINK_IP6};
use crate::plan::NsConfig;
use crate::spec::{LabSpec, VpcSpec};

const NAT_TABLE: &str = "meshlab_nat";

/// (public, private) of every instance of `vpc` the gateway maps.
fn mapped(spec: &LabSpec, vpc_id: &str) -> Vec<(Ipv4Addr, Ipv4Addr)> {
    let mut pairs: Vec<(Ipv4Addr, Ipv4Addr)> = spec
        .instances
        .iter()
        .filter(|i| {
            spec.subnet(&i.subnet_id)
                .is_some_and(|s| s.vpc_id == vpc_id)
        })
        .filter_map(|i| Some((spec.reachable_public_ip(i)?, i.private_ip)))
        .collect();
    pairs.sort();
    pairs
}

/// nftables script for the router of `vpc`: the NAT table, or its removal.
pub fn nat_ruleset(spec: &LabSpec, vpc: &VpcSpec) -> String {
    // Declaring then deleting makes the script work whether or not the
    // table exists; `nft -f` applies the file atomically.
    let mut nft = format!("table ip {NAT_TABLE}\ndelete table ip {NAT_TABLE}\n");
    let pairs = mapped(spec, &vpc.id);
    if pairs.is_empty() {
        return nft;
    }
    nft.push_str(&format!("table ip {NAT_TABLE} {{\n  chain prerouting {{\n"));
    nft.push_str("    type nat hook prerouting priority -100; policy accept;\n");
    for (public, private) in &pairs {
        nft.push_str(&format!("    ip daddr {public} dnat to {private}\n"));
    }
    nft.push_str("  }\n  chain postrouting {\n");
    nft.push_str("    type nat hook postrouting priority 100; policy accept;\n");
    for (public, private) in &pairs {
        nft.push_str(&format!(
            "    oifname \"{ROUTER_GATEWAY_LINK}\" ip saddr {private} snat to {public}\n"
        ));
    }
    nft.push_str("  }\n}\n");
    nft
}

/// The runner: one address on each gateway link, routes to mapped public IPs
/// and to public subnets' IPv6 blocks only.
pub fn runner_config(spec: &LabSpec) -> NsConfig {
    let mut ip = Vec::new();
    let mut ip6 = Vec::new();
    let with_gateway = spec.vpcs.iter().filter(|v| spec.has_gateway(&v.id));
    for vpc in with_gateway.clone() {
        let link = names::runner_gateway_link(&vpc.id);
        ip.push(format!("link set {link} up"));
        ip.push(format!("addr replace {RUNNER_IP}/32 dev {link}"));
        ip6.push(format!(
            "addr replace {RUNNER_LINK_IP6}/64 dev {link} nodad"
        ));
        ip6.push(format!("addr replace {RUNNER_IP6}/128 dev {link} nodad"));
    }
    ip.push("route flush table main".into());
    ip6.push("route flush table main".into());
    for vpc in with_gateway {
        let link = names::runner_gateway_link(&vpc.id);
        let router = spec.router_ip(&vpc.id);
        for (public, _) in mapped(spec, &vpc.id) {
            ip.push(format!(
                "route add {public}/32 via {router} dev {link} onlink"
            ));
        }
        let router6 = spec.router_ip6(&vpc.id);
        for block in spec
            .subnets_of(&vpc.id)
            .filter_map(|s| spec.public_ipv6_block(s))
        {
            ip6.push(format!("route add {block} via {router6} dev {link}"));
        }
    }
    NsConfig {
        ip,
        ip6,
        nft: String::new(),
    }
}
