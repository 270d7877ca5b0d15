//! Stable component keys. Every object the mesh creates carries its key in the
//! `peering:component` tag, so a later run (or a retry after a lost response) finds it
//! again. Keys are derived from VPC and subnet names only, never from AWS ids.

use std::fmt;

use super::model::Pair;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Key {
    /// `vpc/NAME`
    Vpc(String),
    /// `subnet/VPC/SUBNET`
    Subnet(String, String),
    /// `rtb/VPC/SUBNET`: the route table the mesh creates for one subnet.
    RouteTable(String, String),
    /// `rtb/VPC`: the VPC's main route table. AWS creates it with the VPC; the mesh
    /// never tags nor deletes it, it only holds the peer routes of subnet-less VPCs.
    MainRouteTable(String),
    /// `rtbassoc/VPC/SUBNET`: the association of a subnet with its route table.
    Association(String, String),
    /// `igw/VPC`
    InternetGateway(String),
    /// `sg/VPC`
    SecurityGroup(String),
    /// `pcx/A:B` with A < B.
    Peering(Pair),
}

impl Key {
    /// Parses a `peering:component` tag value. Only keys of objects the mesh tags parse;
    /// anything else (a hand-edited tag, a key of an older version) is `None`, and the
    /// planner deletes such an object like any other undesired one.
    pub fn parse(tag: &str) -> Option<Key> {
        let (kind, rest) = tag.split_once('/')?;
        let parts: Vec<&str> = rest.split('/').collect();
        if parts.iter().any(|p| !is_name(p)) && kind != "pcx" {
            return None;
        }
        let owned = |i: usize| parts[i].to_string();
        match (kind, parts.len()) {
            ("vpc", 1) => Some(Key::Vpc(owned(0))),
            ("subnet", 2) => Some(Key::Subnet(owned(0), owned(1))),
            ("rtb", 2) => Some(Key::RouteTable(owned(0), owned(1))),
            ("igw", 1) => Some(Key::InternetGateway(owned(0))),
            ("sg", 1) => Some(Key::SecurityGroup(owned(0))),
            ("pcx", 1) => {
                let (a, b) = parts[0].split_once(':')?;
                (is_name(a) && is_name(b) && a < b).then(|| Key::Peering(Pair::new(a, b)))
            }
            _ => None,
        }
    }

    /// The VPC this component belongs to (both VPCs for a peering: `None`).
    pub fn vpc(&self) -> Option<&str> {
        match self {
            Key::Vpc(v)
            | Key::Subnet(v, _)
            | Key::RouteTable(v, _)
            | Key::MainRouteTable(v)
            | Key::Association(v, _)
            | Key::InternetGateway(v)
            | Key::SecurityGroup(v) => Some(v),
            Key::Peering(_) => None,
        }
    }
}

/// VPC and subnet names as validation admits them: `[a-z0-9_-]{1,32}`.
pub fn is_name(s: &str) -> bool {
    (1..=32).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Key::Vpc(v) => write!(f, "vpc/{v}"),
            Key::Subnet(v, s) => write!(f, "subnet/{v}/{s}"),
            Key::RouteTable(v, s) => write!(f, "rtb/{v}/{s}"),
            Key::MainRouteTable(v) => write!(f, "rtb/{v}"),
            Key::Association(v, s) => write!(f, "rtbassoc/{v}/{s}"),
            Key::InternetGateway(v) => write!(f, "igw/{v}"),
            Key::SecurityGroup(v) => write!(f, "sg/{v}"),
            Key::Peering(p) => write!(f, "pcx/{}", p.key()),
        }
    }
}

/// Where a route the mesh manages sends its traffic.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RouteVia {
    /// The peering of this pair (to the other VPC's CIDR).
    Peering(Pair),
    /// The internet gateway of this VPC (0.0.0.0/0 in public subnets).
    InternetGateway(String),
}

impl RouteVia {
    pub fn key(&self) -> Key {
        match self {
            RouteVia::Peering(p) => Key::Peering(p.clone()),
            RouteVia::InternetGateway(v) => Key::InternetGateway(v.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tagged_keys_round_trip() {
        let keys = [
            Key::Vpc("production".into()),
            Key::Subnet("production".into(), "public".into()),
            Key::RouteTable("production".into(), "public".into()),
            Key::InternetGateway("production".into()),
            Key::SecurityGroup("shared".into()),
            Key::Peering(Pair::new("production", "development")),
        ];
        for k in keys {
            assert_eq!(Key::parse(&k.to_string()), Some(k.clone()), "{k}");
        }
        assert_eq!(
            Key::Peering(Pair::new("production", "development")).to_string(),
            "pcx/development:production"
        );
    }

    #[test]
    fn untagged_and_malformed_keys_do_not_parse() {
        for tag in [
            "rtb/production",
            "rtbassoc/production/public",
            "pcx/production:development",
            "pcx/a:a",
            "vpc/Production",
            "vpc/",
            "vpc/a/b",
            "subnet/a",
            "nat/a",
            "vpc",
        ] {
            assert_eq!(Key::parse(tag), None, "{tag}");
        }
    }
}
