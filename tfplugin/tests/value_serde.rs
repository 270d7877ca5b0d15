//! Value::decode / Value::encode: resource structs to and from cty values.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use tfplugin::diag::AttributePath;
use tfplugin::value::{msgpack, Number, Type, Value};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Mesh {
    name: String,
    description: Option<String>,
    port: u32,
    ratio: f64,
    enabled: bool,
    cidrs: Vec<String>,
    tags: BTreeMap<String, String>,
    hosts: BTreeMap<String, Host>,
    primary: Option<Host>,
    mode: Mode,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Host {
    address: String,
    weight: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Mode {
    FullMesh,
    HubSpoke,
}

fn host_type() -> Type {
    Type::object([("address", Type::String), ("weight", Type::Number)])
}

fn mesh_type() -> Type {
    Type::object([
        ("name", Type::String),
        ("description", Type::String),
        ("port", Type::Number),
        ("ratio", Type::Number),
        ("enabled", Type::Bool),
        ("cidrs", Type::set(Type::String)),
        ("tags", Type::map(Type::String)),
        ("hosts", Type::map(host_type())),
        ("primary", host_type()),
        ("mode", Type::String),
        ("id", Type::String),
    ])
}

fn sample() -> Mesh {
    Mesh {
        name: "lab".into(),
        description: None,
        port: 51820,
        ratio: 0.25,
        enabled: true,
        cidrs: vec!["10.0.0.0/16".into(), "10.1.0.0/16".into()],
        tags: BTreeMap::from([("env".into(), "test".into())]),
        hosts: BTreeMap::from([(
            "a".into(),
            Host {
                address: "127.0.0.1".into(),
                weight: Some(3),
            },
        )]),
        primary: None,
        mode: Mode::HubSpoke,
    }
}

#[test]
fn encode_shapes_by_type_and_decode_reverses_it() {
    let value = Value::encode(&sample(), &mesh_type()).unwrap();
    assert_eq!(value.get("port"), &Value::Number(Number::Int(51820)));
    assert_eq!(value.get("ratio").as_f64(), Some(0.25));
    assert!(matches!(value.get("cidrs"), Value::Set(items) if items.len() == 2));
    assert!(matches!(value.get("tags"), Value::Map(_)));
    assert!(matches!(value.get("hosts").get("a"), Value::Object(_)));
    assert_eq!(value.get("hosts").get("a").get("weight").as_i64(), Some(3));
    assert_eq!(value.get("mode").as_str(), Some("hub_spoke"));
    // None and attributes the struct lacks are null.
    assert!(value.get("description").is_null());
    assert!(value.get("primary").is_null());
    assert!(value.get("id").is_null());
    assert_eq!(value.as_map().unwrap().len(), 11);

    // Through the wire and back into the struct.
    let ty = mesh_type();
    let wire = msgpack::decode(&msgpack::encode(&value, &ty).unwrap(), &ty).unwrap();
    assert_eq!(wire.decode::<Mesh>().unwrap(), sample());
}

#[test]
fn null_collections_decode_as_empty_and_null_options_as_none() {
    let mut value = Value::encode(&sample(), &mesh_type()).unwrap();
    if let Value::Object(entries) = &mut value {
        entries.insert("cidrs".into(), Value::Null);
        entries.insert("tags".into(), Value::Null);
    }
    let mesh: Mesh = value.decode().unwrap();
    assert!(mesh.cidrs.is_empty() && mesh.tags.is_empty());
    assert_eq!(mesh.description, None);
}

#[test]
fn unknowns_are_errors_that_name_the_path() {
    let mut value = Value::encode(&sample(), &mesh_type()).unwrap();
    if let Value::Object(entries) = &mut value {
        let hosts = entries.get_mut("hosts").unwrap();
        if let Value::Map(hosts) = hosts {
            let host = hosts.get_mut("a").unwrap();
            if let Value::Object(host) = host {
                host.insert("address".into(), Value::Unknown);
            }
        }
    }
    let err = value.decode::<Mesh>().unwrap_err();
    assert_eq!(
        err.path,
        AttributePath::root("hosts").key("a").attr("address")
    );
    assert!(err.message.contains("unknown"), "{err}");

    // An unknown that the struct does not read is no problem.
    #[derive(Deserialize)]
    struct NameOnly {
        name: String,
    }
    assert_eq!(value.decode::<NameOnly>().unwrap().name, "lab");
    // Option means "may be null", not "may be unknown" (that is Known).
    assert!(Value::Unknown.decode::<Option<String>>().is_err());
}

#[test]
fn wrong_types_and_nulls_name_the_path() {
    let mut value = Value::encode(&sample(), &mesh_type()).unwrap();
    if let Value::Object(entries) = &mut value {
        entries.insert("port".into(), Value::Number(Number::Int(-1)));
    }
    let err = value.decode::<Mesh>().unwrap_err();
    assert_eq!(err.path, AttributePath::root("port"));
    assert!(err.message.contains("u32"), "{err}");

    if let Value::Object(entries) = &mut value {
        entries.insert("port".into(), Value::Null);
    }
    let err = value.decode::<Mesh>().unwrap_err();
    assert_eq!(err.path, AttributePath::root("port"));
    assert!(err.message.contains("null"), "{err}");

    let bad_mode = Value::Object(BTreeMap::from([("mode".into(), Value::from("ring"))]));
    #[derive(Debug, Deserialize)]
    struct ModeOnly {
        #[allow(dead_code)]
        mode: Mode,
    }
    assert_eq!(
        bad_mode.decode::<ModeOnly>().unwrap_err().path,
        AttributePath::root("mode")
    );
}

#[test]
fn encode_errors_name_the_path() {
    #[derive(Serialize)]
    struct Wrong {
        hosts: BTreeMap<String, BTreeMap<String, bool>>,
    }
    let ty = Type::object([("hosts", Type::map(host_type()))]);
    let wrong = Wrong {
        hosts: BTreeMap::from([("a".into(), BTreeMap::from([("address".into(), true)]))]),
    };
    let err = Value::encode(&wrong, &ty).unwrap_err();
    assert_eq!(
        err.to_string(),
        "hosts[\"a\"].address: expected string, got bool"
    );

    #[derive(Serialize)]
    struct Extra {
        address: String,
        port: u16,
    }
    let extra = Extra {
        address: "x".into(),
        port: 1,
    };
    assert_eq!(
        Value::encode(&extra, &host_type()).unwrap_err().path,
        AttributePath::root("port")
    );
}

#[test]
fn sets_drop_duplicates_and_dynamic_infers_types() {
    let set = Value::encode(&["a", "b", "a"], &Type::set(Type::String)).unwrap();
    assert_eq!(set, Value::Set(vec!["a".into(), "b".into()]));

    let value = Value::encode(&("x", 2, [true]), &Type::Dynamic).unwrap();
    let expected_type = Type::tuple(vec![
        Type::String,
        Type::Number,
        Type::tuple(vec![Type::Bool]),
    ]);
    let Value::Dynamic(ty, _) = &value else {
        panic!("not dynamic: {value:?}")
    };
    assert_eq!(ty, &expected_type);
    let round = msgpack::decode(
        &msgpack::encode(&value, &Type::Dynamic).unwrap(),
        &Type::Dynamic,
    );
    assert_eq!(round.unwrap(), value);
}

#[test]
fn big_numbers_decode_into_wide_integers_or_fail() {
    let u64_max = Value::Number(Number::Big(u64::MAX.to_string()));
    assert_eq!(u64_max.decode::<u64>().unwrap(), u64::MAX);
    assert!(u64_max.decode::<i64>().is_err());
    assert!(Value::Number(Number::Big("1e400".into()))
        .decode::<f64>()
        .is_err());
    assert_eq!(Value::Number(Number::Float(3.0)).decode::<u8>().unwrap(), 3);
}

#[test]
fn decode_errors_in_nested_collections_carry_the_attribute_path() {
    #[derive(Debug, Deserialize)]
    struct Ports {
        #[allow(dead_code)]
        hosts: BTreeMap<String, Vec<Option<u16>>>,
    }
    let hosts = Value::Map(BTreeMap::from([
        ("a".into(), Value::List(vec![Value::from(22)])),
        (
            "b".into(),
            Value::List(vec![Value::Null, Value::from("ssh")]),
        ),
    ]));
    let value = Value::Object(BTreeMap::from([("hosts".into(), hosts)]));
    let err = value.decode::<Ports>().unwrap_err();
    let path = AttributePath::root("hosts").key("b").index(1);
    assert_eq!(err.path, path);
    assert!(err.to_string().starts_with(r#"hosts["b"][1]: "#), "{err}");

    // The diagnostic points at the attribute, so Terraform shows the line at fault.
    let diagnostic = err.diagnostic("Invalid hosts", err.message.clone());
    assert_eq!(diagnostic.attribute, Some(path.clone()));
    assert_eq!(diagnostic.detail, err.message);

    // A nested value decoded on its own names the same path once placed under its own.
    let alone = value
        .get("hosts")
        .decode::<BTreeMap<String, Vec<Option<u16>>>>();
    let alone = alone.unwrap_err();
    assert_eq!(alone.path, AttributePath(path.0[1..].to_vec()));
    assert_eq!(alone.under(&AttributePath::root("hosts")).path, path);

    // An error about the value as a whole points at no attribute.
    let whole = Value::from("x").decode::<u16>().unwrap_err();
    assert_eq!(whole.diagnostic("Invalid", "").attribute, None);
}
