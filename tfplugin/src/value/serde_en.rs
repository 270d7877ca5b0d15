//! `Value::encode`: plain Rust values into cty values, shaped by a type.
//!
//! serde serializes into `serde_json::Value` first (its data model already covers
//! everything a resource struct holds); the type then decides what each JSON node
//! becomes: an array is a list, set or tuple, an object is a map or an object.

use std::collections::BTreeMap;

use serde_json::Value as Json;

use super::error::{attr_step, index_step, key_step};
use super::{Number, Type, Value, ValueError};

pub(crate) fn encode<T: serde::Serialize>(v: &T, ty: &Type) -> Result<Value, ValueError> {
    let json = serde_json::to_value(v).map_err(|e| ValueError::new(format!("serializing: {e}")))?;
    shape(json, ty)
}

fn shape(json: Json, ty: &Type) -> Result<Value, ValueError> {
    match (ty, json) {
        (_, Json::Null) => Ok(Value::Null),
        (Type::Dynamic, json) => {
            let (concrete, value) = infer(json);
            Ok(Value::Dynamic(concrete, Box::new(value)))
        }
        (Type::Bool, Json::Bool(b)) => Ok(Value::Bool(b)),
        (Type::Number, Json::Number(n)) => Ok(Value::Number(number(&n))),
        (Type::String, Json::String(s)) => Ok(Value::String(s)),
        (Type::List(element), Json::Array(items)) => {
            Ok(Value::List(shape_items(items, |_| element)?))
        }
        (Type::Set(element), Json::Array(items)) => {
            // A cty set cannot hold an element twice; Terraform would merge them and
            // then see a set of a different size than we meant.
            let mut unique: Vec<Value> = Vec::new();
            for item in shape_items(items, |_| element)? {
                if !unique.contains(&item) {
                    unique.push(item);
                }
            }
            Ok(Value::Set(unique))
        }
        (Type::Tuple(elements), Json::Array(items)) => {
            if items.len() != elements.len() {
                return Err(ValueError::new(format!(
                    "tuple type has {} elements, value has {}",
                    elements.len(),
                    items.len()
                )));
            }
            Ok(Value::Tuple(shape_items(items, |i| &elements[i])?))
        }
        (Type::Map(element), Json::Object(members)) => {
            let entries = members.into_iter().map(|(key, member)| {
                let item = shape(member, element).map_err(|e| e.within(key_step(&key)))?;
                Ok((key, item))
            });
            Ok(Value::Map(entries.collect::<Result<_, ValueError>>()?))
        }
        (Type::Object(object), Json::Object(mut members)) => {
            if let Some(extra) = members.keys().find(|k| !object.attrs.contains_key(*k)) {
                return Err(
                    ValueError::new("field is not an attribute of the object type")
                        .within(attr_step(extra)),
                );
            }
            let mut entries = BTreeMap::new();
            for (name, attr_ty) in &object.attrs {
                let item = match members.remove(name) {
                    Some(member) => {
                        shape(member, attr_ty).map_err(|e| e.within(attr_step(name)))?
                    }
                    None => Value::Null,
                };
                entries.insert(name.clone(), item);
            }
            Ok(Value::Object(entries))
        }
        (ty, json) => Err(ValueError::new(format!(
            "expected {ty}, got {}",
            json_kind(&json)
        ))),
    }
}

fn shape_items<'t>(
    items: Vec<Json>,
    element_type: impl Fn(usize) -> &'t Type,
) -> Result<Vec<Value>, ValueError> {
    let items = items.into_iter().enumerate();
    items
        .map(|(i, item)| shape(item, element_type(i)).map_err(|e| e.within(index_step(i))))
        .collect()
}

/// The cty type a JSON node most naturally has, for values under `dynamic`:
/// arrays become tuples and objects become objects, as in cty's own inference.
fn infer(json: Json) -> (Type, Value) {
    match json {
        Json::Null => (Type::Dynamic, Value::Null),
        Json::Bool(b) => (Type::Bool, Value::Bool(b)),
        Json::Number(n) => (Type::Number, Value::Number(number(&n))),
        Json::String(s) => (Type::String, Value::String(s)),
        Json::Array(items) => {
            let (types, values) = items.into_iter().map(infer).unzip();
            (Type::Tuple(types), Value::Tuple(values))
        }
        Json::Object(members) => {
            let mut attrs = BTreeMap::new();
            let mut entries = BTreeMap::new();
            for (name, member) in members {
                let (ty, value) = infer(member);
                attrs.insert(name.clone(), ty);
                entries.insert(name, value);
            }
            (Type::object(attrs), Value::Object(entries))
        }
    }
}

fn number(n: &serde_json::Number) -> Number {
    if let Some(i) = n.as_i64() {
        Number::Int(i)
    } else if let Some(u) = n.as_u64() {
        Number::from(u)
    } else {
        // Without arbitrary_precision every serde_json number is i64, u64 or f64.
        Number::Float(n.as_f64().unwrap_or(f64::NAN))
    }
}

fn json_kind(json: &Json) -> &'static str {
    match json {
        Json::Null => "null",
        Json::Bool(_) => "bool",
        Json::Number(_) => "number",
        Json::String(_) => "string",
        Json::Array(_) => "sequence",
        Json::Object(_) => "struct or map",
    }
}
