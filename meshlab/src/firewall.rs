//! Security groups as nftables in the instance's namespace: stateful ingress
//! (replies to what the host sent are let in), then the union of its
//! groups' rules, then drop; egress is open, as with EC2's default egress.
//! IPv6 neighbour discovery is always let in: EC2's groups never filter it
//! (it is how the VPC router and the host find each other on the link).

use ipnet::IpNet;

use crate::spec::{IngressSpec, InstanceSpec, LabSpec, Protocol};

const TABLE: &str = "meshlab_sg";

pub fn host_ruleset(spec: &LabSpec, instance: &InstanceSpec) -> String {
    let mut nft = format!("table inet {TABLE}\ndelete table inet {TABLE}\n");
    nft.push_str(&format!("table inet {TABLE} {{\n  chain input {{\n"));
    nft.push_str("    type filter hook input priority 0; policy drop;\n");
    nft.push_str("    iif \"lo\" accept\n");
    nft.push_str("    ct state established,related accept\n");
    nft.push_str(
        "    icmpv6 type { nd-router-solicit, nd-router-advert, nd-neighbor-solicit, \
         nd-neighbor-advert } accept\n",
    );
    for group_id in &instance.security_group_ids {
        let Some(group) = spec.security_group(group_id) else {
            continue;
        };
        for rule in &group.ingress {
            nft.push_str(&format!(
                "    {} accept comment \"{group_id}\"\n",
                matcher(rule)
            ));
        }
    }
    nft.push_str("  }\n}\n");
    nft
}

/// The match part of one rule, e.g. `ip saddr 10.0.0.0/8 tcp dport 22` or
/// `ip6 saddr 2400:6500::/56 meta l4proto ipv6-icmp`. A rule whose protocol
/// cannot travel in its source's family (ICMP from an IPv6 range, ICMPv6 from
/// an IPv4 one) matches nothing, as in EC2.
pub fn matcher(rule: &IngressSpec) -> String {
    let source = match rule.source {
        IpNet::V4(net) => format!("ip saddr {net}"),
        IpNet::V6(net) => format!("ip6 saddr {net}"),
    };
    let any = |port: Option<i32>| port.is_none_or(|p| p < 0);
    let icmp = |name: &str, l4: &str| {
        if any(rule.from_port) {
            return format!("{source} meta l4proto {l4}");
        }
        let code = match rule.to_port {
            Some(code) if code >= 0 => format!(" {name} code {code}"),
            _ => String::new(),
        };
        format!(
            "{source} {name} type {}{code}",
            rule.from_port.unwrap_or_default()
        )
    };
    match rule.protocol {
        Protocol::All => source,
        Protocol::Icmp => icmp("icmp", "icmp"),
        Protocol::Icmpv6 => icmp("icmpv6", "ipv6-icmp"),
        Protocol::Tcp | Protocol::Udp => {
            let name = if rule.protocol == Protocol::Tcp {
                "tcp"
            } else {
                "udp"
            };
            match (rule.from_port, rule.to_port) {
                (from, to) if any(from) || any(to) => format!("{source} meta l4proto {name}"),
                (Some(from), Some(to)) if from == to => format!("{source} {name} dport {from}"),
                (Some(from), Some(to)) => format!("{source} {name} dport {from}-{to}"),
                _ => unreachable!("no port is `any` above"),
            }
        }
        Protocol::Number(n) => format!("{source} meta l4proto {n}"),
    }
}

#[cfg(test)]
mod tests {
    use super::super::build::{all_from, icmp_from, tcp_from};
    use super::*;

    #[test]
    fn rules_match_what_ec2_permissions_allow() {
        assert_eq!(
            matcher(&icmp_from("10.0.0.0/8")),
            "ip saddr 10.0.0.0/8 meta l4proto icmp"
        );
        assert_eq!(
            matcher(&tcp_from(22, "0.0.0.0/0")),
            "ip saddr 0.0.0.0/0 tcp dport 22"
        );
        assert_eq!(matcher(&all_from("10.1.0.0/16")), "ip saddr 10.1.0.0/16");
        let mut echo = icmp_from("10.2.0.0/16");
        (echo.from_port, echo.to_port) = (Some(8), Some(-1));
        assert_eq!(matcher(&echo), "ip saddr 10.2.0.0/16 icmp type 8");
        let mut range = tcp_from(80, "10.3.0.0/16");
        range.to_port = Some(90);
        assert_eq!(matcher(&range), "ip saddr 10.3.0.0/16 tcp dport 80-90");
    }
}
