//! Peerings, keyed by their sorted VPC pair: a live peering between the two VPCs is
//! kept (accepted and waited for as its status needs), anything else is replaced.

use super::build::Builder;
use super::index::{candidates, vpc_pair};
use super::{owner_tags, Blocker, Op};
use crate::ec2::types::{PeeringObs, PeeringStatus};
use crate::mesh::key::Key;
use crate::mesh::model::Pair;

impl<'a> Builder<'a> {
    /// A live peering between the pair's two VPCs stays (this mesh's first, in either
    /// direction); it is accepted and waited for as its status needs. None: a new one.
    pub(super) fn peerings(&mut self) {
        let d = self.d;
        for (pair, want) in &d.peerings {
            let key = Key::Peering(pair.clone());
            let (a, b) = (Key::Vpc(pair.a.clone()), Key::Vpc(pair.b.clone()));
            let found = match (self.known.get(&a), self.known.get(&b)) {
                (Some(a_id), Some(b_id)) => {
                    let vpcs = vpc_pair(a_id, b_id);
                    let found = self.live_peering(&key, vpcs);
                    if found.is_none() {
                        if let Some(other) = self.ix.foreign_peerings.get(&vpcs) {
                            let message = foreign_peering(pair, a_id, other[0]);
                            self.blocked.push(Blocker {
                                component: key.to_string(),
                                message,
                            });
                            continue;
                        }
                    }
                    found
                }
                _ => None,
            };
            let (mut last, requester_region, accepter_region, dns) = match found {
                Some(p) => {
                    self.keep(key.clone(), &p.id);
                    self.retag(key.clone(), &p.requester_region, &p.tags, &want.tags);
                    let (req, acc) = (p.requester_region.clone(), p.accepter_region.clone());
                    let last = match p.status {
                        PeeringStatus::Active => None,
                        PeeringStatus::Provisioning => Some(self.g.add(
                            Op::WaitPeeringActive {
                                pair: pair.clone(),
                                region: req.clone(),
                            },
                            [],
                        )),
                        _ => {
                            let accept = Op::AcceptPeering {
                                pair: pair.clone(),
                                requester_region: req.clone(),
                                accepter_region: acc.clone(),
                            };
                            let step = self.g.add(accept, []);
                            Some(self.g.add(
                                Op::WaitPeeringActive {
                                    pair: pair.clone(),
                                    region: req.clone(),
                                },
                                [Some(step)],
                            ))
                        }
                    };
                    (last, req, acc, (p.requester_dns, p.accepter_dns))
                }
                None => {
                    let (req, acc) = (want.requester_region.clone(), want.accepter_region.clone());
                    let create = Op::CreatePeering {
                        pair: pair.clone(),
                        requester_region: req.clone(),
                        accepter_region: acc.clone(),
                        tags: want.tags.clone(),
                    };
                    let created = self.g.add(create, [self.ready_of(&a), self.ready_of(&b)]);
                    let accept = Op::AcceptPeering {
                        pair: pair.clone(),
                        requester_region: req.clone(),
                        accepter_region: acc.clone(),
                    };
                    let accepted = self.g.add(accept, [Some(created)]);
                    let active = self.g.add(
                        Op::WaitPeeringActive {
                            pair: pair.clone(),
                            region: req.clone(),
                        },
                        [Some(accepted)],
                    );
                    (Some(active), req, acc, (false, false))
                }
            };
            if dns != (want.dns_resolution, want.dns_resolution) {
                let op = Op::SetPeeringDns {
                    pair: pair.clone(),
                    requester_region,
                    accepter_region,
                    allow: want.dns_resolution,
                };
                last = Some(self.g.add(op, [last]));
            }
            if let Some(step) = last {
                self.ready.insert(key, step);
            }
        }
    }

    /// The mesh's live peering between the two VPCs: the one closest to active, then
    /// the one in use (the index's order).
    fn live_peering(&self, key: &Key, vpcs: (&str, &str)) -> Option<&'a PeeringObs> {
        candidates(&self.ix.peerings, key)
            .iter()
            .copied()
            .filter(|p| vpc_pair(&p.requester_vpc_id, &p.accepter_vpc_id) == vpcs)
            .enumerate()
            .min_by_key(|(i, p)| (status_rank(p.status), *i))
            .map(|(_, p)| p)
    }
}

/// The diagnostic for a peering between two mesh VPCs that the mesh did not make.
fn foreign_peering(pair: &Pair, a_id: &str, p: &PeeringObs) -> String {
    let name = |vpc_id: &str| if vpc_id == a_id { &pair.a } else { &pair.b };
    format!(
        "VPC peering connection {} ({}) already joins {} ({}) and {} ({}), and it is not this mesh's ({}). AWS allows one peering between two VPCs, so the mesh cannot make its own, and it never adopts, changes or deletes a peering it did not make. Delete that peering (aws ec2 delete-vpc-peering-connection --vpc-peering-connection-id {}), or leave the pair out of the mesh (topology = \"explicit\"); the next apply then completes the mesh.",
        p.id,
        p.status.as_str(),
        p.requester_vpc_id,
        name(&p.requester_vpc_id),
        p.accepter_vpc_id,
        name(&p.accepter_vpc_id),
        owner_tags(&p.tags),
        p.id,
    )
}

/// The peering closest to active wins among duplicates.
fn status_rank(s: PeeringStatus) -> u8 {
    match s {
        PeeringStatus::Active => 0,
        PeeringStatus::Provisioning => 1,
        PeeringStatus::PendingAcceptance => 2,
        PeeringStatus::InitiatingRequest => 3,
        _ => 4,
    }
}
