//! Reading configurations with unknown and null values at every depth.

use std::collections::BTreeSet;

use super::*;

fn obj(entries: Vec<(&str, Value)>) -> Value {
    Value::Object(entries.into_iter().map(|(k, v)| (k.into(), v)).collect())
}

fn map(entries: Vec<(&str, Value)>) -> Value {
    Value::Map(entries.into_iter().map(|(k, v)| (k.into(), v)).collect())
}

fn subnet(cidr: &str) -> Value {
    obj(vec![("cidr_block", cidr.into())])
}

/// The parse, and the attribute paths of its diagnostics.
fn parsed(config: &Value) -> (Parsed, Vec<Option<AttributePath>>) {
    let mut diags = Diagnostics::new();
    let parsed = parse(config, &mut diags);
    let paths = diags.iter().map(|d| d.attribute.clone()).collect();
    (parsed, paths)
}

#[test]
fn unknowns_at_every_depth_become_placeholders_and_are_recorded() {
    let a = obj(vec![
        ("cidr_block", "10.1.0.0/16".into()),
        ("vpc_id", Value::Unknown),
        ("region", Value::Unknown),
        (
            "subnets",
            map(vec![
                (
                    "x",
                    obj(vec![
                        ("cidr_block", "10.1.1.0/24".into()),
                        ("availability_zone", Value::Unknown),
                        ("public", Value::Unknown),
                    ]),
                ),
                ("y", Value::Unknown),
                ("z", subnet("10.1.3.0/24")),
            ]),
        ),
    ]);
    let c = obj(vec![
        ("cidr_block", Value::Unknown),
        ("subnets", Value::Unknown),
    ]);
    let config = obj(vec![
        ("name", "lab".into()),
        ("vpcs", map(vec![("a", a), ("b", Value::Unknown), ("c", c)])),
        (
            "ssh_ingress_cidrs",
            Value::List(vec![Value::Unknown, "10.9.0.0/16".into(), "nope".into()]),
        ),
        (
            "tags",
            map(vec![("team", "net".into()), ("later", Value::Unknown)]),
        ),
    ]);
    let (p, errors) = parsed(&config);
    let ssh = AttributePath::root("ssh_ingress_cidrs");
    assert_eq!(errors, [Some(ssh.index(2))]);
    let u = &p.unknown;
    assert!(!u.name && !u.vpcs && !u.topology);
    let names = |items: &[&str]| items.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>();
    assert_eq!(u.tainted, names(&["a", "b", "c"]));
    assert_eq!(u.whole_vpcs, names(&["b"]));
    assert_eq!(u.subnet_maps, names(&["c"]));
    assert_eq!(
        u.whole_subnets,
        BTreeSet::from([("a".to_string(), "y".to_string())])
    );
    // One placeholder block each for b and c, in name order; one id for a.
    assert_eq!(u.placeholder_cidrs.len(), 2);
    assert_eq!(u.placeholder_ids, names(&["vpc-ffffffff00000000"]));

    let vpc_a = &p.mesh.vpcs["a"];
    assert_eq!(vpc_a.region.as_deref(), Some(UNKNOWN_REGION));
    assert_eq!(vpc_a.subnets.keys().collect::<Vec<_>>(), ["x", "z"]);
    let x = &vpc_a.subnets["x"];
    assert_eq!(x.availability_zone.as_deref(), Some(UNKNOWN_ZONE));
    assert_eq!(x.public, DEFAULT_PUBLIC);
    assert_eq!(p.mesh.vpcs["b"].region.as_deref(), Some(UNKNOWN_REGION));
    assert!(p.mesh.vpcs["c"].subnets.is_empty());
    assert_eq!(
        p.mesh.ssh_ingress_cidrs,
        ["10.9.0.0/16".parse::<ipnet::IpNet>().unwrap()]
    );
    assert_eq!(p.mesh.tags.keys().collect::<Vec<_>>(), ["team"]);
    assert_eq!(p.mesh.allow_icmp, DEFAULT_ALLOW_ICMP);
}

#[test]
fn a_connection_not_wholly_known_leaves_the_topology_unknown() {
    let pair = |b: Value| Value::List(vec![Value::List(vec!["a".into(), b])]);
    let config = |b: Value| {
        obj(vec![
            ("vpcs", map(vec![("a", subnet("10.1.0.0/16"))])),
            ("topology", "explicit".into()),
            ("connections", pair(b)),
        ])
    };
    let (p, errors) = parsed(&config(Value::Unknown));
    assert!(p.unknown.topology && errors.is_empty());
    assert_eq!(p.mesh.topology, Topology::FullMesh);

    let (p, errors) = parsed(&config("b".into()));
    assert!(!p.unknown.topology && errors.is_empty());
    assert_eq!(
        p.mesh.topology,
        Topology::Explicit {
            connections: vec![("a".into(), "b".into())]
        }
    );
    // A null name leaves a pair of one, which is refused on its path.
    let (_, errors) = parsed(&config(Value::Null));
    assert_eq!(errors, [Some(AttributePath::root("connections").index(0))]);
}

#[test]
fn unknown_names_and_maps_and_null_values_read_as_before() {
    let (p, errors) = parsed(&obj(vec![
        ("name", Value::Unknown),
        ("vpcs", Value::Unknown),
        ("allow_icmp", Value::Unknown),
        ("dns_resolution", true.into()),
        ("tags", Value::Unknown),
    ]));
    assert!(errors.is_empty());
    assert!(p.unknown.name && p.unknown.vpcs);
    assert_eq!(p.mesh.name, "unknown");
    assert!(p.mesh.vpcs.is_empty() && p.mesh.tags.is_empty());
    assert_eq!(p.mesh.allow_icmp, DEFAULT_ALLOW_ICMP);
    assert!(p.mesh.dns_resolution);

    // A null VPC entry is a VPC without attributes, for validation to refuse.
    let (p, _) = parsed(&obj(vec![("vpcs", map(vec![("a", Value::Null)]))]));
    let a = &p.mesh.vpcs["a"];
    assert!(a.cidr.is_none() && a.vpc_id.is_none() && a.region.is_none());

    // A value that is null or unknown as a whole (no state yet) describes no mesh.
    for whole in [Value::Null, Value::Unknown] {
        let (p, errors) = parsed(&whole);
        assert!(errors.is_empty());
        assert_eq!(p.mesh.name, "");
        assert!(p.mesh.vpcs.is_empty() && !p.unknown.vpcs);
    }
}

#[test]
fn a_value_off_the_schema_is_reported_on_its_path() {
    let config = obj(vec![(
        "vpcs",
        map(vec![("a", obj(vec![("cidr_block", true.into())]))]),
    )]);
    let (_, errors) = parsed(&config);
    let cidr = vpc_path("a").attr("cidr_block");
    assert_eq!(errors, [Some(cidr)]);
    assert_eq!(recorded_id(&obj(vec![("id", Value::Unknown)])), None);
    assert_eq!(
        recorded_id(&obj(vec![("id", "mesh-1".into())])).as_deref(),
        Some("mesh-1")
    );
}
