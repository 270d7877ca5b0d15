//! Security groups as nftables in the instance's namespace: stateful ingress
//! (replies to what the host sent are let in), then the union of its
//! groups' rules, then drop; egress is open, as with EC2's default egress.

use crate::spec::{IngressSpec, InstanceSpec, LabSpec, Protocol};

const TABLE: &str = "meshlab_sg";

pub fn host_ruleset(spec: &LabSpec, instance: &InstanceSpec) -> String {
    let mut nft = format!("table inet {TABLE}\ndelete table inet {TABLE}\n");
    nft.push_str(&format!("table inet {TABLE} {{\n  chain input {{\n"));
    nft.push_str("    type filter hook input priority 0; policy drop;\n");
    nft.push_str("    iif \"lo\" accept\n");
    nft.push_str("    ct state established,related accept\n");
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

/// The match part of one rule, e.g. `ip saddr 10.0.0.0/8 tcp dport 22`.
pub fn matcher(rule: &IngressSpec) -> String {
    let source = format!("ip saddr {}", rule.source);
    let any = |port: Option<i32>| port.is_none_or(|p| p < 0);
    match rule.protocol {
        Protocol::All => source,
        Protocol::Icmp if any(rule.from_port) => format!("{source} meta l4proto icmp"),
        Protocol::Icmp => {
            let code = match rule.to_port {
                Some(code) if code >= 0 => format!(" icmp code {code}"),
                _ => String::new(),
            };
            format!(
                "{source} icmp type {}{code}",
                rule.from_port.unwrap_or_default()
            )
        }
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
