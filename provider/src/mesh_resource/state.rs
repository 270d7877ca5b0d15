//! Builds the resource's value from a source value (configuration, planned or prior
//! state: they share the schema) and what is known about the components:
//!
//! - [`Mode::Plan`] (PlanResourceChange): what the user wrote is kept as written, defaults
//!   fill optional+computed attributes left null, ids of components that exist and stay
//!   are known, everything else (new components, drifted ones, values that depend on
//!   unknown input) is unknown.
//! - [`Mode::Observe`] (apply, read, import): every value is known; components that do
//!   not exist are left out (a VPC, subnet or peering entry), ids that do not are null.

mod ipv6;

use std::collections::{BTreeMap, BTreeSet};

use tfplugin::value::Value;

use super::ids::id_maps;
use super::parse::{Unknowns, UNKNOWN_REGION};
use super::schema::{DEFAULT_ALLOW_ICMP, DEFAULT_DNS_RESOLUTION, DEFAULT_PUBLIC, DEFAULT_TOPOLOGY};
use crate::ec2::place::region_of;
use crate::ec2::types::Inventory;
use crate::mesh::desired::{pairs, reachability};
use crate::mesh::key::Key;
use crate::mesh::model::{Mesh, Pair};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Plan,
    Observe,
}

pub struct Facts<'a> {
    pub mode: Mode,
    /// The mesh the source describes, regions resolved.
    pub mesh: &'a Mesh,
    pub unknown: &'a Unknowns,
    /// Ids of the components that exist (the planner's `known`).
    pub ids: &'a BTreeMap<Key, String>,
    /// Components that drifted: shown unknown so the plan is not empty (plan only).
    pub stale: &'a BTreeSet<Key>,
    pub inventory: &'a Inventory,
    /// The value of the top-level `id`.
    pub id: Value,
}

pub struct Built {
    pub value: Value,
    /// Stale components that no attribute stands for (the caller marks `id`).
    pub unplaced: BTreeSet<Key>,
}

fn object(entries: Vec<(&str, Value)>) -> Value {
    Value::Object(
        entries
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
    )
}

fn strings(items: &[String]) -> Value {
    Value::List(items.iter().map(|s| Value::from(s.as_str())).collect())
}

pub fn build(source: &Value, f: &Facts<'_>) -> Built {
    let mut b = Builder {
        f,
        placed: BTreeSet::new(),
    };
    let plan_unknown = f.mode == Mode::Plan && (f.unknown.vpcs || f.unknown.topology);
    let vpcs = match source.get("vpcs") {
        v if v.is_unknown() => Value::Unknown,
        v => Value::Map(
            v.as_map()
                .into_iter()
                .flatten()
                .filter_map(|(name, src)| Some((name.clone(), b.vpc(name, src)?)))
                .collect(),
        ),
    };
    let peerings = if plan_unknown {
        Value::Unknown
    } else {
        b.peerings()
    };
    let peering_count = match (&peerings, f.mode) {
        (Value::Map(m), Mode::Observe) => Value::from(m.len() as i64),
        _ if plan_unknown => Value::Unknown,
        _ => Value::from(pairs(f.mesh).len() as i64),
    };
    let reach = if plan_unknown {
        Value::Unknown
    } else {
        Value::Map(
            reachability(f.mesh)
                .into_iter()
                .map(|(name, peers)| (name, strings(&peers)))
                .collect(),
        )
    };
    let ids = id_maps(&vpcs);
    let mut entries = vec![
        ("id", f.id.clone()),
        ("name", source.get("name").clone()),
        ("vpcs", vpcs),
        (
            "topology",
            b.or(source.get("topology"), || Value::from(DEFAULT_TOPOLOGY)),
        ),
        ("hub", source.get("hub").clone()),
        ("connections", source.get("connections").clone()),
        (
            "allow_icmp",
            b.or(source.get("allow_icmp"), || Value::from(DEFAULT_ALLOW_ICMP)),
        ),
        ("ssh_ingress_cidrs", source.get("ssh_ingress_cidrs").clone()),
        (
            "dns_resolution",
            b.or(source.get("dns_resolution"), || {
                Value::from(DEFAULT_DNS_RESOLUTION)
            }),
        ),
        ("tags", source.get("tags").clone()),
        ("peering_count", peering_count),
        ("peerings", peerings),
        ("reachability", reach),
        ("timeouts", source.get("timeouts").clone()),
    ];
    entries.extend(ids);
    let value = object(entries);
    let unplaced = f.stale.difference(&b.placed).cloned().collect();
    Built { value, unplaced }
}

struct Builder<'f, 'a> {
    f: &'f Facts<'a>,
    placed: BTreeSet<Key>,
}

impl Builder<'_, '_> {
    /// The source's value where the user gave one, else `fill()`. At plan time an
    /// unknown value is "given" (it stays unknown); afterwards it must be filled.
    fn or(&self, src: &Value, fill: impl FnOnce() -> Value) -> Value {
        let given = !src.is_null() && (self.f.mode == Mode::Plan || !src.is_unknown());
        if given {
            src.clone()
        } else {
            fill()
        }
    }

    fn missing(&self) -> Value {
        match self.f.mode {
            Mode::Plan => Value::Unknown,
            Mode::Observe => Value::Null,
        }
    }

    /// The id of a component: unknown when it drifted (plan) or does not exist yet.
    fn id(&mut self, key: &Key) -> Value {
        if self.f.mode == Mode::Plan && self.f.stale.contains(key) {
            self.placed.insert(key.clone());
            return Value::Unknown;
        }
        self.f
            .ids
            .get(key)
            .map_or_else(|| self.missing(), |id| Value::from(id.as_str()))
    }

    fn tainted(&self, vpc: &str) -> bool {
        self.f.mode == Mode::Plan && self.f.unknown.tainted.contains(vpc)
    }

    fn vpc(&mut self, name: &str, src: &Value) -> Option<Value> {
        if src.is_unknown() {
            return Some(Value::Unknown);
        }
        let spec = self.f.mesh.vpcs.get(name)?;
        let vpc_key = Key::Vpc(name.to_string());
        let known_id = self.f.ids.get(&vpc_key);
        let observed = known_id.and_then(|id| self.f.inventory.vpcs.iter().find(|v| &v.id == id));
        if self.f.mode == Mode::Observe && observed.is_none() {
            return None;
        }
        let tainted = self.tainted(name);
        let vpc_id = match (&spec.vpc_id, tainted) {
            (Some(_), _) => src.get("vpc_id").clone(),
            (None, true) => Value::Unknown,
            (None, false) => self.id(&vpc_key),
        };
        let cidr_block = self.or(src.get("cidr_block"), || match observed {
            Some(v) if !tainted => Value::from(v.cidr.to_string()),
            _ => Value::Unknown,
        });
        let region = self.or(src.get("region"), || match (&spec.region, observed) {
            (Some(r), _) if r != UNKNOWN_REGION => Value::from(r.as_str()),
            (_, Some(v)) => Value::from(region_of(&v.region)),
            _ => Value::Unknown,
        });
        let ipv6_cidr_block = self.vpc_ipv6(name, observed, tainted);
        let subnets_src = src.get("subnets");
        let subnets = match subnets_src {
            s if s.is_unknown() || s.is_null() => s.clone(),
            s => Value::Map(
                s.as_map()
                    .into_iter()
                    .flatten()
                    .filter_map(|(sub, v)| {
                        let value = self.subnet(name, sub, v, tainted, &ipv6_cidr_block)?;
                        Some((sub.clone(), value))
                    })
                    .collect(),
            ),
        };
        let group = Key::SecurityGroup(name.to_string());
        let security_group_id = if tainted {
            Value::Unknown
        } else {
            self.id(&group)
        };
        let gateway = Key::InternetGateway(name.to_string());
        let public = spec.subnets.values().any(|s| s.public);
        let internet_gateway_id = match (tainted, public || self.f.stale.contains(&gateway)) {
            (true, _) => Value::Unknown,
            (false, true) => self.id(&gateway),
            (false, false) => Value::Null,
        };
        let route_table_ids = if tainted || subnets_src.is_unknown() {
            Value::Unknown
        } else {
            self.route_table_ids(name, spec.subnets.keys())
        };
        Some(object(vec![
            ("cidr_block", cidr_block),
            ("vpc_id", vpc_id),
            ("region", region),
            ("account", src.get("account").clone()),
            ("subnets", subnets),
            ("security_group_id", security_group_id),
            ("internet_gateway_id", internet_gateway_id),
            ("route_table_ids", route_table_ids),
            ("ipv6", self.or(src.get("ipv6"), || Value::from(false))),
            ("ipv6_cidr_block", ipv6_cidr_block),
        ]))
    }

    fn route_table_ids<'s>(
        &mut self,
        vpc: &str,
        subnets: impl ExactSizeIterator<Item = &'s String>,
    ) -> Value {
        let keys: Vec<Key> = if subnets.len() == 0 {
            vec![Key::MainRouteTable(vpc.to_string())]
        } else {
            subnets
                .map(|s| Key::RouteTable(vpc.to_string(), s.clone()))
                .collect()
        };
        let mut ids = Vec::new();
        let mut unknown = false;
        for key in keys {
            match self.id(&key) {
                Value::String(id) => ids.push(id),
                Value::Unknown => unknown = true,
                _ => {}
            }
        }
        if unknown || self.f.stale.contains(&Key::MainRouteTable(vpc.to_string())) {
            self.placed.insert(Key::MainRouteTable(vpc.to_string()));
            return if self.f.mode == Mode::Plan {
                Value::Unknown
            } else {
                strings(&ids)
            };
        }
        strings(&ids)
    }

    fn subnet(
        &mut self,
        vpc: &str,
        sub: &str,
        src: &Value,
        tainted: bool,
        vpc_ipv6: &Value,
    ) -> Option<Value> {
        if src.is_unknown() {
            return Some(Value::Unknown);
        }
        let key = Key::Subnet(vpc.to_string(), sub.to_string());
        let known_id = self.f.ids.get(&key);
        let observed =
            known_id.and_then(|id| self.f.inventory.subnets.iter().find(|s| &s.id == id));
        if self.f.mode == Mode::Observe && observed.is_none() {
            return None;
        }
        let id = if tainted {
            Value::Unknown
        } else {
            self.id(&key)
        };
        let availability_zone = self.or(src.get("availability_zone"), || {
            match (observed, id.is_unknown()) {
                (Some(s), false) => Value::from(s.availability_zone.as_str()),
                _ => Value::Unknown,
            }
        });
        let table = Key::RouteTable(vpc.to_string(), sub.to_string());
        let association = Key::Association(vpc.to_string(), sub.to_string());
        let route_table_id = if tainted {
            Value::Unknown
        } else if self.f.mode == Mode::Plan && self.f.stale.contains(&association) {
            self.placed.insert(association);
            Value::Unknown
        } else {
            self.id(&table)
        };
        Some(object(vec![
            ("cidr_block", src.get("cidr_block").clone()),
            ("availability_zone", availability_zone),
            (
                "public",
                self.or(src.get("public"), || Value::from(DEFAULT_PUBLIC)),
            ),
            ("id", id),
            ("route_table_id", route_table_id),
            ("ipv6_index", src.get("ipv6_index").clone()),
            (
                "ipv6_cidr_block",
                self.subnet_ipv6(vpc, sub, observed, vpc_ipv6),
            ),
        ]))
    }

    fn peerings(&mut self) -> Value {
        let names: BTreeMap<&str, &str> = self
            .f
            .ids
            .iter()
            .filter_map(|(k, id)| match k {
                Key::Vpc(name) => Some((id.as_str(), name.as_str())),
                _ => None,
            })
            .collect();
        let mut out = BTreeMap::new();
        for pair in pairs(self.f.mesh) {
            let key = Key::Peering(pair.clone());
            let observed = self
                .f
                .ids
                .get(&key)
                .and_then(|id| self.f.inventory.peerings.iter().find(|p| &p.id == id));
            if self.f.mode == Mode::Observe && observed.is_none() {
                continue;
            }
            let id = if self.tainted(&pair.a) || self.tainted(&pair.b) {
                Value::Unknown
            } else {
                self.id(&key)
            };
            let side = |vpc_id: &str, fallback: &str| {
                names
                    .get(vpc_id)
                    .map_or(fallback.to_string(), |n| n.to_string())
            };
            let (requester, accepter) = match observed {
                Some(p) => (
                    side(&p.requester_vpc_id, &pair.a),
                    side(&p.accepter_vpc_id, &pair.b),
                ),
                None => (pair.a.clone(), pair.b.clone()),
            };
            let status = match (self.f.mode, observed) {
                (Mode::Observe, Some(p)) => p.status.as_str(),
                _ => "active",
            };
            out.insert(
                Pair::key(&pair),
                object(vec![
                    ("id", id),
                    ("requester", requester.into()),
                    ("accepter", accepter.into()),
                    ("status", status.into()),
                ]),
            );
        }
        Value::Map(out)
    }
}
