//! What the bridge computes from the wire schema before it calls the provider:
//! the cty type of a block (to encode msgpack `DynamicValue`s) and the proposed
//! new state (the configuration with the prior state's values kept where the
//! configuration leaves a computed attribute null), by the rules Terraform's
//! `objchange.ProposedNew` follows, which the bridge reuses.

use std::collections::BTreeMap;

use tfplugin::proto::tfplugin6 as pb;
use tfplugin::value::{json, msgpack, Type, Value};

use pb::schema::nested_block::NestingMode as BlockNesting;
use pb::schema::object::NestingMode as ObjectNesting;

/// The object type a block's values have.
pub fn block_type(block: &pb::schema::Block) -> Type {
    let attrs = block
        .attributes
        .iter()
        .map(|a| (a.name.clone(), attr_type(a)));
    let blocks = block.block_types.iter().map(|b| {
        let inner = block_type(b.block.as_ref().expect("nested block body"));
        let ty = match BlockNesting::try_from(b.nesting).expect("nesting mode") {
            BlockNesting::List => Type::list(inner),
            BlockNesting::Set => Type::set(inner),
            BlockNesting::Map => Type::map(inner),
            _ => inner,
        };
        (b.type_name.clone(), ty)
    });
    Type::object(attrs.chain(blocks).collect::<Vec<_>>())
}

pub fn attr_type(a: &pb::schema::Attribute) -> Type {
    match &a.nested_type {
        Some(object) => {
            let inner = Type::object(
                object
                    .attributes
                    .iter()
                    .map(|a| (a.name.clone(), attr_type(a)))
                    .collect::<Vec<_>>(),
            );
            match ObjectNesting::try_from(object.nesting).expect("nesting mode") {
                ObjectNesting::List => Type::list(inner),
                ObjectNesting::Set => Type::set(inner),
                ObjectNesting::Map => Type::map(inner),
                _ => inner,
            }
        }
        None => Type::from_json(&a.r#type)
            .unwrap_or_else(|e| panic!("type of attribute {}: {e}", a.name)),
    }
}

/// The proposed new state for `config` over `prior` (Null for a create).
pub fn proposed_new(block: &pb::schema::Block, prior: &Value, config: &Value) -> Value {
    if config.is_null() {
        return Value::Null;
    }
    let mut out = proposed_attrs(&block.attributes, prior, config);
    for b in &block.block_types {
        let c = config.get(&b.type_name);
        let single = matches!(
            BlockNesting::try_from(b.nesting),
            Ok(BlockNesting::Single | BlockNesting::Group)
        );
        let value = match (single, b.block.as_ref()) {
            (true, Some(body)) if !c.is_null() => proposed_new(body, prior.get(&b.type_name), c),
            _ => c.clone(),
        };
        out.insert(b.type_name.clone(), value);
    }
    Value::Object(out)
}

fn proposed_attrs(
    attrs: &[pb::schema::Attribute],
    prior: &Value,
    config: &Value,
) -> BTreeMap<String, Value> {
    attrs
        .iter()
        .map(|a| {
            let (p, c) = (prior.get(&a.name), config.get(&a.name));
            let value = if a.computed && c.is_null() {
                p.clone()
            } else if let Some(object) = &a.nested_type {
                proposed_nested(object, p, c)
            } else {
                c.clone()
            };
            (a.name.clone(), value)
        })
        .collect()
}

fn proposed_nested(object: &pb::schema::Object, prior: &Value, config: &Value) -> Value {
    if config.is_null() || config.is_unknown() {
        return config.clone();
    }
    let one = |p: &Value, c: &Value| Value::Object(proposed_attrs(&object.attributes, p, c));
    match ObjectNesting::try_from(object.nesting) {
        Ok(ObjectNesting::Single) => one(prior, config),
        // Map elements correspond by key (a new key has no prior).
        Ok(ObjectNesting::Map) => Value::Map(
            config
                .as_map()
                .into_iter()
                .flatten()
                .map(|(k, c)| (k.clone(), one(prior.get(k), c)))
                .collect(),
        ),
        // List elements by index; sets cannot be matched, the config stands.
        Ok(ObjectNesting::List) => Value::List(
            config
                .as_list()
                .into_iter()
                .flatten()
                .enumerate()
                .map(|(i, c)| {
                    let p = prior
                        .as_list()
                        .and_then(|l| l.get(i))
                        .unwrap_or(&Value::Null);
                    one(p, c)
                })
                .collect(),
        ),
        _ => config.clone(),
    }
}

/// A msgpack `DynamicValue` of type `ty`.
pub fn dynamic(v: &Value, ty: &Type) -> pb::DynamicValue {
    pb::DynamicValue {
        msgpack: msgpack::encode(v, ty).unwrap_or_else(|e| panic!("encoding msgpack: {e}")),
        json: Vec::new(),
    }
}

/// The value a `DynamicValue` carries (Null when absent).
pub fn value_of(d: Option<&pb::DynamicValue>, ty: &Type) -> Value {
    match d {
        Some(d) if !d.msgpack.is_empty() => {
            msgpack::decode(&d.msgpack, ty).unwrap_or_else(|e| panic!("decoding msgpack: {e}"))
        }
        Some(d) if !d.json.is_empty() => {
            json::decode(&d.json, ty).unwrap_or_else(|e| panic!("decoding JSON: {e}"))
        }
        _ => Value::Null,
    }
}

/// A value from Terraform's JSON form (attributes left out are null).
pub fn from_json(j: &serde_json::Value, ty: &Type) -> Value {
    json::decode(j.to_string().as_bytes(), ty).unwrap_or_else(|e| panic!("JSON {j}: {e}"))
}

/// Terraform's JSON form of a wholly known value: how the bridge stores outputs
/// in the Pulumi state, and what it hands back to UpgradeResourceState.
pub fn to_json(v: &Value, ty: &Type) -> serde_json::Value {
    let bytes = json::encode(v, ty).unwrap_or_else(|e| panic!("encoding JSON: {e}"));
    serde_json::from_slice(&bytes).expect("JSON")
}
