//! The inventory indexed for the planner: this mesh's objects grouped by component key
//! (lowest id first, so duplicates resolve the same way every time), and the lookups
//! the matching needs, all by hash so planning stays linear in the inventory's size.

use std::collections::{HashMap, HashSet};

use crate::ec2::types::{
    InternetGatewayObs, Inventory, PeeringObs, RouteTableObs, RouteTarget, SecurityGroupObs,
    SubnetObs, Tags, VpcObs, TAG_COMPONENT, TAG_MESH,
};
use crate::mesh::desired::Desired;
use crate::mesh::key::Key;

pub(super) struct Index<'a> {
    pub vpcs: HashMap<Key, Vec<&'a VpcObs>>,
    pub subnets: HashMap<Key, Vec<&'a SubnetObs>>,
    pub tables: HashMap<Key, Vec<&'a RouteTableObs>>,
    pub gateways: HashMap<Key, Vec<&'a InternetGatewayObs>>,
    pub groups: HashMap<Key, Vec<&'a SecurityGroupObs>>,
    pub peerings: HashMap<Key, Vec<&'a PeeringObs>>,
    /// Live peerings that are not the mesh's, by their two VPC ids (sorted): one between
    /// two mesh VPCs blocks the mesh's own (AWS allows one), and is reported, never adopted.
    pub foreign_peerings: HashMap<(&'a str, &'a str), Vec<&'a PeeringObs>>,
    pub main_tables: HashMap<&'a str, &'a RouteTableObs>,
    /// Subnet id -> (association id, table) for every explicit association.
    pub associations: HashMap<&'a str, Vec<(&'a str, &'a RouteTableObs)>>,
    /// Ids of this mesh's peerings and gateways, and every id the prior state recorded:
    /// routes to them are the mesh's routes.
    pub mesh_targets: HashSet<String>,
    /// Every object of the mesh, sorted by id per kind: the candidates for deletion once
    /// matching has decided what stays.
    pub tagged: Tagged<'a>,
}

#[derive(Default)]
pub(super) struct Tagged<'a> {
    pub vpcs: Vec<&'a VpcObs>,
    pub subnets: Vec<&'a SubnetObs>,
    pub tables: Vec<&'a RouteTableObs>,
    pub gateways: Vec<&'a InternetGatewayObs>,
    pub groups: Vec<&'a SecurityGroupObs>,
    pub peerings: Vec<&'a PeeringObs>,
}

/// The component label of a tagged object, for messages and the render.
pub(super) fn label(tags: &Tags) -> String {
    tags.get(TAG_COMPONENT)
        .cloned()
        .unwrap_or_else(|| "untagged".to_string())
}

fn sorted<T>(items: &[T], id: impl Fn(&T) -> &str, keep: impl Fn(&T) -> bool) -> Vec<&T> {
    let mut out: Vec<&T> = items.iter().filter(|x| keep(x)).collect();
    out.sort_by(|x, y| id(x).cmp(id(y)));
    out
}

/// Groups the mesh's objects by component key; among duplicates (a create whose answer
/// was lost and that was made again) the one in use comes first, then the lowest id.
fn group_by_key<'a, T>(
    items: &[&'a T],
    id: impl Fn(&T) -> &str,
    tags: impl Fn(&T) -> &Tags,
    uses: &HashMap<&str, usize>,
) -> HashMap<Key, Vec<&'a T>> {
    let mut out: HashMap<Key, Vec<&'a T>> = HashMap::new();
    for item in items {
        if let Some(key) = tags(item).get(TAG_COMPONENT).and_then(|t| Key::parse(t)) {
            out.entry(key).or_default().push(item);
        }
    }
    for list in out.values_mut() {
        list.sort_by_key(|x| {
            (
                std::cmp::Reverse(uses.get(id(x)).copied().unwrap_or(0)),
                id(x),
            )
        });
    }
    out
}

/// How many other objects refer to each id: what is in use.
fn uses(inv: &Inventory) -> HashMap<&str, usize> {
    let mut ids: Vec<&str> = Vec::new();
    ids.extend(inv.subnets.iter().map(|s| s.vpc_id.as_str()));
    ids.extend(inv.security_groups.iter().map(|g| g.vpc_id.as_str()));
    for t in &inv.route_tables {
        ids.push(&t.vpc_id);
        for (_, subnet) in &t.associations {
            ids.extend([t.id.as_str(), subnet.as_str()]);
        }
        for r in &t.routes {
            if let RouteTarget::Peering(id) | RouteTarget::Gateway(id) = &r.target {
                ids.push(id);
            }
        }
    }
    for g in &inv.internet_gateways {
        for vpc in &g.attached_vpc_ids {
            ids.extend([g.id.as_str(), vpc.as_str()]);
        }
    }
    for p in &inv.peerings {
        ids.extend([p.requester_vpc_id.as_str(), p.accepter_vpc_id.as_str()]);
    }
    let mut out: HashMap<&str, usize> = HashMap::new();
    for id in ids {
        *out.entry(id).or_default() += 1;
    }
    out
}

impl<'a> Index<'a> {
    pub fn new(d: &Desired, inv: &'a Inventory) -> Self {
        let owners = Owners::new(d, inv);
        let live = |p: &PeeringObs| !p.status.is_terminal();
        // Main tables and default groups come with a VPC and go with it: never ours to delete.
        let tagged = Tagged {
            vpcs: sorted(&inv.vpcs, |v| &v.id, |v| owners.vpc(v).is_some()),
            subnets: sorted(&inv.subnets, |s| &s.id, |s| owners.subnet(s)),
            tables: sorted(&inv.route_tables, |t| &t.id, |t| owners.table(t)),
            gateways: sorted(&inv.internet_gateways, |g| &g.id, |g| owners.gateway(g)),
            groups: sorted(&inv.security_groups, |g| &g.id, |g| owners.group(g)),
            peerings: sorted(&inv.peerings, |p| &p.id, |p| live(p) && owners.peering(p)),
        };
        let mut foreign_peerings: HashMap<(&str, &str), Vec<&PeeringObs>> = HashMap::new();
        for p in sorted(&inv.peerings, |p| &p.id, |p| live(p) && !owners.peering(p)) {
            foreign_peerings
                .entry(vpc_pair(&p.requester_vpc_id, &p.accepter_vpc_id))
                .or_default()
                .push(p);
        }
        let mut main_tables = HashMap::new();
        let mut associations: HashMap<&str, Vec<(&str, &RouteTableObs)>> = HashMap::new();
        for t in sorted(&inv.route_tables, |t| &t.id, |_| true) {
            if t.main {
                main_tables.entry(t.vpc_id.as_str()).or_insert(t);
            }
            for (assoc, subnet) in &t.associations {
                associations
                    .entry(subnet.as_str())
                    .or_default()
                    .push((assoc.as_str(), t));
            }
        }
        for list in associations.values_mut() {
            list.sort_unstable_by_key(|(assoc, _)| *assoc);
        }
        let mut mesh_targets: HashSet<String> = tagged
            .peerings
            .iter()
            .map(|p| p.id.clone())
            .chain(tagged.gateways.iter().map(|g| g.id.clone()))
            .collect();
        mesh_targets.extend(d.ownership.known_ids.iter().cloned());
        let uses = uses(inv);
        Index {
            vpcs: group_by_key(&tagged.vpcs, |v| &v.id, |v| &v.tags, &uses),
            subnets: group_by_key(&tagged.subnets, |s| &s.id, |s| &s.tags, &uses),
            tables: group_by_key(&tagged.tables, |t| &t.id, |t| &t.tags, &uses),
            gateways: group_by_key(&tagged.gateways, |g| &g.id, |g| &g.tags, &uses),
            groups: group_by_key(&tagged.groups, |g| &g.id, |g| &g.tags, &uses),
            peerings: group_by_key(&tagged.peerings, |p| &p.id, |p| &p.tags, &uses),
            foreign_peerings,
            main_tables,
            associations,
            mesh_targets,
            tagged,
        }
    }
}

/// The one ownership predicate: which objects are the mesh's (see
/// [`crate::mesh::desired::Ownership`]). Everything else is never changed.
struct Owners<'d> {
    mesh_id: &'d str,
    names: Option<&'d std::collections::BTreeSet<String>>,
    /// VPC id -> its name in the mesh (None: an adopted VPC of a former configuration,
    /// whose name is not known any more).
    vpcs: HashMap<String, Option<String>>,
}

impl<'d> Owners<'d> {
    fn new(d: &'d Desired, inv: &Inventory) -> Self {
        let mut owners = Owners {
            mesh_id: &d.mesh_id,
            names: d.ownership.names.as_ref(),
            vpcs: HashMap::new(),
        };
        for id in &d.protected_vpc_ids {
            owners.vpcs.insert(id.clone(), None);
        }
        for (name, vpc) in &d.vpcs {
            if let Some(id) = &vpc.adopted_id {
                owners.vpcs.insert(id.clone(), Some(name.clone()));
            }
        }
        for v in &inv.vpcs {
            if let Some(name) = owners.vpc(v) {
                owners.vpcs.insert(v.id.clone(), Some(name));
            }
        }
        owners
    }

    /// The component key of an object carrying this mesh's id, if it parses.
    fn key(&self, tags: &Tags) -> Option<Key> {
        if tags.get(TAG_MESH).map(String::as_str) != Some(self.mesh_id) {
            return None;
        }
        tags.get(TAG_COMPONENT).and_then(|t| Key::parse(t))
    }

    fn name_belongs(&self, name: &str) -> bool {
        self.names.is_none_or(|names| names.contains(name))
    }

    /// Inside the mesh's VPC called `name`.
    fn inside(&self, vpc_id: &str, name: &str) -> bool {
        match self.vpcs.get(vpc_id) {
            Some(Some(n)) => n == name,
            Some(None) => true,
            None => false,
        }
    }

    /// The VPC's name when it is the mesh's.
    fn vpc(&self, v: &VpcObs) -> Option<String> {
        match self.key(&v.tags)? {
            Key::Vpc(name) if self.name_belongs(&name) => Some(name),
            _ => None,
        }
    }

    fn subnet(&self, s: &SubnetObs) -> bool {
        matches!(self.key(&s.tags), Some(Key::Subnet(v, _)) if self.inside(&s.vpc_id, &v))
    }

    fn table(&self, t: &RouteTableObs) -> bool {
        !t.main
            && matches!(self.key(&t.tags), Some(Key::RouteTable(v, _)) if self.inside(&t.vpc_id, &v))
    }

    fn group(&self, g: &SecurityGroupObs) -> bool {
        g.name != "default"
            && matches!(self.key(&g.tags), Some(Key::SecurityGroup(v)) if self.inside(&g.vpc_id, &v))
    }

    fn gateway(&self, g: &InternetGatewayObs) -> bool {
        let Some(Key::InternetGateway(v)) = self.key(&g.tags) else {
            return false;
        };
        if g.attached_vpc_ids.is_empty() {
            self.name_belongs(&v)
        } else {
            g.attached_vpc_ids.iter().all(|id| self.inside(id, &v))
        }
    }

    fn peering(&self, p: &PeeringObs) -> bool {
        let Some(Key::Peering(pair)) = self.key(&p.tags) else {
            return false;
        };
        let (r, a) = (p.requester_vpc_id.as_str(), p.accepter_vpc_id.as_str());
        (self.inside(r, &pair.a) && self.inside(a, &pair.b))
            || (self.inside(r, &pair.b) && self.inside(a, &pair.a))
    }
}

/// Tagged candidates for `key`, lowest id first.
pub(super) fn candidates<'m, 'a, T>(map: &'m HashMap<Key, Vec<&'a T>>, key: &Key) -> &'m [&'a T] {
    map.get(key).map_or(&[], Vec::as_slice)
}

/// Two VPC ids in sorted order: a peering joins them whichever side requested it.
pub(super) fn vpc_pair<'s>(x: &'s str, y: &'s str) -> (&'s str, &'s str) {
    if x <= y {
        (x, y)
    } else {
        (y, x)
    }
}
