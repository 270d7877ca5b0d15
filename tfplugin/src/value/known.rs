//! [`Known`]: a value that may not be known until apply, for structs read with
//! [`Value::decode`](super::Value::decode).
//!
//! At plan time any attribute of a configuration may be unknown (it depends on another
//! resource), and so may any element of a collection. `Option<T>` says "may be null";
//! `Known<T>` says "may be unknown", and combine as the schema needs:
//! `Known<Option<String>>` for an optional string that may come from elsewhere,
//! `Known<BTreeMap<String, Known<Vpc>>>` for a map whose entries may be unknown one by one.
//!
//! serde's data model has no unknown, so `Known` asks the value deserializer under a
//! marker name; any other deserializer (JSON, for instance) only ever yields known values.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{Deserialize, Deserializer, Visitor};

/// The marker under which [`Known`] asks whether the value itself is unknown.
pub(crate) const KNOWN: &str = "$tfplugin::Known";
/// The marker under which [`wholly`] asks whether anything inside is unknown.
pub(crate) const WHOLLY_KNOWN: &str = "$tfplugin::WhollyKnown";

/// A value that is known, or not known until apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Known<T> {
    Known(T),
    Unknown,
}

impl<T> Known<T> {
    pub fn is_unknown(&self) -> bool {
        matches!(self, Known::Unknown)
    }

    /// The value when it is known.
    pub fn known(self) -> Option<T> {
        match self {
            Known::Known(v) => Some(v),
            Known::Unknown => None,
        }
    }

    pub fn as_ref(&self) -> Known<&T> {
        match self {
            Known::Known(v) => Known::Known(v),
            Known::Unknown => Known::Unknown,
        }
    }

    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Known<U> {
        match self {
            Known::Known(v) => Known::Known(f(v)),
            Known::Unknown => Known::Unknown,
        }
    }
}

impl<T> Known<Option<T>> {
    /// The value when it is known and not null.
    pub fn present(self) -> Option<T> {
        self.known().flatten()
    }
}

impl<T: Default> Known<T> {
    /// The known value, or the type's default (an empty collection) while unknown.
    pub fn or_default(self) -> T {
        self.known().unwrap_or_default()
    }
}

/// A known default, so that structs of `Known` fields can derive `Default` and take
/// `#[serde(default)]` for attributes a value leaves out.
impl<T: Default> Default for Known<T> {
    fn default() -> Self {
        Known::Known(T::default())
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Known<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_newtype_struct(KNOWN, KnownVisitor(PhantomData))
    }
}

/// For `#[serde(deserialize_with = "tfplugin::value::known::wholly")]` on a
/// `Known<T>` field: Unknown when anything inside the value is unknown, e.g. a list
/// whose elements are read only when every one of them is known.
pub fn wholly<'de, D, T>(deserializer: D) -> Result<Known<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    deserializer.deserialize_newtype_struct(WHOLLY_KNOWN, KnownVisitor(PhantomData))
}

struct KnownVisitor<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for KnownVisitor<T> {
    type Value = Known<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a value that may be unknown")
    }

    /// The value deserializer's answer for a value not known yet.
    fn visit_unit<E: serde::de::Error>(self) -> Result<Known<T>, E> {
        Ok(Known::Unknown)
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Known<T>, D::Error> {
        T::deserialize(d).map(Known::Known)
    }
}

#[cfg(test)]
mod tests;
