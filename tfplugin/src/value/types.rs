//! cty types and their JSON form, as used in schemas and in `dynamic` values.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde_json::Value as Json;

use super::ValueError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Type {
    Bool,
    Number,
    String,
    /// cty's `DynamicPseudoType`: any type, decided per value.
    Dynamic,
    List(Box<Type>),
    Set(Box<Type>),
    Map(Box<Type>),
    Tuple(Vec<Type>),
    Object(ObjectType),
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ObjectType {
    pub attrs: BTreeMap<String, Type>,
    /// Attributes marked optional in the type (cty's third element of
    /// `["object", {...}, ["a", "b"]]`); meaningful only for type conversion.
    pub optional: BTreeSet<String>,
}

impl Type {
    pub fn list(t: Type) -> Type {
        Type::List(Box::new(t))
    }

    pub fn set(t: Type) -> Type {
        Type::Set(Box::new(t))
    }

    pub fn map(t: Type) -> Type {
        Type::Map(Box::new(t))
    }

    pub fn tuple(elements: Vec<Type>) -> Type {
        Type::Tuple(elements)
    }

    pub fn object<I, K>(attrs: I) -> Type
    where
        I: IntoIterator<Item = (K, Type)>,
        K: Into<String>,
    {
        Type::Object(ObjectType {
            attrs: attrs.into_iter().map(|(k, t)| (k.into(), t)).collect(),
            optional: BTreeSet::new(),
        })
    }

    /// An object type with some attributes marked optional.
    pub fn object_with_optional<I, K, O>(attrs: I, optional: O) -> Type
    where
        I: IntoIterator<Item = (K, Type)>,
        K: Into<String>,
        O: IntoIterator<Item = K>,
    {
        Type::Object(ObjectType {
            attrs: attrs.into_iter().map(|(k, t)| (k.into(), t)).collect(),
            optional: optional.into_iter().map(Into::into).collect(),
        })
    }

    /// The element type of a list, set or map.
    pub fn element_type(&self) -> Option<&Type> {
        match self {
            Type::List(e) | Type::Set(e) | Type::Map(e) => Some(e),
            _ => None,
        }
    }

    /// Parses cty type JSON: `"string"`, `["list","string"]`,
    /// `["object",{"a":"string"},["a"]]`, `"dynamic"`, `["tuple",["bool"]]`, ...
    pub fn from_json(bytes: &[u8]) -> Result<Type, ValueError> {
        let json: Json = serde_json::from_slice(bytes)
            .map_err(|e| ValueError::new(format!("invalid type JSON: {e}")))?;
        Type::from_json_value(&json)
    }

    pub fn to_json(&self) -> Vec<u8> {
        self.to_json_value().to_string().into_bytes()
    }

    pub(crate) fn from_json_value(json: &Json) -> Result<Type, ValueError> {
        match json {
            Json::String(name) => match name.as_str() {
                "bool" => Ok(Type::Bool),
                "number" => Ok(Type::Number),
                "string" => Ok(Type::String),
                "dynamic" => Ok(Type::Dynamic),
                other => Err(ValueError::new(format!("unknown type name {other:?}"))),
            },
            Json::Array(parts) => compound_from_json(parts),
            other => Err(ValueError::new(format!(
                "a type must be a string or an array, got {other}"
            ))),
        }
    }

    pub(crate) fn to_json_value(&self) -> Json {
        let tagged = |kind: &str, inner: Json| Json::Array(vec![Json::from(kind), inner]);
        match self {
            Type::Bool => Json::from("bool"),
            Type::Number => Json::from("number"),
            Type::String => Json::from("string"),
            Type::Dynamic => Json::from("dynamic"),
            Type::List(e) => tagged("list", e.to_json_value()),
            Type::Set(e) => tagged("set", e.to_json_value()),
            Type::Map(e) => tagged("map", e.to_json_value()),
            Type::Tuple(elements) => tagged(
                "tuple",
                Json::Array(elements.iter().map(Type::to_json_value).collect()),
            ),
            Type::Object(object) => {
                let attrs = object
                    .attrs
                    .iter()
                    .map(|(name, t)| (name.clone(), t.to_json_value()))
                    .collect();
                let mut parts = vec![Json::from("object"), Json::Object(attrs)];
                if !object.optional.is_empty() {
                    parts.push(Json::Array(
                        object
                            .optional
                            .iter()
                            .map(|a| Json::from(a.as_str()))
                            .collect(),
                    ));
                }
                Json::Array(parts)
            }
        }
    }
}

fn compound_from_json(parts: &[Json]) -> Result<Type, ValueError> {
    let kind = parts.first().and_then(Json::as_str).unwrap_or_default();
    let arity_error = || ValueError::new(format!("wrong number of elements in {kind:?} type"));
    match kind {
        "list" | "set" | "map" => {
            let [_, element] = parts else {
                return Err(arity_error());
            };
            let element = Box::new(Type::from_json_value(element)?);
            Ok(match kind {
                "list" => Type::List(element),
                "set" => Type::Set(element),
                _ => Type::Map(element),
            })
        }
        "tuple" => {
            let [_, Json::Array(elements)] = parts else {
                return Err(arity_error());
            };
            let elements = elements.iter().map(Type::from_json_value);
            Ok(Type::Tuple(elements.collect::<Result<_, _>>()?))
        }
        "object" => {
            let (attrs, optional) = match parts {
                [_, Json::Object(attrs)] => (attrs, None),
                [_, Json::Object(attrs), Json::Array(optional)] => (attrs, Some(optional)),
                _ => return Err(arity_error()),
            };
            let attrs = attrs
                .iter()
                .map(|(name, t)| Ok((name.clone(), Type::from_json_value(t)?)))
                .collect::<Result<BTreeMap<_, _>, ValueError>>()?;
            let mut object = ObjectType {
                attrs,
                optional: BTreeSet::new(),
            };
            for name in optional.into_iter().flatten() {
                let name = name.as_str().filter(|n| object.attrs.contains_key(*n));
                let name = name.ok_or_else(|| {
                    ValueError::new("optional attribute list names no attribute of the object")
                })?;
                object.optional.insert(name.to_owned());
            }
            Ok(Type::Object(object))
        }
        other => Err(ValueError::new(format!("unknown type kind {other:?}"))),
    }
}

/// cty's "friendly names": `string`, `list of number`, `object`, ...
impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Type::Bool => f.write_str("bool"),
            Type::Number => f.write_str("number"),
            Type::String => f.write_str("string"),
            Type::Dynamic => f.write_str("dynamic"),
            Type::List(e) => write!(f, "list of {e}"),
            Type::Set(e) => write!(f, "set of {e}"),
            Type::Map(e) => write!(f, "map of {e}"),
            Type::Tuple(_) => f.write_str("tuple"),
            Type::Object(_) => f.write_str("object"),
        }
    }
}
