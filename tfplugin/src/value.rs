//! cty values: the data model behind every Terraform `DynamicValue`.
//!
//! A [`Value`] never carries its own static type: Terraform always tells us the type
//! (from the schema), so every codec takes a [`Type`] next to the value. The codecs:
//! - [`msgpack`]: the wire form of `DynamicValue.msgpack`;
//! - [`json`]: the state form (`UpgradeResourceState.raw_state.json`);
//! - [`Value::decode`] / [`Value::encode`]: plain Rust structs via serde, so resource
//!   code never touches msgpack.
//!
//! Equality (`PartialEq`) is semantic rather than structural in two places:
//! numbers compare by numeric value (`Int(2) == Float(2.0)`), and sets compare as
//! unordered multisets (the order of [`Value::Set`] elements is kept as received,
//! but Terraform itself treats sets as unordered).

use std::collections::BTreeMap;

mod error;
pub mod json;
pub mod known;
pub mod msgpack;
mod number;
mod serde_de;
mod serde_en;
mod shape;
mod types;

pub use error::ValueError;
pub use known::Known;
pub use number::Number;
pub use types::{ObjectType, Type};

/// A cty value, interpreted against a [`Type`] supplied by the caller.
#[derive(Debug, Clone)]
pub enum Value {
    /// Not known until apply. Refined unknowns (cty's ext type 12) decode to this too:
    /// the refinements are hints we do not need.
    Unknown,
    Null,
    Bool(bool),
    Number(Number),
    String(String),
    List(Vec<Value>),
    /// Elements in the order received; compared as an unordered multiset.
    Set(Vec<Value>),
    Map(BTreeMap<String, Value>),
    Tuple(Vec<Value>),
    /// Decoding always yields every attribute of the object type (Null when absent).
    Object(BTreeMap<String, Value>),
    /// A known value whose static type is `dynamic`: the wire form carries the
    /// concrete type, and so does this.
    Dynamic(Type, Box<Value>),
}

/// What [`Value::get`] hands out for an absent attribute.
static NULL: Value = Value::Null;

impl Value {
    pub fn is_null(&self) -> bool {
        matches!(self.concrete(), Value::Null)
    }

    pub fn is_unknown(&self) -> bool {
        matches!(self.concrete(), Value::Unknown)
    }

    /// True when no `Unknown` appears anywhere inside.
    pub fn is_wholly_known(&self) -> bool {
        match self {
            Value::Unknown => false,
            Value::Null | Value::Bool(_) | Value::Number(_) | Value::String(_) => true,
            Value::List(items) | Value::Set(items) | Value::Tuple(items) => {
                items.iter().all(Value::is_wholly_known)
            }
            Value::Map(entries) | Value::Object(entries) => {
                entries.values().all(Value::is_wholly_known)
            }
            Value::Dynamic(_, inner) => inner.is_wholly_known(),
        }
    }

    /// An object attribute; Null when absent or when this is not an object (or map).
    pub fn get(&self, attr: &str) -> &Value {
        self.as_map().and_then(|m| m.get(attr)).unwrap_or(&NULL)
    }

    pub fn as_str(&self) -> Option<&str> {
        match self.concrete() {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self.concrete() {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn as_number(&self) -> Option<&Number> {
        match self.concrete() {
            Value::Number(n) => Some(n),
            _ => None,
        }
    }

    /// The number as an i64 when it is integral and fits.
    pub fn as_i64(&self) -> Option<i64> {
        self.as_number().and_then(Number::as_i64)
    }

    /// The number as an f64; lossy for numbers beyond f64 precision.
    pub fn as_f64(&self) -> Option<f64> {
        self.as_number().and_then(Number::as_f64)
    }

    /// The entries of a Map or an Object.
    pub fn as_map(&self) -> Option<&BTreeMap<String, Value>> {
        match self.concrete() {
            Value::Map(entries) | Value::Object(entries) => Some(entries),
            _ => None,
        }
    }

    /// The elements of a List, Set or Tuple.
    pub fn as_list(&self) -> Option<&[Value]> {
        match self.concrete() {
            Value::List(items) | Value::Set(items) | Value::Tuple(items) => Some(items),
            _ => None,
        }
    }

    /// The null value of a type. Nulls carry no type in this model, so this is
    /// always `Null`; it exists so call sites say which type they mean.
    pub fn null_of(_ty: &Type) -> Value {
        Value::Null
    }

    /// Converts to a plain Rust type via serde. Null becomes `None` for `Option`
    /// fields and an empty collection for `Vec`/map fields; Unknown is
    /// [`Known::Unknown`] for [`Known`] fields and an error elsewhere. Errors carry the
    /// attribute path from this value to the problem.
    pub fn decode<T: serde::de::DeserializeOwned>(&self) -> Result<T, ValueError> {
        T::deserialize(serde_de::ValueDeserializer::new(self))
    }

    /// Builds a value of type `ty` from a plain Rust value via serde. Object
    /// attributes missing from `v` (or `None`) become Null; fields of `v` that the
    /// type does not have are an error; duplicate set elements are dropped.
    pub fn encode<T: serde::Serialize>(v: &T, ty: &Type) -> Result<Value, ValueError> {
        serde_en::encode(v, ty)
    }

    /// Looks through [`Value::Dynamic`] to the value it wraps.
    pub fn concrete(&self) -> &Value {
        match self {
            Value::Dynamic(_, inner) => inner.concrete(),
            other => other,
        }
    }

    /// A short name of the value's kind for error messages.
    pub(crate) fn kind_name(&self) -> &'static str {
        match self {
            Value::Unknown => "unknown value",
            Value::Null => "null",
            Value::Bool(_) => "bool",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::List(_) => "list",
            Value::Set(_) => "set",
            Value::Map(_) => "map",
            Value::Tuple(_) => "tuple",
            Value::Object(_) => "object",
            Value::Dynamic(..) => "dynamic value",
        }
    }
}

impl PartialEq for Value {
    fn eq(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Unknown, Value::Unknown) | (Value::Null, Value::Null) => true,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Number(a), Value::Number(b)) => a == b,
            (Value::String(a), Value::String(b)) => a == b,
            (Value::List(a), Value::List(b)) | (Value::Tuple(a), Value::Tuple(b)) => a == b,
            (Value::Set(a), Value::Set(b)) => same_elements(a, b),
            (Value::Map(a), Value::Map(b)) | (Value::Object(a), Value::Object(b)) => a == b,
            (Value::Dynamic(ta, a), Value::Dynamic(tb, b)) => ta == tb && a == b,
            _ => false,
        }
    }
}

/// Multiset equality. Values have no order or hash, so this matches pairwise;
/// sets in Terraform schemas are small.
fn same_elements(a: &[Value], b: &[Value]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut matched = vec![false; b.len()];
    a.iter().all(|x| {
        let found = (0..b.len()).find(|&j| !matched[j] && b[j] == *x);
        found.map(|j| matched[j] = true).is_some()
    })
}

impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::String(s.to_owned())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::String(s)
    }
}

impl From<Number> for Value {
    fn from(n: Number) -> Value {
        Value::Number(n)
    }
}

impl From<i64> for Value {
    fn from(i: i64) -> Value {
        Value::Number(Number::Int(i))
    }
}

impl From<f64> for Value {
    fn from(f: f64) -> Value {
        Value::Number(Number::Float(f))
    }
}

#[cfg(test)]
mod tests;
