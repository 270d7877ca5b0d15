//! Unit tests of the value model itself; the codecs are tested in tests/value_*.rs.

use std::collections::BTreeMap;

use super::*;

fn object(entries: &[(&str, Value)]) -> Value {
    Value::Object(
        entries
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
    )
}

#[test]
fn accessors_read_through_objects_and_dynamic() {
    let v = object(&[
        ("name", "web".into()),
        ("port", 8080.into()),
        ("ratio", 0.5.into()),
        ("on", true.into()),
        ("tags", Value::List(vec!["a".into()])),
        (
            "wrapped",
            Value::Dynamic(Type::String, Box::new("x".into())),
        ),
    ]);
    assert_eq!(v.get("name").as_str(), Some("web"));
    assert_eq!(v.get("port").as_i64(), Some(8080));
    assert_eq!(v.get("port").as_f64(), Some(8080.0));
    assert_eq!(v.get("ratio").as_i64(), None);
    assert_eq!(v.get("on").as_bool(), Some(true));
    assert_eq!(v.get("tags").as_list().map(<[Value]>::len), Some(1));
    assert_eq!(v.get("wrapped").as_str(), Some("x"));
    assert!(v.get("absent").is_null());
    assert!(Value::from("s").get("anything").is_null());
    assert!(v.as_map().is_some() && v.as_list().is_none());
}

#[test]
fn wholly_known_looks_everywhere() {
    let nested_unknown = object(&[(
        "a",
        Value::Map(BTreeMap::from([("k".into(), Value::Unknown)])),
    )]);
    assert!(!nested_unknown.is_wholly_known());
    assert!(!nested_unknown.is_unknown());
    let dynamic_unknown = Value::Dynamic(
        Type::list(Type::String),
        Box::new(Value::List(vec![Value::Unknown])),
    );
    assert!(!dynamic_unknown.is_wholly_known());
    assert!(object(&[("a", Value::Null), ("b", Value::Set(vec![1.into()]))]).is_wholly_known());
    assert!(Value::Unknown.is_unknown() && !Value::Unknown.is_null());
}

#[test]
fn sets_compare_unordered_lists_do_not() {
    let ab = vec![Value::from("a"), Value::from("b")];
    let ba = vec![Value::from("b"), Value::from("a")];
    assert_eq!(Value::Set(ab.clone()), Value::Set(ba.clone()));
    assert_ne!(Value::List(ab.clone()), Value::List(ba));
    assert_ne!(Value::Set(ab.clone()), Value::List(ab));
    let aab = vec![Value::from("a"), Value::from("a"), Value::from("b")];
    let abb = vec![Value::from("a"), Value::from("b"), Value::from("b")];
    assert_ne!(Value::Set(aab), Value::Set(abb));
}

#[test]
fn numbers_compare_by_value() {
    assert_eq!(Value::from(2), Value::from(2.0));
    assert_ne!(Value::from(2), Value::from(2.5));
    assert_ne!(Value::from(2), Value::from("2"));
}

#[test]
fn type_constructors_and_display() {
    let t = Type::object([
        ("hosts", Type::map(Type::list(Type::String))),
        ("n", Type::Number),
    ]);
    let Type::Object(object) = &t else {
        panic!("not an object: {t:?}")
    };
    assert_eq!(object.attrs["hosts"].to_string(), "map of list of string");
    assert!(object.optional.is_empty());
    assert_eq!(Type::set(Type::Bool).element_type(), Some(&Type::Bool));
    let with_optional = Type::object_with_optional([("a", Type::String), ("b", Type::Bool)], ["b"]);
    assert_eq!(
        String::from_utf8(with_optional.to_json()).unwrap(),
        r#"["object",{"a":"string","b":"bool"},["b"]]"#
    );
}

#[test]
fn type_json_errors() {
    for bad in [
        &br#""strin""#[..],
        br#"["list"]"#,
        br#"["list","string","x"]"#,
        br#"["tuple","string"]"#,
        br#"["object",{"a":"string"},["b"]]"#,
        br#"["frob","string"]"#,
        br#"7"#,
        b"not json",
    ] {
        assert!(
            Type::from_json(bad).is_err(),
            "{:?} accepted",
            String::from_utf8_lossy(bad)
        );
    }
}

#[test]
fn error_display_joins_path_and_message() {
    let e = ValueError::new("expected string, got bool")
        .within(error::key_step("a"))
        .within(error::attr_step("hosts"));
    assert_eq!(e.path, crate::diag::AttributePath::root("hosts").key("a"));
    assert_eq!(e.to_string(), "hosts[\"a\"]: expected string, got bool");
    assert_eq!(ValueError::new("bad").to_string(), "bad");
}
