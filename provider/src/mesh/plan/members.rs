//! Per-VPC members besides subnets: the internet gateway and the security group with
//! its rules (reconciled rule by rule).

use std::collections::HashSet;

use super::build::Builder;
use super::index::candidates;
use super::Op;
use crate::mesh::key::Key;

impl Builder<'_> {
    /// A gateway attached to the VPC stays; else an unattached one is attached (left by
    /// a run that stopped between create and attach); else a new one.
    pub(super) fn gateways(&mut self) {
        let d = self.d;
        for (vpc, want) in &d.internet_gateways {
            let key = Key::InternetGateway(vpc.clone());
            let vpc_key = Key::Vpc(vpc.clone());
            let vpc_id = self.known.get(&vpc_key).cloned();
            let all = candidates(&self.ix.gateways, &key);
            let attached = all
                .iter()
                .find(|g| {
                    vpc_id
                        .as_ref()
                        .is_some_and(|id| g.attached_vpc_ids.contains(id))
                })
                .copied();
            let loose = all.iter().find(|g| g.attached_vpc_ids.is_empty()).copied();
            let created = match attached.or(loose) {
                Some(g) => {
                    self.keep(key.clone(), &g.id);
                    self.retag(key.clone(), &g.region, &g.tags, &want.tags);
                    None
                }
                None => Some(self.g.add(
                    Op::CreateInternetGateway {
                        vpc: vpc.clone(),
                        region: want.region.clone(),
                        tags: want.tags.clone(),
                    },
                    [],
                )),
            };
            if attached.is_none() {
                let op = Op::AttachInternetGateway {
                    vpc: vpc.clone(),
                    region: want.region.clone(),
                };
                let step = self.g.add(op, [created, self.ready_of(&vpc_key)]);
                self.ready.insert(key, step);
            }
        }
    }

    pub(super) fn groups(&mut self) {
        let d = self.d;
        for (vpc, want) in &d.security_groups {
            let key = Key::SecurityGroup(vpc.clone());
            let vpc_key = Key::Vpc(vpc.clone());
            let vpc_id = self.known.get(&vpc_key);
            let found = candidates(&self.ix.groups, &key)
                .iter()
                .find(|g| Some(&g.vpc_id) == vpc_id)
                .copied();
            let Some(group) = found else {
                let op = Op::CreateSecurityGroup {
                    vpc: vpc.clone(),
                    region: want.region.clone(),
                    group_name: want.group_name.clone(),
                    description: want.description.clone(),
                    tags: want.tags.clone(),
                };
                let step = self.g.add(op, [self.ready_of(&vpc_key)]);
                self.ready.insert(key, step);
                if !want.rules.is_empty() {
                    let rules = want.rules.iter().cloned().collect();
                    self.g.add(
                        Op::AuthorizeIngress {
                            vpc: vpc.clone(),
                            region: want.region.clone(),
                            rules,
                        },
                        [Some(step)],
                    );
                }
                continue;
            };
            self.keep(key.clone(), &group.id);
            self.retag(key, &group.region, &group.tags, &want.tags);
            let have: HashSet<_> = group.rules.iter().collect();
            let missing: Vec<_> = want
                .rules
                .iter()
                .filter(|r| !have.contains(r))
                .cloned()
                .collect();
            let mut extra: Vec<_> = group
                .rules
                .iter()
                .filter(|r| !want.rules.contains(*r))
                .cloned()
                .collect();
            extra.sort();
            extra.dedup();
            if !missing.is_empty() {
                self.g.add(
                    Op::AuthorizeIngress {
                        vpc: vpc.clone(),
                        region: group.region.clone(),
                        rules: missing,
                    },
                    [],
                );
            }
            if !extra.is_empty() {
                let step = self.g.add(
                    Op::RevokeIngress {
                        vpc: vpc.clone(),
                        region: group.region.clone(),
                        rules: extra,
                    },
                    [],
                );
                self.late
                    .revokes
                    .entry(group.vpc_id.clone())
                    .or_default()
                    .push(step);
            }
        }
    }
}
