use std::collections::BTreeMap;

use serde::Deserialize;

use super::*;
use crate::diag::AttributePath;
use crate::value::{Type, Value};

fn object(entries: Vec<(&str, Value)>) -> Value {
    Value::Object(entries.into_iter().map(|(k, v)| (k.into(), v)).collect())
}

#[derive(Debug, Deserialize, PartialEq)]
struct Subnet {
    cidr_block: Known<Option<String>>,
    public: Option<Known<bool>>,
}

#[derive(Debug, Deserialize, PartialEq)]
struct Vpc {
    region: Known<Option<String>>,
    subnets: Known<BTreeMap<String, Known<Subnet>>>,
}

#[test]
fn unknown_known_and_null_are_three_answers() {
    let read = |v: Value| v.decode::<Known<Option<String>>>().unwrap();
    assert_eq!(read(Value::Unknown), Known::Unknown);
    assert_eq!(read(Value::Null), Known::Known(None));
    assert_eq!(
        read("eu-west-2".into()),
        Known::Known(Some("eu-west-2".into()))
    );

    let read = |v: Value| v.decode::<Option<Known<bool>>>().unwrap();
    assert_eq!(read(Value::Unknown), Some(Known::Unknown));
    assert_eq!(read(Value::Null), None);
    assert_eq!(read(true.into()), Some(Known::Known(true)));
}

#[test]
fn unknowns_nest_where_the_struct_allows_them() {
    let vpc = object(vec![
        ("region", Value::Unknown),
        (
            "subnets",
            Value::Map(BTreeMap::from([
                ("a".into(), Value::Unknown),
                (
                    "b".into(),
                    object(vec![
                        ("cidr_block", Value::Unknown),
                        ("public", Value::Null),
                    ]),
                ),
            ])),
        ),
    ]);
    let vpc: Vpc = vpc.decode().unwrap();
    assert!(vpc.region.is_unknown());
    let subnets = vpc.subnets.known().unwrap();
    assert_eq!(subnets["a"], Known::Unknown);
    let b = subnets["b"].as_ref().known().unwrap();
    assert!(b.cidr_block.is_unknown());
    assert_eq!(b.public, None);

    // A null collection is an empty one, an unknown one is unknown.
    let empty = object(vec![("region", Value::Null), ("subnets", Value::Null)]);
    assert_eq!(
        empty.decode::<Vpc>().unwrap().subnets,
        Known::Known(BTreeMap::new())
    );
    let unknown = object(vec![("region", Value::Null), ("subnets", Value::Unknown)]);
    assert!(unknown.decode::<Vpc>().unwrap().subnets.is_unknown());
}

#[test]
fn an_unknown_where_the_struct_has_no_known_is_an_error_on_its_path() {
    #[derive(Debug, Deserialize)]
    struct Strict {
        #[allow(dead_code)]
        subnets: Known<BTreeMap<String, Subnet>>,
    }
    let value = object(vec![(
        "subnets",
        Value::Map(BTreeMap::from([("a".into(), Value::Unknown)])),
    )]);
    let err = value.decode::<Strict>().unwrap_err();
    assert_eq!(err.path, AttributePath::root("subnets").key("a"));
    assert!(err.message.contains("unknown"), "{err}");
}

#[test]
fn wholly_reads_a_value_only_when_nothing_inside_is_unknown() {
    #[derive(Debug, Deserialize)]
    struct Topology {
        #[serde(deserialize_with = "wholly")]
        connections: Known<Option<Vec<Vec<String>>>>,
    }
    let pairs = |inner: Value| {
        object(vec![(
            "connections",
            Value::List(vec![Value::List(vec!["a".into(), inner])]),
        )])
    };
    let partly = pairs(Value::Unknown).decode::<Topology>().unwrap();
    assert!(partly.connections.is_unknown());
    let whole = pairs("b".into()).decode::<Topology>().unwrap();
    assert_eq!(
        whole.connections.present(),
        Some(vec![vec!["a".to_string(), "b".to_string()]])
    );
    let null = object(vec![("connections", Value::Null)]);
    assert_eq!(
        null.decode::<Topology>().unwrap().connections,
        Known::Known(None)
    );
}

#[test]
fn other_deserializers_only_know_known_values() {
    let read: Known<Option<u8>> = serde_json::from_str("7").unwrap();
    assert_eq!(read, Known::Known(Some(7)));
    let read: Known<Option<u8>> = serde_json::from_str("null").unwrap();
    assert_eq!(read.present(), None);
}

#[test]
fn known_through_dynamic_values() {
    let dynamic = Value::Dynamic(Type::String, Box::new("x".into()));
    assert_eq!(
        dynamic.decode::<Known<String>>().unwrap(),
        Known::Known("x".into())
    );
    let helpers: Known<Vec<u8>> = Known::Unknown;
    assert!(helpers.as_ref().map(Vec::len).is_unknown());
    assert_eq!(helpers.or_default(), Vec::<u8>::new());
}
