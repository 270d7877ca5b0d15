//! The IPv6 part of a mesh. EC2 picks each VPC's /56, so everything derived from it
//! (subnets' /64s, routes to a peer's block, ICMPv6 rules, `::/0` to the internet
//! gateway) is desired only once the block is known from the inventory, like adopted
//! VPCs' CIDRs: apply asks for the block in one round and plans the rest in the next.

use std::collections::BTreeMap;

use ipnet::{IpNet, Ipv6Net};

use super::{route_tables_of, Desired};
use crate::ec2::types::{IngressRule, Protocol};
use crate::mesh::key::{Key, RouteVia};
use crate::mesh::model::Mesh;

/// The `index`th /64 of a VPC's /56.
pub fn subnet_ipv6_cidr(vpc_block: Ipv6Net, index: u8) -> Ipv6Net {
    let base = u128::from(vpc_block.trunc().network());
    let network = base | (u128::from(index) << 64);
    Ipv6Net::new(network.into(), 64).expect("/64 is a valid prefix")
}

/// Each subnet's /64 index: its `ipv6_index`, else its position in name order. None for
/// an index out of 0-255 (validation reports it).
pub fn subnet_indexes(mesh: &Mesh, vpc: &str) -> BTreeMap<String, Option<u8>> {
    mesh.vpcs[vpc]
        .subnets
        .iter()
        .enumerate()
        .map(|(position, (name, s))| {
            let index = s.ipv6_index.unwrap_or(position as i64);
            (name.clone(), u8::try_from(index).ok())
        })
        .collect()
}

/// Adds to `d` what the known IPv6 blocks allow. `blocks`: the /56 EC2 holds for each
/// VPC of the mesh (by name); VPCs without `ipv6` are left out whatever they hold.
pub fn add_ipv6(d: &mut Desired, mesh: &Mesh, blocks: &BTreeMap<String, Ipv6Net>) {
    for (name, spec) in &mesh.vpcs {
        let Some(&block) = blocks.get(name).filter(|_| spec.ipv6) else {
            continue;
        };
        if let Some(vpc) = d.vpcs.get_mut(name) {
            vpc.ipv6_cidr = Some(block);
        }
        for (sub, index) in subnet_indexes(mesh, name) {
            let Some(index) = index else { continue };
            let key = (name.clone(), sub.clone());
            if let Some(subnet) = d.subnets.get_mut(&key) {
                subnet.ipv6_cidr = Some(subnet_ipv6_cidr(block, index));
                if subnet.public {
                    let everywhere = IpNet::V6(Ipv6Net::default());
                    d.routes
                        .entry(Key::RouteTable(name.clone(), sub))
                        .or_default()
                        .insert(everywhere, RouteVia::InternetGateway(name.clone()));
                }
            }
        }
    }
    let pairs: Vec<_> = d.peerings.keys().cloned().collect();
    for pair in pairs {
        let (Some(a), Some(b)) = (d.vpcs[&pair.a].ipv6_cidr, d.vpcs[&pair.b].ipv6_cidr) else {
            continue;
        };
        for (here, peer_block) in [(&pair.a, b), (&pair.b, a)] {
            for table in route_tables_of(mesh, here) {
                d.routes
                    .entry(table)
                    .or_default()
                    .insert(IpNet::V6(peer_block), RouteVia::Peering(pair.clone()));
            }
            if mesh.allow_icmp {
                if let Some(group) = d.security_groups.get_mut(here) {
                    group.rules.insert(IngressRule {
                        protocol: Protocol::Icmpv6,
                        cidr: IpNet::V6(peer_block),
                    });
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_subnets_block_is_the_indexed_64_of_the_vpcs_56() {
        let vpc: Ipv6Net = "2400:6500:13e1:8000::/56".parse().unwrap();
        assert_eq!(
            subnet_ipv6_cidr(vpc, 0).to_string(),
            "2400:6500:13e1:8000::/64"
        );
        assert_eq!(
            subnet_ipv6_cidr(vpc, 1).to_string(),
            "2400:6500:13e1:8001::/64"
        );
        assert_eq!(
            subnet_ipv6_cidr(vpc, 255).to_string(),
            "2400:6500:13e1:80ff::/64"
        );
    }
}
