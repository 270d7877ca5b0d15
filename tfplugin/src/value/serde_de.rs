//! `Value::decode`: a serde `Deserializer` over a borrowed [`Value`].
//!
//! Errors bubble up from where they happen; every sequence element and map entry on
//! the way prepends its step, so the final error names the full attribute path.

use std::collections::{btree_map, BTreeMap};

use serde::de::{DeserializeSeed, Deserializer, IntoDeserializer, MapAccess, SeqAccess, Visitor};
use serde::forward_to_deserialize_any;

use super::error::{attr_step, index_step, key_step};
use super::known::{KNOWN, WHOLLY_KNOWN};
use super::{Number, Value, ValueError};
use crate::diag::PathStep;

pub(crate) struct ValueDeserializer<'a> {
    value: &'a Value,
}

impl<'a> ValueDeserializer<'a> {
    pub(crate) fn new(value: &'a Value) -> Self {
        ValueDeserializer {
            value: value.concrete(),
        }
    }
}

fn unknown_error() -> ValueError {
    ValueError::new("value is unknown (known only after apply)")
}

fn null_error(expected: &str) -> ValueError {
    ValueError::new(format!(
        "value is null, expected {expected} (use Option<_> where null is allowed)"
    ))
}

/// What a null collection reads as when the Rust side wants a collection.
static NO_ENTRIES: BTreeMap<String, Value> = BTreeMap::new();

/// Methods that must not see Null: the Rust type cannot say "absent".
macro_rules! deserialize_non_null {
    ($($method:ident => $expected:literal),* $(,)?) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ValueError> {
            if matches!(self.value, Value::Null) {
                return Err(null_error($expected));
            }
            self.deserialize_any(visitor)
        }
    )*};
}

impl<'de> Deserializer<'de> for ValueDeserializer<'_> {
    type Error = ValueError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ValueError> {
        match self.value {
            Value::Unknown => Err(unknown_error()),
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(*b),
            Value::Number(n) => visit_number(n, visitor),
            Value::String(s) => visitor.visit_str(s),
            Value::List(items) | Value::Set(items) | Value::Tuple(items) => {
                visitor.visit_seq(Elements::new(items))
            }
            Value::Map(entries) => visitor.visit_map(Entries::new(entries, key_step)),
            Value::Object(entries) => visitor.visit_map(Entries::new(entries, attr_step)),
            Value::Dynamic(_, inner) => ValueDeserializer::new(inner).deserialize_any(visitor),
        }
    }

    deserialize_non_null! {
        deserialize_bool => "a bool",
        deserialize_i8 => "a number", deserialize_i16 => "a number",
        deserialize_i32 => "a number", deserialize_i64 => "a number",
        deserialize_u8 => "a number", deserialize_u16 => "a number",
        deserialize_u32 => "a number", deserialize_u64 => "a number",
        deserialize_f32 => "a number", deserialize_f64 => "a number",
        deserialize_char => "a string", deserialize_str => "a string",
        deserialize_string => "a string",
        deserialize_bytes => "a string", deserialize_byte_buf => "a string",
    }

    /// Unknown is "some" value: a `Known` inside reads it, anything else refuses it.
    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ValueError> {
        match self.value {
            Value::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    /// Terraform leaves unset collections null; a `Vec` reads that as empty.
    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ValueError> {
        match self.value {
            Value::Null => visitor.visit_seq(Elements::new(&[])),
            _ => self.deserialize_any(visitor),
        }
    }

    /// Terraform leaves unset collections null; a map type reads that as empty.
    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ValueError> {
        match self.value {
            Value::Null => visitor.visit_map(Entries::new(&NO_ENTRIES, key_step)),
            _ => self.deserialize_any(visitor),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, ValueError> {
        match self.value {
            Value::Null => Err(null_error("an object")),
            _ => self.deserialize_any(visitor),
        }
    }

    /// [`Known`](super::Known) asks through its marker name whether the value is
    /// known; serde has no word for "unknown", so the answer is a unit.
    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, ValueError> {
        let unknown = match name {
            KNOWN => self.value.is_unknown(),
            WHOLLY_KNOWN => !self.value.is_wholly_known(),
            _ => false,
        };
        if unknown {
            visitor.visit_unit()
        } else {
            visitor.visit_newtype_struct(self)
        }
    }

    /// Unit variants from strings, e.g. `mode = "full"` into `enum Mode { Full }`
    /// with `#[serde(rename_all = "snake_case")]`.
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, ValueError> {
        match self.value {
            Value::String(s) => visitor.visit_enum(s.as_str().into_deserializer()),
            Value::Unknown => Err(unknown_error()),
            Value::Null => Err(null_error("a string")),
            other => Err(ValueError::new(format!(
                "expected a string naming a variant, got {}",
                other.kind_name()
            ))),
        }
    }

    /// Skipped fields may be anything, unknown included.
    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ValueError> {
        visitor.visit_unit()
    }

    forward_to_deserialize_any! {
        i128 u128 unit unit_struct tuple tuple_struct identifier
    }
}

fn visit_number<'de, V: Visitor<'de>>(n: &Number, visitor: V) -> Result<V::Value, ValueError> {
    match n.normalized() {
        Number::Int(i) => visitor.visit_i64(i),
        Number::Float(f) => visitor.visit_f64(f),
        Number::Big(text) => match (text.parse::<u64>(), n.as_f64()) {
            (Ok(u), _) => visitor.visit_u64(u),
            (Err(_), Some(f)) => visitor.visit_f64(f),
            (Err(_), None) => Err(ValueError::new(format!("number {text} is out of range"))),
        },
    }
}

struct Elements<'a> {
    items: std::slice::Iter<'a, Value>,
    index: usize,
}

impl<'a> Elements<'a> {
    fn new(items: &'a [Value]) -> Self {
        Elements {
            items: items.iter(),
            index: 0,
        }
    }
}

impl<'de> SeqAccess<'de> for Elements<'_> {
    type Error = ValueError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, ValueError> {
        let Some(item) = self.items.next() else {
            return Ok(None);
        };
        let index = self.index;
        self.index += 1;
        let element = seed.deserialize(ValueDeserializer::new(item));
        element.map(Some).map_err(|e| e.within(index_step(index)))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

struct Entries<'a> {
    entries: btree_map::Iter<'a, String, Value>,
    /// The entry whose key was handed out and whose value is next.
    current: Option<(&'a str, &'a Value)>,
    /// How a key reads in a path: `.attr` for objects, `["key"]` for maps.
    step: fn(&str) -> PathStep,
}

impl<'a> Entries<'a> {
    fn new(entries: &'a BTreeMap<String, Value>, step: fn(&str) -> PathStep) -> Self {
        Entries {
            entries: entries.iter(),
            current: None,
            step,
        }
    }
}

impl<'de> MapAccess<'de> for Entries<'_> {
    type Error = ValueError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, ValueError> {
        let Some((key, value)) = self.entries.next() else {
            return Ok(None);
        };
        self.current = Some((key, value));
        let key = seed.deserialize(key.as_str().into_deserializer());
        key.map(Some)
            .map_err(|e: ValueError| e.within((self.step)(self.current_key())))
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, ValueError> {
        let (key, value) = self
            .current
            .take()
            .ok_or_else(|| ValueError::new("map value requested before its key"))?;
        let value = seed.deserialize(ValueDeserializer::new(value));
        value.map_err(|e| e.within((self.step)(key)))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

impl Entries<'_> {
    fn current_key(&self) -> &str {
        self.current.map(|(k, _)| k).unwrap_or_default()
    }
}
