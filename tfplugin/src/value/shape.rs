//! Checks shared by the encoders: does a value fit the type it is written as?

use std::borrow::Cow;
use std::collections::BTreeMap;

use super::error::attr_step;
use super::{ObjectType, Type, Value, ValueError};

/// The error for a value that does not fit its type.
pub(crate) fn mismatch(ty: &Type, v: &Value) -> ValueError {
    ValueError::new(format!("expected {ty}, got {}", v.kind_name()))
}

/// Splits a known value written under the `dynamic` type into its concrete type and
/// the value itself. Plain primitives are accepted too, their type being obvious;
/// collections must say their type with [`Value::Dynamic`] (a list and a set of
/// the same elements look alike).
pub(crate) fn dynamic_parts(v: &Value) -> Result<(Cow<'_, Type>, &Value), ValueError> {
    let inferred = match v {
        Value::Dynamic(ty, inner) => return Ok((Cow::Borrowed(ty), inner)),
        Value::Bool(_) => Type::Bool,
        Value::Number(_) => Type::Number,
        Value::String(_) => Type::String,
        other => {
            return Err(ValueError::new(format!(
                "a {} under type dynamic must be wrapped in Value::Dynamic with its type",
                other.kind_name()
            )));
        }
    };
    Ok((Cow::Owned(inferred), v))
}

/// A value written under a static (non-dynamic) type: a `Value::Dynamic` wrapper is
/// looked through when its type is exactly the static type.
pub(crate) fn under_static<'v>(v: &'v Value, ty: &Type) -> Result<&'v Value, ValueError> {
    match v {
        Value::Dynamic(concrete, inner) if concrete == ty => under_static(inner, ty),
        Value::Dynamic(concrete, _) => Err(ValueError::new(format!(
            "expected {ty}, got a dynamic value of type {concrete}"
        ))),
        other => Ok(other),
    }
}

/// Every attribute of the object type with its value (Null when absent), after
/// checking that the value has no attribute the type lacks.
pub(crate) fn object_attrs<'a>(
    object: &'a ObjectType,
    entries: &'a BTreeMap<String, Value>,
) -> Result<impl Iterator<Item = (&'a str, &'a Type, &'a Value)>, ValueError> {
    if let Some(extra) = entries.keys().find(|k| !object.attrs.contains_key(*k)) {
        return Err(ValueError::new("unsupported attribute").within(attr_step(extra)));
    }
    Ok(object.attrs.iter().map(|(name, ty)| {
        let value = entries.get(name).unwrap_or(&Value::Null);
        (name.as_str(), ty, value)
    }))
}
