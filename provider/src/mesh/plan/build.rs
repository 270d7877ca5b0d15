//! Matching desired components with what EC2 holds, parents before children: a child
//! only matches inside its parent's matched object (a subnet of a replaced VPC is
//! replaced with it). Every desired component either gets an id (`known`) or a step that
//! creates it (`ready`: the step after which it is usable).

use std::collections::{BTreeMap, HashMap, HashSet};

use ipnet::Ipv4Net;

use super::graph::Graph;
use super::index::{candidates, Index};
use super::{Blocker, Op, Plan};
use crate::ec2::types::{Inventory, RouteTableObs, Tags};
use crate::mesh::desired::Desired;
use crate::mesh::key::Key;

pub(super) struct Builder<'a> {
    pub d: &'a Desired,
    pub actual: &'a Inventory,
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
    pub blocked: Vec<Blocker>,
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
            actual,
            ix: Index::new(d, actual),
            g: Graph::default(),
            known: BTreeMap::new(),
            ready: HashMap::new(),
            kept: HashSet::new(),
            kept_tables: BTreeMap::new(),
            late: Late::default(),
            blocked: Vec::new(),
        }
    }

    pub fn build(mut self) -> Plan {
        self.vpcs();
        self.dns_hostnames();
        self.subnets();
        self.route_tables();
        self.associations();
        self.gateways();
        self.groups();
        self.peerings();
        self.routes();
        self.ipv6();
        self.removals();
        Plan {
            mesh_id: self.d.mesh_id.clone(),
            known: self.known,
            steps: self.g.into_steps(),
            blocked: self.blocked,
        }
    }

    pub fn ready_of(&self, key: &Key) -> Option<usize> {
        self.ready.get(key).copied()
    }

    pub(super) fn keep(&mut self, key: Key, id: &'a str) {
        self.known.insert(key, id.to_string());
        self.kept.insert(id);
    }

    /// Sets the desired tags and removes the mesh's own that are no longer desired
    /// (`peering:*` and keys it set before); tags others added are kept.
    pub(super) fn retag(&mut self, key: Key, region: &str, observed: &Tags, desired: &Tags) {
        let add: Tags = desired
            .iter()
            .filter(|(k, v)| observed.get(*k) != Some(*v))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let former = &self.d.ownership.tag_keys;
        let remove: Vec<String> = observed
            .keys()
            .filter(|k| !desired.contains_key(*k))
            .filter(|k| k.starts_with("peering:") || former.contains(*k))
            .cloned()
            .collect();
        if !add.is_empty() || !remove.is_empty() {
            self.g.add(
                Op::SetTags {
                    key,
                    region: region.to_string(),
                    add,
                    remove,
                },
                [],
            );
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
            let found = candidates(&self.ix.vpcs, &key)
                .iter()
                .find(|v| v.cidr == want.cidr && v.region == want.region)
                .copied();
            match found {
                Some(v) => {
                    self.keep(key.clone(), &v.id);
                    self.retag(key, &v.region, &v.tags, &want.tags);
                }
                None => {
                    let op = Op::CreateVpc {
                        vpc: name.clone(),
                        region: want.region.clone(),
                        cidr: want.cidr,
                        tags: want.tags.clone(),
                    };
                    let step = self.g.add(op, []);
                    self.ready.insert(key, step);
                }
            }
        }
        for name in d.vpcs.keys() {
            let main = self
                .known
                .get(&Key::Vpc(name.clone()))
                .and_then(|id| self.ix.main_tables.get(id.as_str()).copied());
            if let Some(table) = main {
                self.known
                    .insert(Key::MainRouteTable(name.clone()), table.id.clone());
                self.kept_tables
                    .insert(Key::MainRouteTable(name.clone()), table);
            }
        }
        for table in d.routes.keys() {
            if let Key::MainRouteTable(vpc) = table {
                if !self.known.contains_key(table) {
                    let op = Op::FindMainRouteTable {
                        vpc: vpc.clone(),
                        region: d.vpcs[vpc].region.clone(),
                    };
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
                        && want
                            .availability_zone
                            .as_ref()
                            .is_none_or(|az| *az == s.availability_zone)
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
                self.late
                    .subnet_creates
                    .entry(id)
                    .or_default()
                    .push((step, want.cidr));
            }
        }
    }

    fn route_tables(&mut self) {
        let d = self.d;
        for ((vpc, sub), want) in &d.route_tables {
            let key = Key::RouteTable(vpc.clone(), sub.clone());
            let vpc_key = Key::Vpc(vpc.clone());
            let vpc_id = self.known.get(&vpc_key);
            let found = candidates(&self.ix.tables, &key)
                .iter()
                .find(|t| Some(&t.vpc_id) == vpc_id)
                .copied();
            if let Some(t) = found {
                self.keep(key.clone(), &t.id);
                self.kept_tables.insert(key.clone(), t);
                self.retag(key, &t.region, &t.tags, &want.tags);
                continue;
            }
            let op = Op::CreateRouteTable {
                vpc: vpc.clone(),
                subnet: sub.clone(),
                region: want.region.clone(),
                tags: want.tags.clone(),
            };
            let step = self.g.add(op, [self.ready_of(&vpc_key)]);
            self.ready.insert(key, step);
        }
    }

    /// Each subnet explicitly associated with its own table, and with no other.
    fn associations(&mut self) {
        let d = self.d;
        for ((vpc, sub), want) in &d.subnets {
            let (subnet_key, table_key) = (
                Key::Subnet(vpc.clone(), sub.clone()),
                Key::RouteTable(vpc.clone(), sub.clone()),
            );
            let assoc_key = Key::Association(vpc.clone(), sub.clone());
            let table_id = self.known.get(&table_key).cloned();
            let mut after = vec![self.ready_of(&subnet_key), self.ready_of(&table_key)];
            let mut associated = false;
            if let Some(subnet_id) = self.known.get(&subnet_key).cloned() {
                let current = self
                    .ix
                    .associations
                    .get(subnet_id.as_str())
                    .cloned()
                    .unwrap_or_default();
                for (assoc, table) in current {
                    if Some(&table.id) == table_id.as_ref() {
                        self.known.insert(assoc_key.clone(), assoc.to_string());
                        associated = true;
                    } else {
                        after.push(Some(self.disassociate(
                            &table.region,
                            assoc,
                            &table.id,
                            &subnet_id,
                        )));
                    }
                }
            }
            if !associated {
                let op = Op::AssociateRouteTable {
                    vpc: vpc.clone(),
                    subnet: sub.clone(),
                    region: want.region.clone(),
                };
                let step = self.g.add(op, after);
                self.ready.insert(assoc_key, step);
            }
        }
    }

    pub fn disassociate(
        &mut self,
        region: &str,
        assoc: &str,
        table_id: &str,
        subnet_id: &str,
    ) -> usize {
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
}
