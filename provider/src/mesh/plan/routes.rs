//! Routes, keyed by (route table, destination). A desired route is in place when it
//! points at the matched peering or gateway; anything else (missing, pointing at a
//! deleted or duplicate peering) is put again. Routes of the mesh that are no longer
//! desired are deleted; routes of others are left alone.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use ipnet::IpNet;

use super::build::Builder;
use super::{Blocker, Op};
use crate::ec2::types::{RouteObs, RouteTableObs, RouteTarget};
use crate::mesh::key::{Key, RouteVia};

/// One table to reconcile.
struct Table<'t> {
    /// Its key when the mesh manages it (its own tables, main tables of mesh VPCs).
    key: Option<&'t Key>,
    region: &'t str,
    observed: Option<&'t RouteTableObs>,
    /// The mesh created it (or its VPC): every peering or gateway route in it is the
    /// mesh's. Else (the main table of an adopted VPC) only routes to the mesh's own
    /// peerings and gateways, or to peerings that are gone, are.
    owned: bool,
}

impl<'a> Builder<'a> {
    pub(super) fn routes(&mut self) {
        let d = self.d;
        let mut keys: BTreeSet<&Key> = d.routes.keys().collect();
        let kept: Vec<Key> = self.kept_tables.keys().cloned().collect();
        keys.extend(kept.iter());
        let none = BTreeMap::new();
        for key in keys {
            let vpc = key.vpc().expect("a route table belongs to a VPC");
            let observed = self.kept_tables.get(key).copied();
            let owned = !matches!(key, Key::MainRouteTable(v) if d.vpcs[v].adopted_id.is_some());
            let table = Table {
                key: Some(key),
                region: &d.vpcs[vpc].region,
                observed,
                owned,
            };
            self.reconcile(&table, d.routes.get(key).unwrap_or(&none));
        }
        for observed in self.left_main_tables() {
            let table = Table {
                key: None,
                region: &observed.region,
                observed: Some(observed),
                owned: false,
            };
            self.reconcile(&table, &none);
        }
    }

    /// Main tables of VPCs that stay but left the mesh (adopted ones, after destroy or
    /// removal from the configuration): the mesh's routes in them must go.
    fn left_main_tables(&self) -> Vec<&'a RouteTableObs> {
        let in_mesh: HashSet<&str> = self
            .d
            .vpcs
            .keys()
            .filter_map(|n| self.known.get(&Key::Vpc(n.clone())))
            .map(String::as_str)
            .collect();
        let doomed: HashSet<&str> = self
            .ix
            .tagged
            .vpcs
            .iter()
            .filter(|v| !self.d.protected_vpc_ids.contains(&v.id))
            .map(|v| v.id.as_str())
            .collect();
        let mut left: Vec<&RouteTableObs> = self
            .ix
            .main_tables
            .iter()
            .filter(|(vpc, _)| !in_mesh.contains(*vpc) && !doomed.contains(*vpc))
            .map(|(_, t)| *t)
            .collect();
        left.sort_by(|x, y| x.id.cmp(&y.id));
        left
    }

    fn reconcile(&mut self, table: &Table<'_>, want: &BTreeMap<IpNet, RouteVia>) {
        let mut have: HashMap<IpNet, &RouteObs> = table
            .observed
            .iter()
            .flat_map(|t| &t.routes)
            .map(|r| (r.destination, r))
            .collect();
        if let Some(key) = table.key {
            for (destination, via) in want {
                let target = self.known.get(&via.key()).map(|id| target_of(via, id));
                let current = have.remove(destination);
                if current.is_some_and(|r| Some(&r.target) == target.as_ref()) {
                    continue;
                }
                if let (Some(r), Some(t)) = (current, table.observed) {
                    if !self.route_is_ours(table, r) {
                        self.blocked.push(Blocker {
                            component: format!("{key}>{destination}"),
                            message: foreign_route(&t.id, key, r, via),
                        });
                        continue;
                    }
                }
                if target.is_none() && self.ready_of(&via.key()).is_none() {
                    // Its peering or gateway is blocked: reported there.
                    continue;
                }
                let op = Op::PutRoute {
                    table: key.clone(),
                    region: table.region.to_string(),
                    destination: *destination,
                    via: via.clone(),
                };
                let step = self
                    .g
                    .add(op, [self.ready_of(key), self.ready_of(&via.key())]);
                if let Some(old) = current.and_then(|r| target_id(&r.target)) {
                    self.late
                        .route_changes
                        .entry(old.to_string())
                        .or_default()
                        .push(step);
                }
            }
        }
        let Some(observed) = table.observed else {
            return;
        };
        let mut stale: Vec<&RouteObs> = have
            .into_values()
            .filter(|r| self.route_is_ours(table, r))
            .collect();
        stale.sort_by_key(|r| r.destination);
        let label = table
            .key
            .map_or_else(|| observed.id.clone(), ToString::to_string);
        for r in stale {
            let op = Op::DeleteRoute {
                region: observed.region.clone(),
                route_table_id: observed.id.clone(),
                table: label.clone(),
                destination: r.destination,
            };
            let step = self.g.add(op, []);
            if let Some(old) = target_id(&r.target) {
                self.late
                    .route_changes
                    .entry(old.to_string())
                    .or_default()
                    .push(step);
            }
        }
    }
}

impl Builder<'_> {
    /// A route is the mesh's when it goes to one of the mesh's peerings or gateways (or
    /// one the prior state recorded), or to any peering or gateway in a table the mesh
    /// made. Routes to anything else (transit gateways, VPNs, NAT, instances, others'
    /// peerings, blackholed or not) are never changed.
    fn route_is_ours(&self, table: &Table<'_>, r: &RouteObs) -> bool {
        match &r.target {
            RouteTarget::Peering(id) | RouteTarget::Gateway(id) => {
                table.owned || self.ix.mesh_targets.contains(id.as_str())
            }
            RouteTarget::Local | RouteTarget::Other(_) => false,
        }
    }
}

/// The diagnostic for a route of someone else's where the mesh needs one.
fn foreign_route(table_id: &str, key: &Key, r: &RouteObs, via: &RouteVia) -> String {
    let target = match &r.target {
        RouteTarget::Local => "local".to_string(),
        RouteTarget::Gateway(id) | RouteTarget::Peering(id) | RouteTarget::Other(id) => id.clone(),
    };
    let needs = match via {
        RouteVia::Peering(pair) => format!("its route through peering pcx/{}", pair.key()),
        RouteVia::InternetGateway(vpc) => {
            format!("its default route to internet gateway igw/{vpc}")
        }
    };
    format!(
        "Route table {table_id} ({key}) already sends {} to {target} ({}), a route this mesh did not make. The mesh needs that destination for {needs} and never replaces or deletes a route to a target it does not own. Remove or change that route (aws ec2 delete-route --route-table-id {table_id} --destination-cidr-block {}), or give the peer VPC a CIDR block that does not collide with it; the next apply then completes the mesh.",
        r.destination, r.state, r.destination
    )
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
