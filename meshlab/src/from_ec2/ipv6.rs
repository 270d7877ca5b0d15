//! IPv6 as EC2 (moto) lists it: VPC and subnet blocks by their association
//! state, instances' addresses on their network interfaces.

use std::collections::BTreeMap;
use std::net::Ipv6Addr;

use ipnet::Ipv6Net;
use roxmltree::Node;

use crate::query::{child, items, text};
use crate::spec::LabSpec;

/// The IPv6 block of a VPC or subnet: the first association that is not
/// going or gone. Judged by "not disassociat*/fail*" rather than
/// `== associated`: moto keeps a VPC's disassociated block listed, and gives
/// subnets the literal state `{'State': 'associated'}`.
pub(super) fn ipv6_block(node: Node) -> Option<Ipv6Net> {
    items(node, "ipv6CidrBlockAssociationSet")
        .filter(|a| {
            let state = child(*a, "ipv6CidrBlockState")
                .and_then(|s| text(s, "state"))
                .unwrap_or_default();
            !(state.starts_with("disassociat") || state.starts_with("fail"))
        })
        .find_map(|a| text(a, "ipv6CidrBlock")?.parse().ok())
}

/// The IPv6 addresses of the instance's network interfaces (moto lists them
/// there only, not at the instance's top level).
pub(super) fn ipv6_addresses(i: Node) -> Vec<Ipv6Addr> {
    let mut addresses: Vec<Ipv6Addr> = Vec::new();
    let all = items(i, "networkInterfaceSet").flat_map(|n| items(n, "ipv6AddressesSet"));
    for address in all.filter_map(|a| text(a, "ipv6Address")?.parse().ok()) {
        if !addresses.contains(&address) {
            addresses.push(address);
        }
    }
    addresses
}

/// Drops instance IPv6 addresses outside their subnet's current /64: moto
/// lets a subnet's block go while instances keep addresses in it (EC2 does
/// not), and no packet reaches such an address.
pub(super) fn keep_carried_ipv6(spec: &mut LabSpec) {
    let blocks: BTreeMap<String, Option<Ipv6Net>> = spec
        .subnets
        .iter()
        .map(|s| (s.id.clone(), s.ipv6_cidr))
        .collect();
    for instance in &mut spec.instances {
        let block = blocks.get(&instance.subnet_id).copied().flatten();
        instance
            .ipv6_addresses
            .retain(|a| block.is_some_and(|b| b.contains(a)));
    }
}
