//! Property tests: any type, any value of it, through each codec and back.

use std::collections::BTreeMap;

use proptest::prelude::*;
use tfplugin::value::{json, msgpack, Number, ObjectType, Type, Value};

fn arb_primitive_type() -> impl Strategy<Value = Type> {
    prop_oneof![Just(Type::Bool), Just(Type::Number), Just(Type::String)]
}

/// Types up to a few levels deep; `dynamic` only where `with_dynamic`, so the
/// concrete types chosen for dynamic values cannot nest dynamic forever.
fn arb_type(with_dynamic: bool) -> BoxedStrategy<Type> {
    let leaf = if with_dynamic {
        prop_oneof![4 => arb_primitive_type(), 1 => Just(Type::Dynamic)].boxed()
    } else {
        arb_primitive_type().boxed()
    };
    leaf.prop_recursive(3, 24, 4, |inner| {
        let attrs = prop::collection::btree_map("[a-z_]{1,6}", inner.clone(), 0..4);
        prop_oneof![
            inner.clone().prop_map(Type::list),
            inner.clone().prop_map(Type::set),
            inner.clone().prop_map(Type::map),
            prop::collection::vec(inner.clone(), 0..3).prop_map(Type::Tuple),
            (attrs, any::<u8>()).prop_map(|(attrs, bits)| {
                // Mark some attributes optional, chosen by the bits.
                let optional = attrs
                    .keys()
                    .enumerate()
                    .filter(|(i, _)| bits & (1 << (i % 8)) != 0)
                    .map(|(_, k)| k.clone())
                    .collect();
                Type::Object(ObjectType { attrs, optional })
            }),
        ]
    })
    .boxed()
}

fn arb_number() -> impl Strategy<Value = Number> {
    prop_oneof![
        any::<i64>().prop_map(Number::Int),
        (-1000i64..1000).prop_map(Number::Int),
        any::<f64>()
            .prop_filter("cty numbers are finite", |f| f.is_finite())
            .prop_map(Number::Float),
        (-1.0e6..1.0e6f64).prop_map(Number::Float),
        // Integers beyond i64 and exponents beyond f64.
        "-?[1-9][0-9]{19,40}".prop_map(Number::Big),
        "-?[1-9]\\.[0-9]{1,8}e[4-9][0-9]{2}".prop_map(Number::Big),
    ]
}

/// A value conforming to `ty`: Null and (when `unknowns`) Unknown anywhere.
fn arb_value(ty: &Type, unknowns: bool) -> BoxedStrategy<Value> {
    let known = arb_known_value(ty, unknowns);
    if unknowns {
        prop_oneof![1 => Just(Value::Unknown), 1 => Just(Value::Null), 5 => known].boxed()
    } else {
        prop_oneof![1 => Just(Value::Null), 5 => known].boxed()
    }
}

fn arb_known_value(ty: &Type, unknowns: bool) -> BoxedStrategy<Value> {
    match ty {
        Type::Bool => any::<bool>().prop_map(Value::Bool).boxed(),
        Type::Number => arb_number().prop_map(Value::Number).boxed(),
        Type::String => any::<String>().prop_map(Value::String).boxed(),
        Type::List(element) => prop::collection::vec(arb_value(element, unknowns), 0..4)
            .prop_map(Value::List)
            .boxed(),
        Type::Set(element) => prop::collection::vec(arb_value(element, unknowns), 0..4)
            .prop_map(Value::Set)
            .boxed(),
        Type::Map(element) => {
            prop::collection::btree_map(".{0,4}", arb_value(element, unknowns), 0..4)
                .prop_map(Value::Map)
                .boxed()
        }
        Type::Tuple(elements) => {
            let items: Vec<_> = elements.iter().map(|t| arb_value(t, unknowns)).collect();
            items.prop_map(Value::Tuple).boxed()
        }
        Type::Object(object) => {
            let names: Vec<String> = object.attrs.keys().cloned().collect();
            let items: Vec<_> = object
                .attrs
                .values()
                .map(|t| arb_value(t, unknowns))
                .collect();
            items
                .prop_map(move |values| {
                    Value::Object(
                        names
                            .iter()
                            .cloned()
                            .zip(values)
                            .collect::<BTreeMap<_, _>>(),
                    )
                })
                .boxed()
        }
        Type::Dynamic => arb_type(false)
            .prop_flat_map(move |concrete| {
                arb_known_value(&concrete, unknowns)
                    .prop_map(move |v| Value::Dynamic(concrete.clone(), Box::new(v)))
            })
            .boxed(),
    }
}

fn arb_typed_value(unknowns: bool) -> impl Strategy<Value = (Type, Value)> {
    arb_type(true).prop_flat_map(move |ty| {
        let value = arb_value(&ty, unknowns);
        (Just(ty), value)
    })
}

proptest! {
    // Failures are reported with their minimal input; no regression files are
    // written next to the tests.
    #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn type_json_round_trips(ty in arb_type(true)) {
        let bytes = ty.to_json();
        prop_assert_eq!(Type::from_json(&bytes).unwrap(), ty);
    }

    #[test]
    fn msgpack_round_trips((ty, value) in arb_typed_value(true)) {
        let bytes = msgpack::encode(&value, &ty).unwrap();
        let decoded = msgpack::decode(&bytes, &ty).unwrap();
        prop_assert_eq!(&decoded, &value);
        // Encoding is deterministic: the decoded value writes the same bytes.
        prop_assert_eq!(msgpack::encode(&decoded, &ty).unwrap(), bytes);
    }

    #[test]
    fn json_round_trips((ty, value) in arb_typed_value(false)) {
        let bytes = json::encode(&value, &ty).unwrap();
        let decoded = json::decode(&bytes, &ty).unwrap();
        prop_assert_eq!(&decoded, &value);
        // What we write is valid JSON (IgnoredAny checks syntax only, so numbers
        // beyond f64 do not trip serde_json).
        prop_assert!(serde_json::from_slice::<serde::de::IgnoredAny>(&bytes).is_ok());
    }

    #[test]
    fn json_refuses_unknowns((ty, value) in arb_typed_value(true)) {
        prop_assert_eq!(json::encode(&value, &ty).is_ok(), value.is_wholly_known());
    }

    #[test]
    fn truncated_msgpack_is_an_error_not_a_panic((ty, value) in arb_typed_value(true), cut in any::<prop::sample::Index>()) {
        let bytes = msgpack::encode(&value, &ty).unwrap();
        let cut = cut.index(bytes.len());
        prop_assert!(msgpack::decode(&bytes[..cut], &ty).is_err());
    }
}
