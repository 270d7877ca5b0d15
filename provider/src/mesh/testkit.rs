//! Helpers for tests that run plans against the fake EC2: read, plan, execute, converge,
//! and an id-free picture of what a mesh left in the account, to compare runs that
//! created objects in different orders.

use std::collections::HashMap;

use super::desired::Desired;
use super::execute::{execute, ExecuteOptions, Outcome, Timeouts};
use super::fixtures::REGION;
use super::plan::{plan, Plan};
use crate::ec2::types::{Inventory, RouteTarget, Tags, TAG_COMPONENT, TAG_MESH};
use crate::ec2::{Ec2, Ec2Error, FakeEc2};

pub fn options() -> ExecuteOptions {
    ExecuteOptions {
        max_concurrency: 4,
        timeouts: Timeouts::default(),
        cancel: Default::default(),
    }
}

/// A refusal that surely changed nothing and will not pass by itself.
pub fn injected() -> Ec2Error {
    Ec2Error::Api {
        code: "InjectedFault".to_string(),
        message: "injected fault".to_string(),
    }
}

/// A failure whose outcome is unknown (EC2 may have done the work).
pub fn ambiguous() -> Ec2Error {
    Ec2Error::Api {
        code: "InternalError".to_string(),
        message: "We encountered an internal error. Please try again.".to_string(),
    }
}

/// The inventory of every region the mesh uses (plus the default one), merged.
pub async fn read(ec2: &dyn Ec2, desired: &Desired) -> Inventory {
    let mut regions = desired.regions();
    let default = regions.entry(REGION.to_string()).or_default();
    for id in &desired.protected_vpc_ids {
        if !default.contains(id) {
            default.push(id.clone());
        }
    }
    let mut all = Inventory::default();
    for (region, adopted) in regions {
        all.merge(
            ec2.inventory(&region, &desired.mesh_id, &adopted)
                .await
                .expect("inventory"),
        );
    }
    all
}

/// Plans from what `ec2` holds now, as the resource would with a prior state that knew
/// every VPC of the mesh found there (so VPCs left out of `desired` are removed).
pub async fn plan_now(ec2: &dyn Ec2, desired: &Desired) -> Plan {
    let inv = read(ec2, desired).await;
    let mut desired = desired.clone();
    if let Some(names) = desired.ownership.names.as_mut() {
        for v in &inv.vpcs {
            let component = v.tags.get(crate::ec2::types::TAG_COMPONENT);
            if v.tags.get(crate::ec2::types::TAG_MESH) == Some(&desired.mesh_id) {
                if let Some(crate::mesh::key::Key::Vpc(name)) =
                    component.and_then(|c| crate::mesh::key::Key::parse(c))
                {
                    names.insert(name);
                }
            }
        }
    }
    plan(&desired, &inv)
}

pub async fn apply(ec2: &dyn Ec2, desired: &Desired) -> (Plan, Outcome) {
    let plan = plan_now(ec2, desired).await;
    let outcome = execute(ec2, &plan, &options()).await;
    (plan, outcome)
}

/// Plans and applies until the plan is empty; fails if that takes more than `rounds`.
pub async fn converge(fake: &FakeEc2, desired: &Desired, rounds: usize) {
    for _ in 0..rounds {
        let (plan, outcome) = apply(fake, desired).await;
        if plan.is_empty() {
            return;
        }
        assert!(
            outcome.errors.is_empty(),
            "without faults every step succeeds: {}",
            outcome
                .errors
                .iter()
                .map(|e| format!("{}: {}", e.component, e.message))
                .collect::<Vec<_>>()
                .join("; ")
        );
    }
    let left = plan_now(fake, desired).await;
    assert!(
        left.is_empty(),
        "not converged after {rounds} rounds:\n{}",
        super::plan::render(&left)
    );
}

/// What the mesh holds, one line per object with ids replaced by component keys, sorted
/// (duplicates show up as repeated lines).
pub fn picture(inv: &Inventory, mesh_id: &str) -> Vec<String> {
    let ours = |tags: &Tags| tags.get(TAG_MESH).is_some_and(|m| m == mesh_id);
    let mut names: HashMap<&str, String> = HashMap::new();
    let tagged = |tags: &Tags| {
        tags.get(TAG_COMPONENT)
            .cloned()
            .unwrap_or_else(|| "untagged".to_string())
    };
    for v in &inv.vpcs {
        names.insert(
            &v.id,
            if ours(&v.tags) {
                tagged(&v.tags)
            } else {
                format!("adopted {}", v.cidr)
            },
        );
    }
    for s in &inv.subnets {
        names.insert(&s.id, tagged(&s.tags));
    }
    for g in &inv.internet_gateways {
        names.insert(&g.id, tagged(&g.tags));
    }
    for p in &inv.peerings {
        names.insert(&p.id, tagged(&p.tags));
    }
    let name = |id: &str| {
        names
            .get(id)
            .cloned()
            .unwrap_or_else(|| format!("foreign {id}"))
    };
    let tags_of = |tags: &Tags| {
        tags.iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(",")
    };
    let mut lines = Vec::new();
    for v in inv.vpcs.iter().filter(|v| ours(&v.tags)) {
        lines.push(format!(
            "{} {} {} [{}]",
            name(&v.id),
            v.cidr,
            v.region,
            tags_of(&v.tags)
        ));
    }
    for s in inv.subnets.iter().filter(|s| ours(&s.tags)) {
        lines.push(format!(
            "{} {} {} in {} [{}]",
            name(&s.id),
            s.cidr,
            s.availability_zone,
            name(&s.vpc_id),
            tags_of(&s.tags)
        ));
    }
    for t in inv.route_tables.iter().filter(|t| ours(&t.tags) || t.main) {
        let mut routes: Vec<String> = t
            .routes
            .iter()
            .map(|r| {
                let to = match &r.target {
                    RouteTarget::Local => "local".to_string(),
                    RouteTarget::Gateway(id) | RouteTarget::Peering(id) => name(id),
                    RouteTarget::Other(id) => format!("other {id}"),
                };
                format!("{}->{to}({})", r.destination, r.state)
            })
            .collect();
        routes.sort();
        let mut assoc: Vec<String> = t.associations.iter().map(|(_, s)| name(s)).collect();
        assoc.sort();
        let label = if t.main {
            format!("main table of {}", name(&t.vpc_id))
        } else {
            tagged(&t.tags)
        };
        lines.push(format!(
            "{label} in {} assoc {assoc:?} routes {routes:?} [{}]",
            name(&t.vpc_id),
            tags_of(&t.tags)
        ));
    }
    for g in inv.internet_gateways.iter().filter(|g| ours(&g.tags)) {
        let attached: Vec<String> = g.attached_vpc_ids.iter().map(|v| name(v)).collect();
        lines.push(format!(
            "{} attached {attached:?} [{}]",
            name(&g.id),
            tags_of(&g.tags)
        ));
    }
    for g in inv.security_groups.iter().filter(|g| ours(&g.tags)) {
        let mut rules = g.rules.clone();
        rules.sort();
        let rules = super::plan::rules_text(&rules);
        lines.push(format!(
            "{} {} in {} rules {rules} [{}]",
            tagged(&g.tags),
            g.name,
            name(&g.vpc_id),
            tags_of(&g.tags)
        ));
    }
    for p in inv
        .peerings
        .iter()
        .filter(|p| ours(&p.tags) && !p.status.is_terminal())
    {
        lines.push(format!(
            "{} {}->{} {} dns {}/{} [{}]",
            name(&p.id),
            name(&p.requester_vpc_id),
            name(&p.accepter_vpc_id),
            p.status.as_str(),
            p.requester_dns,
            p.accepter_dns,
            tags_of(&p.tags)
        ));
    }
    lines.sort();
    lines
}

/// The id of the live object tagged with component key `key` (the lowest if several).
pub fn id_of(inv: &Inventory, key: &str) -> String {
    let is = |tags: &Tags| tags.get(TAG_COMPONENT).is_some_and(|k| k == key);
    let mut ids: Vec<&str> = Vec::new();
    ids.extend(
        inv.vpcs
            .iter()
            .filter(|o| is(&o.tags))
            .map(|o| o.id.as_str()),
    );
    ids.extend(
        inv.subnets
            .iter()
            .filter(|o| is(&o.tags))
            .map(|o| o.id.as_str()),
    );
    ids.extend(
        inv.route_tables
            .iter()
            .filter(|o| is(&o.tags))
            .map(|o| o.id.as_str()),
    );
    ids.extend(
        inv.internet_gateways
            .iter()
            .filter(|o| is(&o.tags))
            .map(|o| o.id.as_str()),
    );
    ids.extend(
        inv.security_groups
            .iter()
            .filter(|o| is(&o.tags))
            .map(|o| o.id.as_str()),
    );
    ids.extend(
        inv.peerings
            .iter()
            .filter(|o| is(&o.tags) && !o.status.is_terminal())
            .map(|o| o.id.as_str()),
    );
    ids.into_iter()
        .min()
        .unwrap_or_else(|| panic!("no object tagged {key}"))
        .to_string()
}
