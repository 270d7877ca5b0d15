//! Deleting what matching left over: every object carrying this mesh's tag that is not
//! kept. Order follows what AWS refuses otherwise: routes before their peering or
//! gateway, peerings before a VPC's rules and group, associations before tables and
//! subnets, gateways detached before deletion, and a VPC last after everything in it.
//! Adopted VPCs are never deleted; what the mesh created in them is.

use std::collections::HashMap;

use super::build::Builder;
use super::index::label;
use super::{Doomed, Op};
use crate::mesh::validate::overlap;

impl<'a> Builder<'a> {
    pub(super) fn removals(&mut self) {
        let tagged = &self.ix.tagged;
        let kept = &self.kept;
        let doomed = |id: &str| !kept.contains(id);
        let peerings: Vec<_> = tagged
            .peerings
            .iter()
            .copied()
            .filter(|p| doomed(&p.id))
            .collect();
        let groups: Vec<_> = tagged
            .groups
            .iter()
            .copied()
            .filter(|g| doomed(&g.id))
            .collect();
        let tables: Vec<_> = tagged
            .tables
            .iter()
            .copied()
            .filter(|t| doomed(&t.id))
            .collect();
        let subnets: Vec<_> = tagged
            .subnets
            .iter()
            .copied()
            .filter(|s| doomed(&s.id))
            .collect();
        let gateways: Vec<_> = tagged
            .gateways
            .iter()
            .copied()
            .filter(|g| doomed(&g.id))
            .collect();
        let protected = &self.d.protected_vpc_ids;
        let vpcs: Vec<_> = tagged
            .vpcs
            .iter()
            .copied()
            .filter(|v| doomed(&v.id) && !protected.contains(&v.id))
            .collect();
        // Deletion steps per VPC id: the VPC's own deletion comes after all of them.
        let mut in_vpc: HashMap<&'a str, Vec<usize>> = HashMap::new();
        let mut peerings_of: HashMap<&'a str, Vec<usize>> = HashMap::new();

        for p in peerings {
            let doomed = Doomed {
                region: p.requester_region.clone(),
                id: p.id.clone(),
                label: label(&p.tags),
            };
            let after = self
                .late
                .route_changes
                .get(&p.id)
                .cloned()
                .unwrap_or_default();
            let step = self
                .g
                .add(Op::DeletePeering(doomed), after.into_iter().map(Some));
            for vpc in [p.requester_vpc_id.as_str(), p.accepter_vpc_id.as_str()] {
                in_vpc.entry(vpc).or_default().push(step);
                peerings_of.entry(vpc).or_default().push(step);
            }
        }
        for (vpc_id, revokes) in std::mem::take(&mut self.late.revokes) {
            let deletions = peerings_of
                .get(vpc_id.as_str())
                .cloned()
                .unwrap_or_default();
            for &revoke in &revokes {
                for &peering in &deletions {
                    self.g.edge(revoke, peering);
                }
            }
        }
        for g in groups {
            let doomed = Doomed {
                region: g.region.clone(),
                id: g.id.clone(),
                label: label(&g.tags),
            };
            let after = peerings_of
                .get(g.vpc_id.as_str())
                .cloned()
                .unwrap_or_default();
            let step = self
                .g
                .add(Op::DeleteSecurityGroup(doomed), after.into_iter().map(Some));
            in_vpc.entry(g.vpc_id.as_str()).or_default().push(step);
        }
        for t in tables {
            let mut associations: Vec<&(String, String)> = t.associations.iter().collect();
            associations.sort();
            let after: Vec<usize> = associations
                .into_iter()
                .map(|(assoc, subnet)| self.disassociate(&t.region, assoc, &t.id, subnet))
                .collect();
            let doomed = Doomed {
                region: t.region.clone(),
                id: t.id.clone(),
                label: label(&t.tags),
            };
            let step = self
                .g
                .add(Op::DeleteRouteTable(doomed), after.into_iter().map(Some));
            in_vpc.entry(t.vpc_id.as_str()).or_default().push(step);
        }
        for s in subnets {
            let associations = self
                .ix
                .associations
                .get(s.id.as_str())
                .cloned()
                .unwrap_or_default();
            let after: Vec<usize> = associations
                .iter()
                .map(|(assoc, t)| self.disassociate(&t.region, assoc, &t.id, &s.id))
                .collect();
            let doomed = Doomed {
                region: s.region.clone(),
                id: s.id.clone(),
                label: label(&s.tags),
            };
            let step = self
                .g
                .add(Op::DeleteSubnet(doomed), after.into_iter().map(Some));
            in_vpc.entry(s.vpc_id.as_str()).or_default().push(step);
            // A replacement subnet may reuse (part of) this block: create it afterwards.
            for &(create, cidr) in self
                .late
                .subnet_creates
                .get(&s.vpc_id)
                .into_iter()
                .flatten()
            {
                if overlap(cidr, s.cidr).is_some() {
                    self.g.edge(create, step);
                }
            }
        }
        for g in gateways {
            let mut detaches = Vec::new();
            for vpc_id in &g.attached_vpc_ids {
                let gateway = Doomed {
                    region: g.region.clone(),
                    id: g.id.clone(),
                    label: label(&g.tags),
                };
                let after = self
                    .late
                    .route_changes
                    .get(&g.id)
                    .cloned()
                    .unwrap_or_default();
                let op = Op::DetachInternetGateway {
                    gateway,
                    vpc_id: vpc_id.clone(),
                };
                let step = self.g.add(op, after.into_iter().map(Some));
                in_vpc.entry(vpc_id.as_str()).or_default().push(step);
                detaches.push(Some(step));
            }
            let doomed = Doomed {
                region: g.region.clone(),
                id: g.id.clone(),
                label: label(&g.tags),
            };
            self.g.add(Op::DeleteInternetGateway(doomed), detaches);
        }
        for v in vpcs {
            let doomed = Doomed {
                region: v.region.clone(),
                id: v.id.clone(),
                label: label(&v.tags),
            };
            let after = in_vpc.remove(v.id.as_str()).unwrap_or_default();
            self.g
                .add(Op::DeleteVpc(doomed), after.into_iter().map(Some));
        }
    }
}
