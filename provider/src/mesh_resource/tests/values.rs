//! Building configuration values the way Terraform sends them (every attribute present,
//! null when not set), and reading values back by path.

use tfplugin::value::{Type, Value};

use crate::mesh_resource::schema::schema;

pub fn s(text: &str) -> Value {
    Value::from(text)
}

pub fn obj(entries: &[(&str, Value)]) -> Value {
    Value::Object(
        entries
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
    )
}

pub fn map(entries: &[(&str, Value)]) -> Value {
    Value::Map(
        entries
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
    )
}

pub fn strings(items: &[&str]) -> Value {
    Value::List(items.iter().map(|i| s(i)).collect())
}

/// A subnet `(name, cidr, public)` list into the `subnets` map.
pub fn vpc(cidr: &str, subnets: &[(&str, &str, bool)]) -> Value {
    let subnets: Vec<(&str, Value)> = subnets
        .iter()
        .map(|(name, cidr, public)| {
            let public = if *public {
                Value::from(true)
            } else {
                Value::Null
            };
            (
                *name,
                obj(&[
                    ("cidr_block", s(cidr)),
                    ("availability_zone", s("eu-west-2a")),
                    ("public", public),
                ]),
            )
        })
        .collect();
    let subnets = if subnets.is_empty() {
        Value::Null
    } else {
        map(&subnets)
    };
    obj(&[("cidr_block", s(cidr)), ("subnets", subnets)])
}

/// The seed experiment's four VPCs (examples/seed-experiment).
pub fn seed_vpcs() -> Vec<(&'static str, Value)> {
    vec![
        (
            "production",
            vpc(
                "10.1.0.0/16",
                &[
                    ("public", "10.1.1.0/24", true),
                    ("private", "10.1.2.0/24", false),
                ],
            ),
        ),
        (
            "development",
            vpc("10.2.0.0/16", &[("private", "10.2.1.0/24", false)]),
        ),
        (
            "testing",
            vpc("10.3.0.0/16", &[("private", "10.3.1.0/24", false)]),
        ),
        (
            "shared",
            vpc("10.4.0.0/16", &[("private", "10.4.1.0/24", false)]),
        ),
    ]
}

pub fn mesh_config(vpcs: &[(&str, Value)], extra: &[(&str, Value)]) -> Value {
    let mut entries = vec![
        ("name", s("seed-lab")),
        ("vpcs", map(vpcs)),
        ("ssh_ingress_cidrs", strings(&["10.1.1.0/24"])),
        ("tags", map(&[("team", s("net"))])),
    ];
    for (k, v) in extra {
        entries.retain(|(e, _)| e != k);
        entries.push((k, v.clone()));
    }
    obj(&entries)
}

pub fn seed_config() -> Value {
    mesh_config(&seed_vpcs(), &[])
}

/// The seed configuration plus VPC `staging` 10.5.0.0/16.
pub fn five_vpc_config() -> Value {
    let mut vpcs = seed_vpcs();
    vpcs.push((
        "staging",
        vpc("10.5.0.0/16", &[("private", "10.5.1.0/24", false)]),
    ));
    mesh_config(&vpcs, &[])
}

/// `v` with every attribute of the resource's type present (null when absent).
pub fn conform(v: &Value) -> Value {
    conform_to(v, &schema().value_type())
}

fn conform_to(v: &Value, ty: &Type) -> Value {
    match (v, ty) {
        (Value::Object(entries), Type::Object(o)) => Value::Object(
            o.attrs
                .iter()
                .map(|(k, t)| {
                    (
                        k.clone(),
                        entries.get(k).map_or(Value::Null, |x| conform_to(x, t)),
                    )
                })
                .collect(),
        ),
        (Value::Map(entries), Type::Map(e)) => Value::Map(
            entries
                .iter()
                .map(|(k, x)| (k.clone(), conform_to(x, e)))
                .collect(),
        ),
        (Value::List(items), Type::List(e)) => {
            Value::List(items.iter().map(|x| conform_to(x, e)).collect())
        }
        (other, _) => other.clone(),
    }
}

/// The value at a path of attribute names and map keys, e.g.
/// `at(&state, &["vpcs", "production", "vpc_id"])`.
pub fn at<'v>(v: &'v Value, path: &[&str]) -> &'v Value {
    path.iter().fold(v, |v, step| v.get(step))
}

pub fn text(v: &Value, path: &[&str]) -> String {
    at(v, path)
        .as_str()
        .unwrap_or_else(|| {
            panic!(
                "{} is not a known string: {:?}",
                path.join("."),
                at(v, path)
            )
        })
        .to_string()
}

/// Replaces the value at `path` (which must exist).
pub fn set(v: &mut Value, path: &[&str], new: Value) {
    let (last, parents) = path.split_last().expect("a non-empty path");
    let mut cur = v;
    for step in parents {
        cur = match cur {
            Value::Object(m) | Value::Map(m) => m.get_mut(*step).expect("path exists"),
            _ => panic!("{step}: not an object or map"),
        };
    }
    match cur {
        Value::Object(m) | Value::Map(m) => {
            m.insert(last.to_string(), new);
        }
        _ => panic!("{last}: not an object or map"),
    }
}
