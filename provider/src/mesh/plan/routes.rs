//! Routes, keyed by (route table, destination). A desired route is in place when it
//! points at the matched peering or gateway; anything else (missing, pointing at a
//! deleted or duplicate peering) is put again. Routes of the mesh that are no longer
//! desired are deleted; routes of others are left alone.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use ipnet::Ipv4Net;

use super::build::Builder;
use super::Op;
use crate::ec2::types::{RouteObs, RouteTarget};
use crate::mesh::key::{Key, RouteVia};

impl Builder<'_> {
    pub(super) fn routes(&mut self) {
        let d = self.d;
        let mut tables: BTreeSet<&Key> = d.routes.keys().collect();
        let kept: Vec<Key> = self.kept_tables.keys().cloned().collect();
        tables.extend(kept.iter());
        let none = BTreeMap::new();
        for table in tables {
            let vpc = table.vpc().expect("a route table belongs to a VPC");
            let region = &d.vpcs[vpc].region;
            let observed = self.kept_tables.get(table).copied();
            let mut have: HashMap<Ipv4Net, &RouteObs> = observed.iter().flat_map(|t| &t.routes).map(|r| (r.destination, r)).collect();
            for (destination, via) in d.routes.get(table).unwrap_or(&none) {
                let target = self.known.get(&via.key()).map(|id| target_of(via, id));
                let current = have.remove(destination);
                if current.is_some_and(|r| Some(&r.target) == target.as_ref()) {
                    continue;
                }
                let op = Op::PutRoute { table: table.clone(), region: region.clone(), destination: *destination, via: via.clone() };
                let step = self.g.add(op, [self.ready_of(table), self.ready_of(&via.key())]);
                if let Some(old) = current.and_then(|r| target_id(&r.target)) {
                    self.late.route_changes.entry(old.to_string()).or_default().push(step);
                }
            }
            let Some(observed) = observed else { continue };
            // The main table of an adopted VPC is shared with its owner: only routes to
            // this mesh's peerings and gateways, or to peerings that are gone, are ours.
            let owned = !matches!(table, Key::MainRouteTable(v) if d.vpcs[v].adopted_id.is_some());
            let mut stale: Vec<&RouteObs> = have
                .into_values()
                .filter(|r| match &r.target {
                    RouteTarget::Peering(id) => owned || self.ix.mesh_targets.contains(id.as_str()) || r.state == "blackhole",
                    RouteTarget::Gateway(id) => owned || self.ix.mesh_targets.contains(id.as_str()),
                    RouteTarget::Local | RouteTarget::Other(_) => false,
                })
                .collect();
            stale.sort_by_key(|r| r.destination);
            for r in stale {
                let op = Op::DeleteRoute {
                    region: observed.region.clone(),
                    route_table_id: observed.id.clone(),
                    table: table.to_string(),
                    destination: r.destination,
                };
                let step = self.g.add(op, []);
                if let Some(old) = target_id(&r.target) {
                    self.late.route_changes.entry(old.to_string()).or_default().push(step);
                }
            }
        }
    }
}

fn target_of(via: &RouteVia, id: &str) -> RouteTarget {
    match via {
        RouteVia::Peering(_) => RouteTarget::Peering(id.to_string()),
        RouteVia::InternetGateway(_) => RouteTarget::Gateway(id.to_string()),
    }
}

fn target_id(target: &RouteTarget) -> Option<&str> {
    match target {
        RouteTarget::Peering(id) | RouteTarget::Gateway(id) => Some(id),
        RouteTarget::Local | RouteTarget::Other(_) => None,
    }
}
