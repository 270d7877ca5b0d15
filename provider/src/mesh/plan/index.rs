//! The inventory indexed for the planner: this mesh's objects grouped by component key
//! (lowest id first, so duplicates resolve the same way every time), and the lookups
//! the matching needs, all by hash so planning stays linear in the inventory's size.

use std::collections::{HashMap, HashSet};

use crate::ec2::types::{
    InternetGatewayObs, Inventory, PeeringObs, RouteTableObs, SecurityGroupObs, SubnetObs, Tags,
    VpcObs, TAG_COMPONENT, TAG_MESH,
};
use crate::mesh::key::Key;

pub(super) struct Index<'a> {
    pub vpcs: HashMap<Key, Vec<&'a VpcObs>>,
    pub subnets: HashMap<Key, Vec<&'a SubnetObs>>,
    pub tables: HashMap<Key, Vec<&'a RouteTableObs>>,
    pub gateways: HashMap<Key, Vec<&'a InternetGatewayObs>>,
    pub groups: HashMap<Key, Vec<&'a SecurityGroupObs>>,
    pub peerings: HashMap<Key, Vec<&'a PeeringObs>>,
    /// Live peerings without this mesh's tags, by their two VPC ids (sorted): a peering
    /// AWS already has between two mesh VPCs is adopted rather than duplicated.
    pub untagged_peerings: HashMap<(&'a str, &'a str), Vec<&'a PeeringObs>>,
    pub main_tables: HashMap<&'a str, &'a RouteTableObs>,
    /// Subnet id -> (association id, table) for every explicit association.
    pub associations: HashMap<&'a str, Vec<(&'a str, &'a RouteTableObs)>>,
    /// Ids of this mesh's peerings and gateways: routes to them are the mesh's routes.
    pub mesh_targets: HashSet<&'a str>,
    /// Every object carrying this mesh's tag, sorted by id per kind: the candidates for
    /// deletion once matching has decided what stays.
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

fn group_by_key<'a, T>(items: &[&'a T], tags: impl Fn(&T) -> &Tags) -> HashMap<Key, Vec<&'a T>> {
    let mut out: HashMap<Key, Vec<&'a T>> = HashMap::new();
    for item in items {
        if let Some(key) = tags(item).get(TAG_COMPONENT).and_then(|t| Key::parse(t)) {
            out.entry(key).or_default().push(item);
        }
    }
    out
}

impl<'a> Index<'a> {
    pub fn new(mesh_id: &str, inv: &'a Inventory) -> Self {
        let ours = |tags: &Tags| tags.get(TAG_MESH).is_some_and(|m| m == mesh_id);
        // Main tables and default groups come with a VPC and go with it: never ours to delete.
        let tagged = Tagged {
            vpcs: sorted(&inv.vpcs, |v| &v.id, |v| ours(&v.tags)),
            subnets: sorted(&inv.subnets, |s| &s.id, |s| ours(&s.tags)),
            tables: sorted(&inv.route_tables, |t| &t.id, |t| ours(&t.tags) && !t.main),
            gateways: sorted(&inv.internet_gateways, |g| &g.id, |g| ours(&g.tags)),
            groups: sorted(
                &inv.security_groups,
                |g| &g.id,
                |g| ours(&g.tags) && g.name != "default",
            ),
            peerings: sorted(
                &inv.peerings,
                |p| &p.id,
                |p| ours(&p.tags) && !p.status.is_terminal(),
            ),
        };
        let mut untagged_peerings: HashMap<(&str, &str), Vec<&PeeringObs>> = HashMap::new();
        for p in sorted(
            &inv.peerings,
            |p| &p.id,
            |p| !ours(&p.tags) && !p.status.is_terminal(),
        ) {
            untagged_peerings
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
        let mesh_targets = tagged
            .peerings
            .iter()
            .map(|p| p.id.as_str())
            .chain(tagged.gateways.iter().map(|g| g.id.as_str()))
            .collect();
        Index {
            vpcs: group_by_key(&tagged.vpcs, |v| &v.tags),
            subnets: group_by_key(&tagged.subnets, |s| &s.tags),
            tables: group_by_key(&tagged.tables, |t| &t.tags),
            gateways: group_by_key(&tagged.gateways, |g| &g.tags),
            groups: group_by_key(&tagged.groups, |g| &g.tags),
            peerings: group_by_key(&tagged.peerings, |p| &p.tags),
            untagged_peerings,
            main_tables,
            associations,
            mesh_targets,
            tagged,
        }
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
