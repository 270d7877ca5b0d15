//! Reading `terraform providers schema -json` without caring how the provider
//! chose to model an object: an attribute of object type, a protocol-6 nested
//! attribute (`nested_type`) or a nested block all describe the same HCL shape,
//! and the tests check the shape (names and types of the members).

use std::collections::BTreeMap;

use serde_json::Value;

/// How many objects an object-like attribute or block holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nesting {
    Single,
    List,
    Set,
    Map,
}

impl Nesting {
    fn parse(word: &str) -> Option<Nesting> {
        match word {
            "single" | "object" | "group" => Some(Nesting::Single),
            "list" => Some(Nesting::List),
            "set" => Some(Nesting::Set),
            "map" => Some(Nesting::Map),
            _ => None,
        }
    }
}

/// The members of an object-like attribute or block: name -> cty type JSON
/// (`Value::Null` for a member that is itself a nested attribute or block).
#[derive(Debug, Clone, PartialEq)]
pub struct ObjectShape {
    pub nesting: Nesting,
    pub members: BTreeMap<String, Value>,
}

/// The attribute `name` of `block` (a schema `block` object), if it is a plain
/// or nested attribute (not a nested block).
pub fn attribute<'a>(block: &'a Value, name: &str) -> Option<&'a Value> {
    block.get("attributes")?.get(name)
}

/// True if the attribute carries `flag` (`required`, `optional`, `computed`,
/// `sensitive`) set to true.
pub fn flag(attribute: &Value, flag: &str) -> bool {
    attribute
        .get(flag)
        .and_then(Value::as_bool)
        .unwrap_or(false)
}

/// The shape of the object-like attribute or nested block `name` of `block`,
/// whichever representation the provider used; `None` if `name` is missing or
/// not object-like.
pub fn object_shape(block: &Value, name: &str) -> Option<ObjectShape> {
    if let Some(attr) = attribute(block, name) {
        if let Some(ty) = attr.get("type") {
            return shape_of_type(ty);
        }
        let nested = attr.get("nested_type")?;
        return Some(ObjectShape {
            nesting: Nesting::parse(nested.get("nesting_mode")?.as_str()?)?,
            members: members_of(nested),
        });
    }
    let nested_block = block.get("block_types")?.get(name)?;
    Some(ObjectShape {
        nesting: Nesting::parse(nested_block.get("nesting_mode")?.as_str()?)?,
        members: members_of(nested_block.get("block")?),
    })
}

/// `["object",{..}]` or a list/set/map of it.
fn shape_of_type(ty: &Value) -> Option<ObjectShape> {
    let parts = ty.as_array()?;
    let kind = parts.first()?.as_str()?;
    if kind == "object" {
        let members = parts.get(1)?.as_object()?;
        return Some(ObjectShape {
            nesting: Nesting::Single,
            members: members
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        });
    }
    let inner = shape_of_type(parts.get(1)?)?;
    if inner.nesting != Nesting::Single {
        return None;
    }
    Some(ObjectShape {
        nesting: Nesting::parse(kind)?,
        members: inner.members,
    })
}

/// Member name -> type of a block or nested_type (attributes and sub-blocks).
fn members_of(block: &Value) -> BTreeMap<String, Value> {
    let mut members = BTreeMap::new();
    if let Some(attrs) = block.get("attributes").and_then(Value::as_object) {
        for (name, attr) in attrs {
            members.insert(
                name.clone(),
                attr.get("type").cloned().unwrap_or(Value::Null),
            );
        }
    }
    if let Some(blocks) = block.get("block_types").and_then(Value::as_object) {
        for name in blocks.keys() {
            members.insert(name.clone(), Value::Null);
        }
    }
    members
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn expected(nesting: Nesting) -> ObjectShape {
        ObjectShape {
            nesting,
            members: BTreeMap::from([("ec2".to_string(), json!("string"))]),
        }
    }

    #[test]
    fn object_typed_attribute() {
        let block = json!({"attributes": {"endpoints": {"type": ["object", {"ec2": "string"}], "optional": true}}});
        assert_eq!(
            object_shape(&block, "endpoints"),
            Some(expected(Nesting::Single))
        );
    }

    #[test]
    fn list_of_objects_attribute() {
        let block = json!({"attributes": {"r": {"type": ["list", ["object", {"ec2": "string"}]]}}});
        assert_eq!(object_shape(&block, "r"), Some(expected(Nesting::List)));
    }

    #[test]
    fn nested_attribute() {
        let block = json!({"attributes": {"endpoints": {"nested_type": {
            "attributes": {"ec2": {"type": "string", "optional": true}}, "nesting_mode": "single"}}}});
        assert_eq!(
            object_shape(&block, "endpoints"),
            Some(expected(Nesting::Single))
        );
    }

    #[test]
    fn nested_block() {
        let block = json!({"block_types": {"endpoints": {"nesting_mode": "list", "max_items": 1,
            "block": {"attributes": {"ec2": {"type": "string", "optional": true}}}}}});
        assert_eq!(
            object_shape(&block, "endpoints"),
            Some(expected(Nesting::List))
        );
    }

    #[test]
    fn plain_and_missing_attributes_are_not_objects() {
        let block = json!({"attributes": {"region": {"type": "string"}, "tags": {"type": ["map", "string"]}}});
        assert_eq!(object_shape(&block, "region"), None);
        assert_eq!(object_shape(&block, "tags"), None);
        assert_eq!(object_shape(&block, "absent"), None);
    }
}
