//! cty msgpack against byte vectors written by hand from the format's rules.

use std::collections::BTreeMap;

use tfplugin::diag::AttributePath;
use tfplugin::value::msgpack::{decode, encode};
use tfplugin::value::{Number, Type, Value};

/// Encodes to exactly `bytes` and decodes `bytes` back to `value`.
fn assert_golden(value: Value, ty: &Type, bytes: &[u8]) {
    assert_eq!(encode(&value, ty).unwrap(), bytes, "encoding {value:?}");
    assert_eq!(decode(bytes, ty).unwrap(), value, "decoding {bytes:02x?}");
}

fn object(entries: &[(&str, Value)]) -> Value {
    Value::Object(
        entries
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
    )
}

fn ab_object_type() -> Type {
    Type::object([("a", Type::String), ("b", Type::String)])
}

#[test]
fn unknown_and_null() {
    assert_golden(Value::Unknown, &Type::String, &[0xd4, 0x00, 0x00]);
    assert_golden(Value::Null, &Type::String, &[0xc0]);
    assert_golden(Value::Unknown, &Type::Dynamic, &[0xd4, 0x00, 0x00]);
    assert_golden(Value::Null, &Type::Dynamic, &[0xc0]);
    assert_golden(Value::Unknown, &ab_object_type(), &[0xd4, 0x00, 0x00]);
    let list = Type::list(Type::Number);
    assert_golden(
        Value::List(vec![Value::Unknown, Value::Null]),
        &list,
        &[0x92, 0xd4, 0x00, 0x00, 0xc0],
    );
}

#[test]
fn any_extension_zero_payload_is_unknown() {
    assert!(decode(&[0xd5, 0x00, 0x12, 0x34], &Type::String)
        .unwrap()
        .is_unknown());
    assert!(decode(&[0xc7, 0x00, 0x00], &Type::Number)
        .unwrap()
        .is_unknown());
}

#[test]
fn refined_unknowns_decode_as_unknown() {
    // ext8, 3 bytes, type 12: {1: false} ("definitely not null").
    assert!(decode(&[0xc7, 0x03, 0x0c, 0x81, 0x01, 0xc2], &Type::String)
        .unwrap()
        .is_unknown());
    // {1: false, 2: "ab"}: not null, string prefix "ab".
    let prefixed = [0xc7, 0x07, 0x0c, 0x82, 0x01, 0xc2, 0x02, 0xa2, b'a', b'b'];
    assert!(decode(&prefixed, &Type::String).unwrap().is_unknown());
    // Inside a collection, followed by more data that must still be read.
    let list = [0x92, 0xc7, 0x03, 0x0c, 0x81, 0x01, 0xc2, 0xa1, b'x'];
    assert_eq!(
        decode(&list, &Type::list(Type::String)).unwrap(),
        Value::List(vec![Value::Unknown, "x".into()])
    );
}

#[test]
fn other_extension_types_are_errors() {
    assert!(decode(&[0xd4, 0x05, 0x00], &Type::String).is_err());
}

#[test]
fn objects_write_every_attribute_in_order() {
    let bytes = [0x82, 0xa1, b'a', 0xa1, b'x', 0xa1, b'b', 0xc0];
    assert_golden(
        object(&[("a", "x".into()), ("b", Value::Null)]),
        &ab_object_type(),
        &bytes,
    );
    // An absent attribute is written as nil too.
    assert_eq!(
        encode(&object(&[("a", "x".into())]), &ab_object_type()).unwrap(),
        bytes
    );
}

#[test]
fn objects_decode_in_any_key_order_and_fill_missing_attributes() {
    let ty = Type::object([("a", Type::Number), ("b", Type::Bool), ("c", Type::String)]);
    let reversed = [0x82, 0xa1, b'b', 0xc3, 0xa1, b'a', 0x01];
    assert_eq!(
        decode(&reversed, &ty).unwrap(),
        object(&[("a", 1.into()), ("b", true.into()), ("c", Value::Null)])
    );
}

#[test]
fn numbers() {
    assert_golden(1.into(), &Type::Number, &[0x01]);
    assert_golden((-1).into(), &Type::Number, &[0xff]);
    assert_golden(300.into(), &Type::Number, &[0xcd, 0x01, 0x2c]);
    assert_golden(
        i64::MIN.into(),
        &Type::Number,
        &[0xd3, 0x80, 0, 0, 0, 0, 0, 0, 0],
    );
    assert_golden(
        1.5.into(),
        &Type::Number,
        &[0xcb, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0],
    );
    // Integral floats that fit i64 are ints on the wire.
    assert_eq!(encode(&2.0.into(), &Type::Number).unwrap(), [0x02]);
    let big = "123456789012345678901234567890";
    let mut big_bytes = vec![0xa0 | 30];
    big_bytes.extend_from_slice(big.as_bytes());
    assert_golden(
        Value::Number(Number::Big(big.into())),
        &Type::Number,
        &big_bytes,
    );
    let huge = "1.5e400";
    let mut huge_bytes = vec![0xa7];
    huge_bytes.extend_from_slice(huge.as_bytes());
    assert_golden(
        Value::Number(Number::Big(huge.into())),
        &Type::Number,
        &huge_bytes,
    );
}

#[test]
fn numbers_decode_from_every_width_and_from_strings() {
    let cases: &[(&[u8], Value)] = &[
        (&[0xcc, 0xff], 255.into()),
        (&[0xd0, 0x80], (-128).into()),
        (&[0xd1, 0xff, 0x00], (-256).into()),
        (&[0xce, 0xff, 0xff, 0xff, 0xff], 4294967295i64.into()),
        (&[0xd2, 0x80, 0, 0, 0], (-2147483648i64).into()),
        (&[0xcf, 0, 0, 0, 0, 0, 0, 0, 0x07], 7.into()),
        (&[0xca, 0x3f, 0xc0, 0, 0], 1.5.into()),
        (&[0xa3, b'0', b'.', b'1'], 0.1.into()),
    ];
    for (bytes, expected) in cases {
        assert_eq!(
            &decode(bytes, &Type::Number).unwrap(),
            expected,
            "{bytes:02x?}"
        );
    }
    let u64_max = [0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff];
    assert_eq!(
        decode(&u64_max, &Type::Number).unwrap(),
        Value::Number(Number::Big("18446744073709551615".into()))
    );
    assert!(decode(&[0xa3, b'a', b'b', b'c'], &Type::Number).is_err());
    assert!(
        decode(&[0xcb, 0x7f, 0xf8, 0, 0, 0, 0, 0, 0], &Type::Number).is_err(),
        "NaN"
    );
}

#[test]
fn dynamic_values_carry_their_type() {
    let typed = Value::Dynamic(Type::String, Box::new("hi".into()));
    let mut bytes = vec![0x92, 0xc4, 0x08];
    bytes.extend_from_slice(b"\"string\"");
    bytes.extend_from_slice(&[0xa2, b'h', b'i']);
    assert_golden(typed.clone(), &Type::Dynamic, &bytes);
    // The type JSON may also come as a msgpack string.
    bytes[1] = 0xa8;
    bytes.remove(2);
    assert_eq!(decode(&bytes, &Type::Dynamic).unwrap(), typed);
    // A plain primitive under dynamic is written with its obvious type.
    assert_eq!(
        decode(
            &encode(&"hi".into(), &Type::Dynamic).unwrap(),
            &Type::Dynamic
        )
        .unwrap(),
        typed
    );
    // Collections must say their type.
    assert!(encode(&Value::List(vec![]), &Type::Dynamic).is_err());
}

#[test]
fn collections() {
    let strings = vec![Value::from("a"), Value::from("b")];
    let ab = [0x92, 0xa1, b'a', 0xa1, b'b'];
    assert_golden(Value::Set(strings.clone()), &Type::set(Type::String), &ab);
    assert_golden(Value::List(strings.clone()), &Type::list(Type::String), &ab);
    assert_golden(
        Value::Tuple(strings),
        &Type::tuple(vec![Type::String, Type::String]),
        &ab,
    );
    let map = Value::Map(BTreeMap::from([("k".to_string(), true.into())]));
    assert_golden(map, &Type::map(Type::Bool), &[0x81, 0xa1, b'k', 0xc3]);
    assert_golden(Value::List(vec![]), &Type::list(Type::Bool), &[0x90]);
    // Sets keep the order they arrive in.
    let decoded = decode(&[0x92, 0xa1, b'b', 0xa1, b'a'], &Type::set(Type::String)).unwrap();
    assert_eq!(decoded.as_list().unwrap()[0], Value::from("b"));
}

#[test]
fn wrong_types_name_the_path() {
    let ty = Type::object([("hosts", Type::map(Type::list(Type::String)))]);
    // {"hosts": {"a": [true]}}
    let bytes = [
        0x81, 0xa5, b'h', b'o', b's', b't', b's', 0x81, 0xa1, b'a', 0x91, 0xc3,
    ];
    let err = decode(&bytes, &ty).unwrap_err();
    assert_eq!(err.path, AttributePath::root("hosts").key("a").index(0));
    assert_eq!(
        err.to_string(),
        "hosts[\"a\"][0]: expected string, got msgpack bool"
    );

    let hosts = Value::Map(BTreeMap::from([(
        "a".into(),
        Value::List(vec![true.into()]),
    )]));
    let err = encode(&object(&[("hosts", hosts)]), &ty).unwrap_err();
    assert_eq!(err.path.to_string(), "hosts[\"a\"][0]");
    assert_eq!(err.message, "expected string, got bool");
}

#[test]
fn malformed_input_is_rejected() {
    let ty = ab_object_type();
    // Attribute the type does not have.
    let err = decode(&[0x81, 0xa1, b'z', 0xc0], &ty).unwrap_err();
    assert_eq!(err.path, AttributePath::root("z"));
    assert!(encode(&object(&[("z", Value::Null)]), &ty).is_err());
    // Trailing bytes, wrong tuple length, invalid UTF-8, truncated data.
    assert!(decode(&[0xc0, 0xc0], &ty).is_err());
    assert!(decode(
        &[0x91, 0x01],
        &Type::tuple(vec![Type::Number, Type::Number])
    )
    .is_err());
    assert!(decode(&[0xa1, 0xff], &Type::String).is_err());
    assert!(decode(&[0x92, 0xa1], &Type::list(Type::String)).is_err());
    assert!(decode(&[], &Type::String).is_err());
}
