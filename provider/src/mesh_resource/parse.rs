//! Configuration (or state: they share the schema) to [`Mesh`], read with serde into
//! the structs of `input`, with diagnostics on attribute paths for text that does not
//! parse. Values not known yet (plan time) are replaced by placeholders that can never
//! match an existing object, so the planner treats what depends on them as new, and
//! are recorded in [`Unknowns`].

use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv4Addr;

use ipnet::{IpNet, Ipv4Net};
use tfplugin::diag::{AttributePath, Diagnostics};
use tfplugin::value::{Known, Value};

use super::schema::{DEFAULT_ALLOW_ICMP, DEFAULT_DNS_RESOLUTION, DEFAULT_PUBLIC};
use super::validation::{topology_from_config, vpc_path};
use crate::mesh::model::{Mesh, SubnetSpec, Topology, VpcSpec};
use crate::mesh::problem::quote;
use input::{SubnetInput, VpcInput};

mod input;

pub use input::{read as read_input, recorded_id, MeshInput, TimeoutsInput};

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
    let input: MeshInput = input::read(value, &AttributePath::default(), diags);
    let mut p = Parser {
        unknown: Unknowns::default(),
        diags,
    };
    let name = match input.name {
        Known::Unknown => {
            p.unknown.name = true;
            "unknown".to_string()
        }
        Known::Known(name) => name.unwrap_or_default(),
    };
    let mut vpcs = BTreeMap::new();
    match input.vpcs {
        Known::Unknown => p.unknown.vpcs = true,
        Known::Known(specs) => {
            for (vpc, spec) in specs {
                let spec = p.vpc(&vpc, spec.map(Option::unwrap_or_default));
                vpcs.insert(vpc, spec);
            }
        }
    }
    let topology = p.topology(input.topology, input.hub, input.connections);
    let mesh = Mesh {
        name,
        vpcs,
        topology,
        allow_icmp: input.allow_icmp.present().unwrap_or(DEFAULT_ALLOW_ICMP),
        ssh_ingress_cidrs: p.ssh_cidrs(input.ssh_ingress_cidrs.or_default()),
        dns_resolution: input
            .dns_resolution
            .present()
            .unwrap_or(DEFAULT_DNS_RESOLUTION),
        tags: known_strings(input.tags.or_default()),
    };
    Parsed {
        mesh,
        unknown: p.unknown,
    }
}

/// The entries of a map of strings that are known.
fn known_strings(map: BTreeMap<String, Known<Option<String>>>) -> BTreeMap<String, String> {
    map.into_iter()
        .filter_map(|(k, v)| Some((k, v.present()?)))
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

    fn cidr(
        &mut self,
        v: Known<Option<String>>,
        path: AttributePath,
        tainted: &mut bool,
    ) -> Option<Ipv4Net> {
        let Known::Known(text) = v else {
            *tainted = true;
            return Some(self.placeholder_cidr());
        };
        let text = text?;
        match text.parse::<Ipv4Net>() {
            Ok(net) => Some(net),
            Err(_) => {
                self.diags.error_at(
                    path.clone(),
                    "Invalid CIDR block",
                    format!("{path} is {}, which is not an IPv4 CIDR block; write it like \"10.1.0.0/16\".", quote(&text)),
                );
                Some(self.placeholder_cidr())
            }
        }
    }

    /// A VPC spec; a null entry reads as one with every attribute null.
    fn vpc(&mut self, name: &str, v: Known<VpcInput>) -> VpcSpec {
        let path = vpc_path(name);
        let Known::Known(v) = v else {
            self.unknown.whole_vpcs.insert(name.to_string());
            self.unknown.tainted.insert(name.to_string());
            let cidr = Some(self.placeholder_cidr());
            return VpcSpec {
                cidr,
                vpc_id: None,
                region: Some(UNKNOWN_REGION.to_string()),
                account: None,
                subnets: BTreeMap::new(),
                ipv6: false,
            };
        };
        let mut tainted = false;
        let cidr = self.cidr(v.cidr_block, path.clone().attr("cidr_block"), &mut tainted);
        let vpc_id = match v.vpc_id {
            Known::Unknown => {
                tainted = true;
                let placeholder = format!("vpc-ffffffff{:08x}", self.unknown.placeholder_ids.len());
                self.unknown.placeholder_ids.insert(placeholder.clone());
                Some(placeholder)
            }
            Known::Known(id) => id,
        };
        let region = match v.region {
            Known::Unknown => {
                tainted = true;
                Some(UNKNOWN_REGION.to_string())
            }
            Known::Known(region) => region,
        };
        // An account not known yet: planned as the own account, the VPC tainted.
        let account = match v.account {
            Known::Unknown => {
                tainted = true;
                None
            }
            Known::Known(account) => account,
        };
        let mut subnets = BTreeMap::new();
        match v.subnets {
            Known::Unknown => {
                tainted = true;
                self.unknown.subnet_maps.insert(name.to_string());
            }
            Known::Known(specs) => {
                for (sub, spec) in specs {
                    let sub_path = path.clone().attr("subnets").key(&sub);
                    let Known::Known(spec) = spec else {
                        tainted = true;
                        self.unknown.whole_subnets.insert((name.to_string(), sub));
                        continue;
                    };
                    let spec = spec.unwrap_or_default();
                    if let Some(subnet) = self.subnet(spec, sub_path, &mut tainted) {
                        subnets.insert(sub, subnet);
                    }
                }
            }
        }
        tainted |= v.ipv6.is_unknown();
        if tainted {
            self.unknown.tainted.insert(name.to_string());
        }
        VpcSpec {
            cidr,
            vpc_id,
            region,
            account,
            subnets,
            ipv6: v.ipv6.present().unwrap_or(false),
        }
    }

    /// A subnet spec; None without a CIDR block.
    fn subnet(
        &mut self,
        spec: SubnetInput,
        path: AttributePath,
        tainted: &mut bool,
    ) -> Option<SubnetSpec> {
        let cidr = self.cidr(spec.cidr_block, path.attr("cidr_block"), tainted);
        let availability_zone = match spec.availability_zone {
            Known::Unknown => {
                *tainted = true;
                Some(UNKNOWN_ZONE.to_string())
            }
            Known::Known(zone) => zone,
        };
        *tainted |= spec.public.is_unknown();
        let public = spec.public.present().unwrap_or(DEFAULT_PUBLIC);
        *tainted |= spec.ipv6_index.is_unknown();
        Some(SubnetSpec {
            cidr: cidr?,
            availability_zone,
            public,
            ipv6_index: spec.ipv6_index.present(),
        })
    }

    fn topology(
        &mut self,
        kind: Known<Option<String>>,
        hub: Known<Option<String>>,
        connections: Known<Option<Vec<Vec<Option<String>>>>>,
    ) -> Topology {
        let (Known::Known(kind), Known::Known(hub), Known::Known(connections)) =
            (kind, hub, connections)
        else {
            self.unknown.topology = true;
            return Topology::FullMesh;
        };
        // Null names in a pair are left out; validation then finds the pair short.
        let pairs: Option<Vec<Vec<String>>> = connections.map(|items| {
            let names = |pair: Vec<Option<String>>| pair.into_iter().flatten().collect();
            items.into_iter().map(names).collect()
        });
        topology_from_config(
            kind.as_deref(),
            hub.as_deref(),
            pairs.as_deref(),
            self.diags,
        )
        .unwrap_or(Topology::FullMesh)
    }

    /// The blocks of `ssh_ingress_cidrs`; elements not known yet are checked once known.
    fn ssh_cidrs(&mut self, items: Vec<Known<Option<String>>>) -> Vec<IpNet> {
        let mut out = Vec::new();
        for (i, item) in items.into_iter().enumerate() {
            let Some(text) = item.present() else { continue };
            match text.parse::<IpNet>() {
                Ok(net) => out.push(net),
                Err(_) => self.diags.error_at(
                    AttributePath::root("ssh_ingress_cidrs").index(i as i64),
                    "Invalid SSH ingress CIDR",
                    format!("ssh_ingress_cidrs[{i}] is {}, which is not a CIDR block; write it like \"10.1.1.0/24\" (or \"10.1.1.249/32\" for one host, \"2001:db8::/32\" for IPv6).", quote(&text)),
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

#[cfg(test)]
mod tests;
