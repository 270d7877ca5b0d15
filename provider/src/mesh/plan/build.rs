//! Matching desired components with what EC2 holds, parents before children: a child
//! only matches inside its parent's matched object (a subnet of a replaced VPC is
//! replaced with it). Every desired component either gets an id (`known`) or a step that
//! creates it (`ready`: the step after which it is usable).

use std::collections::{BTreeMap, HashMap, HashSet};

use ipnet::Ipv4Net;

use super::graph::Graph;
use super::index::{candidates, vpc_pair, Index};
use super::{Op, Plan};
use crate::ec2::types::{Inventory, PeeringObs, PeeringStatus, RouteTableObs, Tags};
use crate::mesh::desired::Desired;
use crate::mesh::key::Key;

pub(super) struct Builder<'a> {
    pub d: &'a Desired,
    pub ix: Index<'a>,
    pub g: Graph,
    pub known: BTreeMap<Key, String>,
    pub ready: HashMap<Key, usize>,
    /// Ids of inventory objects that stay; every other tagged object is deleted.
    pub kept: HashSet<&'a str>,
    /// Existing tables whose routes the mesh reconciles: its subnet tables and the main
    /// tables of its VPCs.
    pub kept_tables: BTreeMap<Key, &'a RouteTableObs>,
    pub late: Late,
}

/// Steps that later deletions must follow or precede, by the AWS id involved.
#[derive(Default)]
pub(super) struct Late {
    /// Subnet creations in an existing VPC: after deletions of overlapping subnets there.
    pub subnet_creates: HashMap<String, Vec<(usize, Ipv4Net)>>,
    /// Rule revocations per VPC id: after the peerings of that VPC are gone.
    pub revokes: HashMap<String, Vec<usize>>,
    /// Deleted or repointed routes per target id: before that target goes.
    pub route_changes: HashMap<String, Vec<usize>>,
    /// One disassociation step per association id.
    pub disassociations: HashMap<String, usize>,
}

impl<'a> Builder<'a> {
    pub fn new(d: &'a Desired, actual: &'a Inventory) -> Self {
        Builder {
            d,
            ix: Index::new(&d.mesh_id, actual),
            g: Graph::default(),
            known: BTreeMap::new(),
            ready: HashMap::new(),
            kept: HashSet::new(),
            kept_tables: BTreeMap::new(),
            late: Late::default(),
        }
    }

    pub fn build(mut self) -> Plan {
        self.vpcs();
        self.subnets();
        self.route_tables();
        self.associations();
        self.gateways();
        self.groups();
        self.peerings();
        self.routes();
        self.removals();
        Plan { mesh_id: self.d.mesh_id.clone(), known: self.known, steps: self.g.into_steps() }
    }

    pub fn ready_of(&self, key: &Key) -> Option<usize> {
        self.ready.get(key).copied()
    }

    fn keep(&mut self, key: Key, id: &'a str) {
        self.known.insert(key, id.to_string());
        self.kept.insert(id);
    }

    /// Makes the object's tags exactly the desired ones (AWS's own `aws:` tags aside).
    fn retag(&mut self, key: Key, region: &str, observed: &Tags, desired: &Tags) {
        let add: Tags = desired.iter().filter(|(k, v)| observed.get(*k) != Some(*v)).map(|(k, v)| (k.clone(), v.clone())).collect();
        let remove: Vec<String> = observed.keys().filter(|k| !desired.contains_key(*k) && !k.starts_with("aws:")).cloned().collect();
        if !add.is_empty() || !remove.is_empty() {
            self.g.add(Op::SetTags { key, region: region.to_string(), add, remove }, []);
        }
    }

    fn vpcs(&mut self) {
        let d = self.d;
        for (name, want) in &d.vpcs {
            let key = Key::Vpc(name.clone());
            if let Some(id) = &want.adopted_id {
                self.keep(key, id);
                continue;
            }
            let found = candidates(&self.ix.vpcs, &key).iter().find(|v| v.cidr == want.cidr && v.region == want.region).copied();
            match found {
                Some(v) => {
                    self.keep(key.clone(), &v.id);
                    self.retag(key, &v.region, &v.tags, &want.tags);
                }
                None => {
                    let op = Op::CreateVpc { vpc: name.clone(), region: want.region.clone(), cidr: want.cidr, tags: want.tags.clone() };
                    let step = self.g.add(op, []);
                    self.ready.insert(key, step);
                }
            }
        }
        for name in d.vpcs.keys() {
            let main = self.known.get(&Key::Vpc(name.clone())).and_then(|id| self.ix.main_tables.get(id.as_str()).copied());
            if let Some(table) = main {
                self.known.insert(Key::MainRouteTable(name.clone()), table.id.clone());
                self.kept_tables.insert(Key::MainRouteTable(name.clone()), table);
            }
        }
        for table in d.routes.keys() {
            if let Key::MainRouteTable(vpc) = table {
                if !self.known.contains_key(table) {
                    let op = Op::FindMainRouteTable { vpc: vpc.clone(), region: d.vpcs[vpc].region.clone() };
                    let step = self.g.add(op, [self.ready_of(&Key::Vpc(vpc.clone()))]);
                    self.ready.insert(table.clone(), step);
                }
            }
        }
    }

    fn subnets(&mut self) {
        let d = self.d;
        for ((vpc, sub), want) in &d.subnets {
            let key = Key::Subnet(vpc.clone(), sub.clone());
            let vpc_key = Key::Vpc(vpc.clone());
            let vpc_id = self.known.get(&vpc_key).cloned();
            let found = candidates(&self.ix.subnets, &key)
                .iter()
                .find(|s| {
                    Some(&s.vpc_id) == vpc_id.as_ref()
                        && s.cidr == want.cidr
                        && want.availability_zone.as_ref().is_none_or(|az| *az == s.availability_zone)
                })
                .copied();
            if let Some(s) = found {
                self.keep(key.clone(), &s.id);
                self.retag(key, &s.region, &s.tags, &want.tags);
                continue;
            }
            let op = Op::CreateSubnet {
                vpc: vpc.clone(),
                subnet: sub.clone(),
                region: want.region.clone(),
                cidr: want.cidr,
                availability_zone: want.availability_zone.clone(),
                tags: want.tags.clone(),
            };
            let step = self.g.add(op, [self.ready_of(&vpc_key)]);
            self.ready.insert(key, step);
            if let Some(id) = vpc_id {
                self.late.subnet_creates.entry(id).or_default().push((step, want.cidr));
            }
        }
    }

    fn route_tables(&mut self) {
        let d = self.d;
        for ((vpc, sub), want) in &d.route_tables {
            let key = Key::RouteTable(vpc.clone(), sub.clone());
            let vpc_key = Key::Vpc(vpc.clone());
            let vpc_id = self.known.get(&vpc_key);
            let found = candidates(&self.ix.tables, &key).iter().find(|t| Some(&t.vpc_id) == vpc_id).copied();
            if let Some(t) = found {
                self.keep(key.clone(), &t.id);
                self.kept_tables.insert(key.clone(), t);
                self.retag(key, &t.region, &t.tags, &want.tags);
                continue;
            }
            let op = Op::CreateRouteTable { vpc: vpc.clone(), subnet: sub.clone(), region: want.region.clone(), tags: want.tags.clone() };
            let step = self.g.add(op, [self.ready_of(&vpc_key)]);
            self.ready.insert(key, step);
        }
    }

    /// Each subnet explicitly associated with its own table, and with no other.
    fn associations(&mut self) {
        let d = self.d;
        for ((vpc, sub), want) in &d.subnets {
            let (subnet_key, table_key) = (Key::Subnet(vpc.clone(), sub.clone()), Key::RouteTable(vpc.clone(), sub.clone()));
            let assoc_key = Key::Association(vpc.clone(), sub.clone());
            let table_id = self.known.get(&table_key).cloned();
            let mut after = vec![self.ready_of(&subnet_key), self.ready_of(&table_key)];
            let mut associated = false;
            if let Some(subnet_id) = self.known.get(&subnet_key).cloned() {
                let current = self.ix.associations.get(subnet_id.as_str()).cloned().unwrap_or_default();
                for (assoc, table) in current {
                    if Some(&table.id) == table_id.as_ref() {
                        self.known.insert(assoc_key.clone(), assoc.to_string());
                        associated = true;
                    } else {
                        after.push(Some(self.disassociate(&table.region, assoc, &table.id, &subnet_id)));
                    }
                }
            }
            if !associated {
                let op = Op::AssociateRouteTable { vpc: vpc.clone(), subnet: sub.clone(), region: want.region.clone() };
                let step = self.g.add(op, after);
                self.ready.insert(assoc_key, step);
            }
        }
    }

    pub fn disassociate(&mut self, region: &str, assoc: &str, table_id: &str, subnet_id: &str) -> usize {
        if let Some(&step) = self.late.disassociations.get(assoc) {
            return step;
        }
        let op = Op::DisassociateRouteTable {
            region: region.to_string(),
            association_id: assoc.to_string(),
            route_table_id: table_id.to_string(),
            subnet_id: subnet_id.to_string(),
        };
        let step = self.g.add(op, []);
        self.late.disassociations.insert(assoc.to_string(), step);
        step
    }

    /// A gateway attached to the VPC stays; else an unattached one is attached (left by
    /// a run that stopped between create and attach); else a new one.
    fn gateways(&mut self) {
        let d = self.d;
        for (vpc, want) in &d.internet_gateways {
            let key = Key::InternetGateway(vpc.clone());
            let vpc_key = Key::Vpc(vpc.clone());
            let vpc_id = self.known.get(&vpc_key).cloned();
            let all = candidates(&self.ix.gateways, &key);
            let attached = all.iter().find(|g| vpc_id.as_ref().is_some_and(|id| g.attached_vpc_ids.contains(id))).copied();
            let loose = all.iter().find(|g| g.attached_vpc_ids.is_empty()).copied();
            let created = match attached.or(loose) {
                Some(g) => {
                    self.keep(key.clone(), &g.id);
                    self.retag(key.clone(), &g.region, &g.tags, &want.tags);
                    None
                }
                None => Some(self.g.add(Op::CreateInternetGateway { vpc: vpc.clone(), region: want.region.clone(), tags: want.tags.clone() }, [])),
            };
            if attached.is_none() {
                let op = Op::AttachInternetGateway { vpc: vpc.clone(), region: want.region.clone() };
                let step = self.g.add(op, [created, self.ready_of(&vpc_key)]);
                self.ready.insert(key, step);
            }
        }
    }

    fn groups(&mut self) {
        let d = self.d;
        for (vpc, want) in &d.security_groups {
            let key = Key::SecurityGroup(vpc.clone());
            let vpc_key = Key::Vpc(vpc.clone());
            let vpc_id = self.known.get(&vpc_key);
            let found = candidates(&self.ix.groups, &key).iter().find(|g| Some(&g.vpc_id) == vpc_id).copied();
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
                    self.g.add(Op::AuthorizeIngress { vpc: vpc.clone(), region: want.region.clone(), rules }, [Some(step)]);
                }
                continue;
            };
            self.keep(key.clone(), &group.id);
            self.retag(key, &group.region, &group.tags, &want.tags);
            let have: HashSet<_> = group.rules.iter().collect();
            let missing: Vec<_> = want.rules.iter().filter(|r| !have.contains(r)).cloned().collect();
            let mut extra: Vec<_> = group.rules.iter().filter(|r| !want.rules.contains(*r)).cloned().collect();
            extra.sort();
            extra.dedup();
            if !missing.is_empty() {
                self.g.add(Op::AuthorizeIngress { vpc: vpc.clone(), region: group.region.clone(), rules: missing }, []);
            }
            if !extra.is_empty() {
                let step = self.g.add(Op::RevokeIngress { vpc: vpc.clone(), region: group.region.clone(), rules: extra }, []);
                self.late.revokes.entry(group.vpc_id.clone()).or_default().push(step);
            }
        }
    }

    /// A live peering between the pair's two VPCs stays (this mesh's first, in either
    /// direction); it is accepted and waited for as its status needs. None: a new one.
    fn peerings(&mut self) {
        let d = self.d;
        for (pair, want) in &d.peerings {
            let key = Key::Peering(pair.clone());
            let (a, b) = (Key::Vpc(pair.a.clone()), Key::Vpc(pair.b.clone()));
            let found = match (self.known.get(&a), self.known.get(&b)) {
                (Some(a_id), Some(b_id)) => self.live_peering(&key, vpc_pair(a_id, b_id)),
                _ => None,
            };
            let (mut last, requester_region, accepter_region, dns) = match found {
                Some(p) => {
                    self.keep(key.clone(), &p.id);
                    self.retag(key.clone(), &p.requester_region, &p.tags, &want.tags);
                    let (req, acc) = (p.requester_region.clone(), p.accepter_region.clone());
                    let last = match p.status {
                        PeeringStatus::Active => None,
                        PeeringStatus::Provisioning => Some(self.g.add(Op::WaitPeeringActive { pair: pair.clone(), region: req.clone() }, [])),
                        _ => {
                            let accept = Op::AcceptPeering { pair: pair.clone(), requester_region: req.clone(), accepter_region: acc.clone() };
                            let step = self.g.add(accept, []);
                            Some(self.g.add(Op::WaitPeeringActive { pair: pair.clone(), region: req.clone() }, [Some(step)]))
                        }
                    };
                    (last, req, acc, (p.requester_dns, p.accepter_dns))
                }
                None => {
                    let (req, acc) = (want.requester_region.clone(), want.accepter_region.clone());
                    let create = Op::CreatePeering { pair: pair.clone(), requester_region: req.clone(), accepter_region: acc.clone(), tags: want.tags.clone() };
                    let created = self.g.add(create, [self.ready_of(&a), self.ready_of(&b)]);
                    let accept = Op::AcceptPeering { pair: pair.clone(), requester_region: req.clone(), accepter_region: acc.clone() };
                    let accepted = self.g.add(accept, [Some(created)]);
                    let active = self.g.add(Op::WaitPeeringActive { pair: pair.clone(), region: req.clone() }, [Some(accepted)]);
                    (Some(active), req, acc, (false, false))
                }
            };
            if dns != (want.dns_resolution, want.dns_resolution) {
                let op = Op::SetPeeringDns { pair: pair.clone(), requester_region, accepter_region, allow: want.dns_resolution };
                last = Some(self.g.add(op, [last]));
            }
            if let Some(step) = last {
                self.ready.insert(key, step);
            }
        }
    }

    fn live_peering(&self, key: &Key, vpcs: (&str, &str)) -> Option<&'a PeeringObs> {
        let tagged = candidates(&self.ix.peerings, key).iter().copied();
        closest(tagged.filter(|p| vpc_pair(&p.requester_vpc_id, &p.accepter_vpc_id) == vpcs))
            .or_else(|| self.ix.untagged_peerings.get(&vpcs).and_then(|ps| closest(ps.iter().copied())))
    }
}

fn closest<'a>(peerings: impl Iterator<Item = &'a PeeringObs>) -> Option<&'a PeeringObs> {
    peerings.min_by_key(|p| (status_rank(p.status), p.id.as_str()))
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
