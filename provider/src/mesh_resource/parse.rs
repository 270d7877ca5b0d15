//! Configuration (or state: they share the schema) to [`Mesh`], with diagnostics on
//! attribute paths for text that does not parse. Values not known yet (plan time) are
//! replaced by placeholders that can never match an existing object, so the planner
//! treats what depends on them as new, and are recorded in [`Unknowns`].

use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv4Addr;

use ipnet::Ipv4Net;
use tfplugin::diag::{AttributePath, Diagnostics};
use tfplugin::value::Value;

use super::schema::{DEFAULT_ALLOW_ICMP, DEFAULT_DNS_RESOLUTION, DEFAULT_PUBLIC};
use super::validation::{topology_from_config, vpc_path};
use crate::mesh::model::{Mesh, SubnetSpec, Topology, VpcSpec};

/// Stands for a region not known yet; no VPC is ever in it.
pub const UNKNOWN_REGION: &str = "unknown-region-0";
/// Stands for an availability zone not known yet.
pub const UNKNOWN_ZONE: &str = "unknown-region-0z";

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Unknowns {
    pub name: bool,
    /// The `vpcs` map itself is unknown.
    pub vpcs: bool,
    /// `topology`, `hub` or `connections` is unknown: which pairs peer is unknown.
    pub topology: bool,
    /// VPCs with some unknown input: every computed value of theirs is unknown.
    pub tainted: BTreeSet<String>,
    /// VPC objects that are wholly unknown.
    pub whole_vpcs: BTreeSet<String>,
    /// VPCs whose `subnets` map is unknown.
    pub subnet_maps: BTreeSet<String>,
    /// Subnet objects that are wholly unknown (left out of the mesh).
    pub whole_subnets: BTreeSet<(String, String)>,
    /// CIDR blocks that stand for unknown (or unparsable) ones.
    pub placeholder_cidrs: BTreeSet<Ipv4Net>,
    /// VPC ids that stand for unknown ones.
    pub placeholder_ids: BTreeSet<String>,
}

#[derive(Debug, Clone)]
pub struct Parsed {
    pub mesh: Mesh,
    pub unknown: Unknowns,
}

struct Parser<'d> {
    unknown: Unknowns,
    diags: &'d mut Diagnostics,
}

pub fn parse(value: &Value, diags: &mut Diagnostics) -> Parsed {
    let mut p = Parser {
        unknown: Unknowns::default(),
        diags,
    };
    let name = match value.get("name") {
        v if v.is_unknown() => {
            p.unknown.name = true;
            "unknown".to_string()
        }
        v => v.as_str().unwrap_or_default().to_string(),
    };
    let mut vpcs = BTreeMap::new();
    match value.get("vpcs") {
        v if v.is_unknown() => p.unknown.vpcs = true,
        v => {
            for (vpc, spec) in v.as_map().into_iter().flatten() {
                if let Some(spec) = p.vpc(vpc, spec) {
                    vpcs.insert(vpc.clone(), spec);
                }
            }
        }
    }
    let topology = p.topology(value);
    let mesh = Mesh {
        name,
        vpcs,
        topology,
        allow_icmp: value
            .get("allow_icmp")
            .as_bool()
            .unwrap_or(DEFAULT_ALLOW_ICMP),
        ssh_ingress_cidrs: p.ssh_cidrs(value.get("ssh_ingress_cidrs")),
        dns_resolution: value
            .get("dns_resolution")
            .as_bool()
            .unwrap_or(DEFAULT_DNS_RESOLUTION),
        tags: known_strings(value.get("tags")),
    };
    Parsed {
        mesh,
        unknown: p.unknown,
    }
}

/// The entries of a map of strings that are known.
fn known_strings(v: &Value) -> BTreeMap<String, String> {
    let entries = v.as_map().into_iter().flatten();
    entries
        .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
        .collect()
}

impl Parser<'_> {
    /// A placeholder block: /32s in 0.0.0.0/8, which no VPC or subnet can have.
    fn placeholder_cidr(&mut self) -> Ipv4Net {
        let n = self.unknown.placeholder_cidrs.len() as u32;
        let cidr = Ipv4Net::new(Ipv4Addr::from(n), 32).expect("a /32 is valid");
        self.unknown.placeholder_cidrs.insert(cidr);
        cidr
    }

    fn cidr(&mut self, v: &Value, path: AttributePath, tainted: &mut bool) -> Option<Ipv4Net> {
        if v.is_unknown() {
            *tainted = true;
            return Some(self.placeholder_cidr());
        }
        let text = v.as_str()?;
        match text.parse::<Ipv4Net>() {
            Ok(net) => Some(net),
            Err(_) => {
                self.diags.error_at(
                    path.clone(),
                    "Invalid CIDR block",
                    format!("{path} is {text:?}, which is not an IPv4 CIDR block; write it like \"10.1.0.0/16\"."),
                );
                Some(self.placeholder_cidr())
            }
        }
    }

    fn vpc(&mut self, name: &str, v: &Value) -> Option<VpcSpec> {
        let path = vpc_path(name);
        if v.is_unknown() {
            self.unknown.whole_vpcs.insert(name.to_string());
            self.unknown.tainted.insert(name.to_string());
            let cidr = Some(self.placeholder_cidr());
            return Some(VpcSpec {
                cidr,
                vpc_id: None,
                region: Some(UNKNOWN_REGION.to_string()),
                subnets: BTreeMap::new(),
            });
        }
        let mut tainted = false;
        let cidr = self.cidr(
            v.get("cidr_block"),
            path.clone().attr("cidr_block"),
            &mut tainted,
        );
        let vpc_id = match v.get("vpc_id") {
            id if id.is_unknown() => {
                tainted = true;
                let placeholder = format!("vpc-ffffffff{:08x}", self.unknown.placeholder_ids.len());
                self.unknown.placeholder_ids.insert(placeholder.clone());
                Some(placeholder)
            }
            id => id.as_str().map(str::to_string),
        };
        let region = match v.get("region") {
            r if r.is_unknown() => {
                tainted = true;
                Some(UNKNOWN_REGION.to_string())
            }
            r => r.as_str().map(str::to_string),
        };
        let mut subnets = BTreeMap::new();
        match v.get("subnets") {
            s if s.is_unknown() => {
                tainted = true;
                self.unknown.subnet_maps.insert(name.to_string());
            }
            s => {
                for (sub, spec) in s.as_map().into_iter().flatten() {
                    let sub_path = path.clone().attr("subnets").key(sub);
                    if spec.is_unknown() {
                        tainted = true;
                        self.unknown
                            .whole_subnets
                            .insert((name.to_string(), sub.clone()));
                        continue;
                    }
                    let cidr = self.cidr(
                        spec.get("cidr_block"),
                        sub_path.attr("cidr_block"),
                        &mut tainted,
                    );
                    let availability_zone = match spec.get("availability_zone") {
                        z if z.is_unknown() => {
                            tainted = true;
                            Some(UNKNOWN_ZONE.to_string())
                        }
                        z => z.as_str().map(str::to_string),
                    };
                    let public = spec.get("public");
                    tainted |= public.is_unknown();
                    let public = public.as_bool().unwrap_or(DEFAULT_PUBLIC);
                    if let Some(cidr) = cidr {
                        subnets.insert(
                            sub.clone(),
                            SubnetSpec {
                                cidr,
                                availability_zone,
                                public,
                            },
                        );
                    }
                }
            }
        }
        if tainted {
            self.unknown.tainted.insert(name.to_string());
        }
        Some(VpcSpec {
            cidr,
            vpc_id,
            region,
            subnets,
        })
    }

    fn topology(&mut self, value: &Value) -> Topology {
        let (kind, hub, connections) = (
            value.get("topology"),
            value.get("hub"),
            value.get("connections"),
        );
        let connections_known = connections.is_wholly_known();
        if kind.is_unknown() || hub.is_unknown() || !connections_known {
            self.unknown.topology = true;
            return Topology::FullMesh;
        }
        let pairs: Option<Vec<Vec<String>>> = connections.as_list().map(|items| {
            let strings = |item: &Value| {
                item.as_list()
                    .unwrap_or_default()
                    .iter()
                    .filter_map(|s| s.as_str().map(str::to_string))
                    .collect()
            };
            items.iter().map(strings).collect()
        });
        topology_from_config(kind.as_str(), hub.as_str(), pairs.as_deref(), self.diags)
            .unwrap_or(Topology::FullMesh)
    }

    fn ssh_cidrs(&mut self, v: &Value) -> Vec<Ipv4Net> {
        let mut out = Vec::new();
        for (i, item) in v.as_list().unwrap_or_default().iter().enumerate() {
            let Some(text) = item.as_str() else { continue };
            match text.parse::<Ipv4Net>() {
                Ok(net) => out.push(net),
                Err(_) => self.diags.error_at(
                    AttributePath::root("ssh_ingress_cidrs").index(i as i64),
                    "Invalid SSH ingress CIDR",
                    format!("ssh_ingress_cidrs[{i}] is {text:?}, which is not an IPv4 CIDR block; write it like \"10.1.1.0/24\" (or \"10.1.1.249/32\" for one host)."),
                ),
            }
        }
        out
    }
}

/// A planned value read as a description of what to make: values the plan left unknown
/// are the ones EC2 decides, so they constrain nothing.
pub fn unknown_as_null(v: &Value) -> Value {
    match v {
        Value::Unknown => Value::Null,
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, x)| (k.clone(), unknown_as_null(x)))
                .collect(),
        ),
        Value::Map(m) => Value::Map(
            m.iter()
                .map(|(k, x)| (k.clone(), unknown_as_null(x)))
                .collect(),
        ),
        Value::List(items) => Value::List(items.iter().map(unknown_as_null).collect()),
        other => other.clone(),
    }
}

impl Parsed {
    /// The mesh as validation should see it: parts not known yet left out or neutral,
    /// so that only what is known is checked. None when too little is known to check
    /// anything beyond single attributes.
    pub fn validation_view(&self) -> Option<Mesh> {
        if self.unknown.vpcs || self.unknown.topology {
            return None;
        }
        let u = &self.unknown;
        let mut mesh = self.mesh.clone();
        if u.name {
            mesh.name = "unknown".to_string();
        }
        for (i, vpc) in mesh.vpcs.values_mut().enumerate() {
            if vpc.cidr.is_some_and(|c| u.placeholder_cidrs.contains(&c)) {
                vpc.cidr = None;
                // Stands for the block that will be known: a neutral adopted VPC.
                vpc.vpc_id
                    .get_or_insert_with(|| format!("vpc-fffffffe{i:08x}"));
            }
            if vpc.region.as_deref() == Some(UNKNOWN_REGION) {
                vpc.region = None;
            }
            vpc.subnets
                .retain(|_, s| !u.placeholder_cidrs.contains(&s.cidr));
            for s in vpc.subnets.values_mut() {
                if s.availability_zone.as_deref() == Some(UNKNOWN_ZONE) {
                    s.availability_zone = None;
                }
            }
        }
        Some(mesh)
    }
}
