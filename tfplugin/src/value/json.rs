//! Terraform's JSON form of values: how state is stored, and what
//! `UpgradeResourceState.raw_state.json` carries.
//!
//! Objects are JSON objects with every attribute written (null included), numbers
//! are JSON numbers (written exactly, big ones too), lists/sets/tuples are arrays,
//! a value of type `dynamic` is `{"value": ..., "type": <type JSON>}`. JSON has no
//! unknown values.

use std::collections::BTreeMap;

use reader::Node;

use super::error::{attr_step, index_step, key_step};
use super::shape::{dynamic_parts, mismatch, object_attrs, under_static};
use super::{Number, Type, Value, ValueError};
use crate::diag::PathStep;

mod reader;

/// Decodes JSON holding a value of type `ty`. Object attributes the type does not
/// have are an error (see [`decode_ignoring_undefined`] for old state).
pub fn decode(bytes: &[u8], ty: &Type) -> Result<Value, ValueError> {
    Decoder {
        ignore_undefined: false,
    }
    .value(reader::parse(bytes)?, ty)
}

/// Like [`decode`], but drops object attributes the type does not have: state
/// written by an older schema may still hold attributes since removed.
pub fn decode_ignoring_undefined(bytes: &[u8], ty: &Type) -> Result<Value, ValueError> {
    Decoder {
        ignore_undefined: true,
    }
    .value(reader::parse(bytes)?, ty)
}

/// Encodes `v` as JSON for type `ty`; fails on unknown values.
pub fn encode(v: &Value, ty: &Type) -> Result<Vec<u8>, ValueError> {
    let mut out = String::new();
    write_value(&mut out, v, ty)?;
    Ok(out.into_bytes())
}

struct Decoder {
    ignore_undefined: bool,
}

impl Decoder {
    fn value(&self, node: Node, ty: &Type) -> Result<Value, ValueError> {
        if node == Node::Null {
            return Ok(Value::Null);
        }
        let wrong_kind =
            |node: &Node| ValueError::new(format!("expected {ty}, got JSON {}", node.kind_name()));
        match (ty, node) {
            (Type::Bool, Node::Bool(b)) => Ok(Value::Bool(b)),
            (Type::Number, Node::Number(text) | Node::String(text)) => {
                Ok(Value::Number(Number::from_decimal(&text)?))
            }
            // cty converts primitives to strings when the type says string.
            (Type::String, Node::String(s)) => Ok(Value::String(s)),
            (Type::String, Node::Number(text)) => {
                Number::from_decimal(&text)?;
                Ok(Value::String(text))
            }
            (Type::String, Node::Bool(b)) => Ok(Value::String(b.to_string())),
            (Type::List(element), Node::Array(items)) => {
                Ok(Value::List(self.items(items, |_| element)?))
            }
            (Type::Set(element), Node::Array(items)) => {
                Ok(Value::Set(self.items(items, |_| element)?))
            }
            (Type::Tuple(elements), Node::Array(items)) => {
                if items.len() != elements.len() {
                    return Err(ValueError::new(format!(
                        "tuple type has {} elements, value has {}",
                        elements.len(),
                        items.len()
                    )));
                }
                Ok(Value::Tuple(self.items(items, |i| &elements[i])?))
            }
            (Type::Map(element), Node::Object(members)) => {
                let mut entries = BTreeMap::new();
                for (key, member) in members {
                    let item = self
                        .value(member, element)
                        .map_err(|e| e.within(key_step(&key)))?;
                    entries.insert(key, item);
                }
                Ok(Value::Map(entries))
            }
            (Type::Object(object), Node::Object(members)) => {
                let mut entries = BTreeMap::new();
                for (name, member) in members {
                    let Some(attr_ty) = object.attrs.get(&name) else {
                        if self.ignore_undefined {
                            continue;
                        }
                        return Err(
                            ValueError::new("unsupported attribute").within(attr_step(&name))
                        );
                    };
                    let item = self
                        .value(member, attr_ty)
                        .map_err(|e| e.within(attr_step(&name)))?;
                    entries.insert(name, item);
                }
                for name in object.attrs.keys() {
                    entries.entry(name.clone()).or_insert(Value::Null);
                }
                Ok(Value::Object(entries))
            }
            (Type::Dynamic, Node::Object(members)) => self.dynamic(members),
            (_, node) => Err(wrong_kind(&node)),
        }
    }

    fn items<'t>(
        &self,
        items: Vec<Node>,
        element_type: impl Fn(usize) -> &'t Type,
    ) -> Result<Vec<Value>, ValueError> {
        let items = items.into_iter().enumerate();
        items
            .map(|(i, item)| {
                self.value(item, element_type(i))
                    .map_err(|e| e.within(index_step(i)))
            })
            .collect()
    }

    /// `{"value": ..., "type": ...}`, in either order.
    fn dynamic(&self, members: Vec<(String, Node)>) -> Result<Value, ValueError> {
        let mut type_node = None;
        let mut value_node = None;
        for (key, member) in members {
            match key.as_str() {
                "type" => type_node = Some(member),
                "value" => value_node = Some(member),
                other => {
                    return Err(ValueError::new(format!(
                        "a dynamic value has only \"value\" and \"type\", not {other:?}"
                    )));
                }
            }
        }
        let (Some(type_node), Some(value_node)) = (type_node, value_node) else {
            return Err(ValueError::new(
                "a dynamic value must be {\"value\": ..., \"type\": ...}",
            ));
        };
        let concrete = Type::from_json_value(&type_node.to_serde())?;
        let inner = self.value(value_node, &concrete)?;
        Ok(Value::Dynamic(concrete, Box::new(inner)))
    }
}

fn write_value(out: &mut String, v: &Value, ty: &Type) -> Result<(), ValueError> {
    match v {
        Value::Unknown => return Err(ValueError::new("unknown values cannot be written as JSON")),
        Value::Null => {
            out.push_str("null");
            return Ok(());
        }
        _ => {}
    }
    if *ty == Type::Dynamic {
        let (concrete, inner) = dynamic_parts(v)?;
        out.push_str("{\"value\":");
        write_value(out, inner, &concrete)?;
        out.push_str(",\"type\":");
        out.push_str(&concrete.to_json_value().to_string());
        out.push('}');
        return Ok(());
    }
    match (ty, under_static(v, ty)?) {
        (_, inner @ (Value::Unknown | Value::Null)) => write_value(out, inner, ty),
        (Type::Bool, Value::Bool(b)) => {
            out.push_str(if *b { "true" } else { "false" });
            Ok(())
        }
        (Type::Number, Value::Number(n)) => {
            let text = n.to_decimal();
            out.push_str(&text.ok_or_else(|| ValueError::new(format!("{n:?} is not a number")))?);
            Ok(())
        }
        (Type::String, Value::String(s)) => {
            write_string(out, s);
            Ok(())
        }
        (
            Type::List(element) | Type::Set(element),
            Value::List(items) | Value::Set(items) | Value::Tuple(items),
        ) => write_array(out, items, |_| element),
        (Type::Tuple(elements), Value::Tuple(items) | Value::List(items)) => {
            if items.len() != elements.len() {
                return Err(ValueError::new(format!(
                    "tuple type has {} elements, value has {}",
                    elements.len(),
                    items.len()
                )));
            }
            write_array(out, items, |i| &elements[i])
        }
        (Type::Map(element), Value::Map(entries) | Value::Object(entries)) => {
            let members = entries
                .iter()
                .map(|(k, item)| (k.as_str(), &**element, item));
            write_object(out, members, key_step)
        }
        (Type::Object(object), Value::Object(entries) | Value::Map(entries)) => {
            write_object(out, object_attrs(object, entries)?, attr_step)
        }
        (ty, other) => Err(mismatch(ty, other)),
    }
}

fn write_array<'t>(
    out: &mut String,
    items: &[Value],
    element_type: impl Fn(usize) -> &'t Type,
) -> Result<(), ValueError> {
    out.push('[');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_value(out, item, element_type(i)).map_err(|e| e.within(index_step(i)))?;
    }
    out.push(']');
    Ok(())
}

fn write_object<'a>(
    out: &mut String,
    members: impl Iterator<Item = (&'a str, &'a Type, &'a Value)>,
    step: fn(&str) -> PathStep,
) -> Result<(), ValueError> {
    out.push('{');
    for (i, (name, ty, item)) in members.enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_string(out, name);
        out.push(':');
        write_value(out, item, ty).map_err(|e| e.within(step(name)))?;
    }
    out.push('}');
    Ok(())
}

fn write_string(out: &mut String, s: &str) {
    // Serializing a str to JSON cannot fail.
    out.push_str(&serde_json::to_string(s).unwrap_or_default());
}
