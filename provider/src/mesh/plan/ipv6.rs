//! IPv6 blocks of the mesh's VPCs and subnets. A VPC that wants IPv6 and holds no block
//! asks EC2 for one (the rest follows in the next round, once the block is known); a
//! subnet gets its /64, or changes it when its index or the VPC's block changed. Blocks
//! go in the order AWS needs: the IPv6 routes and rules first, then the subnets'
//! blocks, then the VPC's.

use std::collections::HashMap;

use ipnet::IpNet;

use super::build::Builder;
use super::Op;
use crate::ec2::types::{SubnetObs, VpcObs};
use crate::mesh::key::Key;

impl Builder<'_> {
    /// After `routes` and `groups`: taking blocks away waits for their steps.
    pub(super) fn ipv6(&mut self) {
        let d = self.d;
        let vpcs: HashMap<&str, &VpcObs> = self
            .actual
            .vpcs
            .iter()
            .map(|v| (v.id.as_str(), v))
            .collect();
        let subnets: HashMap<&str, &SubnetObs> = self
            .actual
            .subnets
            .iter()
            .map(|s| (s.id.as_str(), s))
            .collect();
        let uses_first = self.g.matching(|op| {
            matches!(
                op,
                Op::DeleteRoute {
                    destination: IpNet::V6(_),
                    ..
                } | Op::RevokeIngress { .. }
            )
        });
        let mut subnet_blocks_gone: HashMap<&str, Vec<usize>> = HashMap::new();
        for ((vpc, sub), want) in &d.subnets {
            let key = Key::Subnet(vpc.clone(), sub.clone());
            let held = self
                .known
                .get(&key)
                .and_then(|id| subnets.get(id.as_str()))
                .and_then(|s| Some((s.ipv6_cidr?, s.ipv6_association_id.clone())));
            if want.ipv6_cidr.is_some() && want.ipv6_cidr == held.as_ref().map(|(b, _)| *b) {
                continue;
            }
            let mut after = vec![self.ready_of(&key)];
            if let Some((_, Some(association_id))) = held {
                let op = Op::DisassociateSubnetIpv6 {
                    vpc: vpc.clone(),
                    subnet: sub.clone(),
                    region: want.region.clone(),
                    association_id,
                };
                let step = self.g.add(op, uses_first.iter().copied().map(Some));
                subnet_blocks_gone.entry(vpc).or_default().push(step);
                after.push(Some(step));
            }
            if let Some(cidr) = want.ipv6_cidr {
                let op = Op::AssociateSubnetIpv6 {
                    vpc: vpc.clone(),
                    subnet: sub.clone(),
                    region: want.region.clone(),
                    cidr,
                };
                self.g.add(op, after);
            }
        }
        for (name, want) in &d.vpcs {
            let key = Key::Vpc(name.clone());
            let observed = self.known.get(&key).and_then(|id| vpcs.get(id.as_str()));
            let held = observed.and_then(|v| v.ipv6_cidr.map(|_| v.ipv6_association_id.clone()));
            match held {
                None if want.ipv6 => {
                    let op = Op::AssociateVpcIpv6 {
                        vpc: name.clone(),
                        region: want.region.clone(),
                    };
                    self.g.add(op, [self.ready_of(&key)]);
                }
                // An adopted VPC's block is not the mesh's to take away.
                Some(Some(association_id)) if !want.ipv6 && want.adopted_id.is_none() => {
                    let op = Op::DisassociateVpcIpv6 {
                        vpc: name.clone(),
                        region: want.region.clone(),
                        association_id,
                    };
                    let subnets_first = subnet_blocks_gone.get(name.as_str()).into_iter().flatten();
                    let after = uses_first.iter().chain(subnets_first).copied().map(Some);
                    self.g.add(op, after.collect::<Vec<_>>());
                }
                _ => {}
            }
        }
    }
}
