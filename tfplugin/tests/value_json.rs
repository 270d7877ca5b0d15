//! Terraform's JSON state form against hand-written documents.

use std::collections::BTreeMap;

use tfplugin::diag::AttributePath;
use tfplugin::value::json::{decode, decode_ignoring_undefined, encode};
use tfplugin::value::{Number, Type, Value};

fn object(entries: &[(&str, Value)]) -> Value {
    Value::Object(
        entries
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
    )
}

fn assert_golden(value: Value, ty: &Type, text: &str) {
    assert_eq!(
        String::from_utf8(encode(&value, ty).unwrap()).unwrap(),
        text
    );
    assert_eq!(
        decode(text.as_bytes(), ty).unwrap(),
        value,
        "decoding {text}"
    );
}

fn state_type() -> Type {
    Type::object([
        ("id", Type::String),
        ("cidrs", Type::set(Type::String)),
        ("count", Type::Number),
        ("tags", Type::map(Type::String)),
        ("enabled", Type::Bool),
    ])
}

#[test]
fn state_objects() {
    let state = object(&[
        ("id", "pcx-1".into()),
        ("cidrs", Value::Set(vec!["10.0.0.0/16".into()])),
        ("count", 3.into()),
        (
            "tags",
            Value::Map(BTreeMap::from([("Name".to_string(), "a".into())])),
        ),
        ("enabled", Value::Null),
    ]);
    assert_golden(
        state,
        &state_type(),
        r#"{"cidrs":["10.0.0.0/16"],"count":3,"enabled":null,"id":"pcx-1","tags":{"Name":"a"}}"#,
    );
}

#[test]
fn missing_attributes_decode_as_null_and_undefined_ones_are_rejected() {
    let decoded = decode(br#"{"id": "x"}"#, &state_type()).unwrap();
    assert_eq!(decoded.get("id").as_str(), Some("x"));
    assert!(decoded.get("tags").is_null());
    assert_eq!(decoded.as_map().unwrap().len(), 5);

    let old_state = br#"{"id": "x", "removed_attr": {"deep": [1]}}"#;
    let err = decode(old_state, &state_type()).unwrap_err();
    assert_eq!(err.path, AttributePath::root("removed_attr"));
    let lenient = decode_ignoring_undefined(old_state, &state_type()).unwrap();
    assert_eq!(lenient, decode(br#"{"id": "x"}"#, &state_type()).unwrap());
}

#[test]
fn numbers_keep_their_precision() {
    let big = "123456789012345678901234567890";
    assert_golden(Value::Number(Number::Big(big.into())), &Type::Number, big);
    assert_golden(
        Value::Number(Number::Big("-1.5e400".into())),
        &Type::Number,
        "-1.5e400",
    );
    assert_golden(0.1.into(), &Type::Number, "0.1");
    assert_golden((-7).into(), &Type::Number, "-7");
    // Numbers given as strings, as cty accepts them.
    assert_eq!(decode(br#""42""#, &Type::Number).unwrap(), Value::from(42));
    assert!(encode(&f64::NAN.into(), &Type::Number).is_err());
    assert!(decode(b"1.2.3", &Type::Number).is_err());
}

#[test]
fn primitives_convert_to_strings() {
    assert_eq!(
        decode(b"12.50", &Type::String).unwrap(),
        Value::from("12.50")
    );
    assert_eq!(decode(b"true", &Type::String).unwrap(), Value::from("true"));
    assert!(decode(b"\"yes\"", &Type::Bool).is_err());
}

#[test]
fn dynamic_values_carry_their_type() {
    let ty = Type::object([("any", Type::Dynamic)]);
    let inner = Value::List(vec![1.into(), 2.into()]);
    let value = object(&[(
        "any",
        Value::Dynamic(Type::list(Type::Number), Box::new(inner)),
    )]);
    assert_golden(
        value.clone(),
        &ty,
        r#"{"any":{"value":[1,2],"type":["list","number"]}}"#,
    );
    let reordered = br#"{"any": {"type": ["list", "number"], "value": [1, 2]}}"#;
    assert_eq!(decode(reordered, &ty).unwrap(), value);
    assert_golden(object(&[("any", Value::Null)]), &ty, r#"{"any":null}"#);
    assert!(decode(br#"{"any": {"value": 1}}"#, &ty).is_err());
}

#[test]
fn tuples_and_escapes() {
    let ty = Type::tuple(vec![Type::String, Type::Bool]);
    assert_golden(
        Value::Tuple(vec!["quote \" and \u{e9}\n".into(), false.into()]),
        &ty,
        "[\"quote \\\" and \u{e9}\\n\",false]",
    );
    assert!(decode(br#"["a"]"#, &ty).is_err());
}

#[test]
fn unknowns_cannot_be_written() {
    let value = object(&[("id", Value::Unknown)]);
    let err = encode(&value, &state_type()).unwrap_err();
    assert_eq!(err.path, AttributePath::root("id"));
}

#[test]
fn wrong_types_name_the_path() {
    let ty = Type::object([("hosts", Type::map(Type::Number))]);
    let err = decode(br#"{"hosts": {"a": 1, "b": "x"}}"#, &ty).unwrap_err();
    assert_eq!(err.to_string(), r#"hosts["b"]: "x" is not a number"#);
    assert_eq!(err.path, AttributePath::root("hosts").key("b"));
    let err = decode(br#"{"hosts": [1]}"#, &ty).unwrap_err();
    assert_eq!(err.path.to_string(), "hosts");
    assert_eq!(err.message, "expected map of number, got JSON array");
}
