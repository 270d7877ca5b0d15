//! The schema as the bridge maps it onto a Pulumi package when it is added
//! (`pulumi package add terraform-provider ...` reads GetProviderSchema once).

use std::collections::BTreeSet;

use tfplugin::proto::tfplugin6 as pb;

use crate::bridge::{Bridge, MESH};

/// Every attribute and nested attribute of a block, with its path.
fn walk<'a>(
    path: &str,
    block: &'a pb::schema::Block,
    out: &mut Vec<(String, &'a pb::schema::Attribute)>,
) {
    let mut names = BTreeSet::new();
    for a in &block.attributes {
        walk_attribute(&format!("{path}.{}", a.name), a, out);
        names.insert(camel(&a.name));
    }
    for b in &block.block_types {
        let body = b.block.as_ref().expect("nested block body");
        walk(&format!("{path}.{}", b.type_name), body, out);
        names.insert(camel(&b.type_name));
    }
    let members = block.attributes.len() + block.block_types.len();
    assert_eq!(
        names.len(),
        members,
        "two members of {path} have the same Pulumi (camelCase) name"
    );
}

fn walk_attribute<'a>(
    path: &str,
    a: &'a pb::schema::Attribute,
    out: &mut Vec<(String, &'a pb::schema::Attribute)>,
) {
    out.push((path.to_string(), a));
    if let Some(object) = &a.nested_type {
        let mut names = BTreeSet::new();
        for inner in &object.attributes {
            walk_attribute(&format!("{path}.{}", inner.name), inner, out);
            names.insert(camel(&inner.name));
        }
        assert_eq!(
            names.len(),
            object.attributes.len(),
            "camelCase clash in {path}"
        );
    }
}

/// The bridge's property names: snake_case to camelCase.
fn camel(name: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for c in name.chars() {
        match c {
            '_' => upper = true,
            c if upper => {
                out.extend(c.to_uppercase());
                upper = false;
            }
            c => out.push(c),
        }
    }
    out
}

/// Mirrors the bridge's schema generation for a dynamically bridged provider:
/// one resource prefix inferred from the resource type names (`peering_`, on
/// data sources too), tokens in the `index` module (`peering:index:Mesh`,
/// `peering:index:getConnectivity`), a string `id` on every resource (Pulumi's
/// resource id), no `dynamic` types (they would become untyped `Any`), no two
/// members with the same camelCase name, and a `name` the bridge's autonaming can
/// fill (a plain string input).
#[test]
fn schema_maps_onto_pulumi_types() {
    // Schema only: a configuration pointing at a closed port never reaches EC2.
    let bridge = Bridge::start("http://127.0.0.1:9");
    let schema = &bridge.schema;
    let resources: Vec<&String> = schema.resource_schemas.keys().collect();
    let data_sources: Vec<&String> = schema.data_source_schemas.keys().collect();
    assert!(!resources.is_empty());
    for name in resources.iter().chain(&data_sources) {
        assert!(
            name.starts_with("peering_"),
            "{name} lacks the one prefix peering_"
        );
    }
    let tokens: BTreeSet<String> = resources
        .iter()
        .map(|r| format!("peering:index:{}", pascal(&r["peering_".len()..])))
        .chain(
            data_sources
                .iter()
                .map(|d| format!("peering:index:get{}", pascal(&d["peering_".len()..]))),
        )
        .collect();
    assert_eq!(
        tokens.len(),
        resources.len() + data_sources.len(),
        "tokens clash: {tokens:?}"
    );
    assert!(tokens.contains("peering:index:Mesh"), "{tokens:?}");

    let mut all = Vec::new();
    let provider = schema
        .provider
        .as_ref()
        .and_then(|s| s.block.as_ref())
        .expect("provider schema");
    walk("provider", provider, &mut all);
    for (name, s) in schema
        .resource_schemas
        .iter()
        .chain(&schema.data_source_schemas)
    {
        let block = s.block.as_ref().expect("schema block");
        walk(name, block, &mut all);
        assert!(
            !block.attributes.iter().any(|a| a.name == "urn"),
            "{name}: `urn` is reserved by Pulumi"
        );
    }
    for (name, s) in &schema.resource_schemas {
        let block = s.block.as_ref().expect("schema block");
        let id = block.attributes.iter().find(|a| a.name == "id");
        let id = id.unwrap_or_else(|| panic!("{name} has no id"));
        assert_eq!(id.r#type, br#""string""#, "{name}.id is a string");
        assert!(id.computed && !id.required, "{name}.id is computed");
    }
    for (path, a) in &all {
        let ty = String::from_utf8_lossy(&a.r#type);
        assert!(
            !ty.contains("\"dynamic\""),
            "{path} has a dynamic type: {ty}"
        );
        assert!(
            !a.r#type.is_empty() || a.nested_type.is_some(),
            "{path} has no type"
        );
    }

    let mesh = bridge.mesh_block();
    let name = mesh
        .attributes
        .iter()
        .find(|a| a.name == "name")
        .expect("peering_mesh.name");
    assert_eq!(name.r#type, br#""string""#);
    assert!(name.required || name.optional, "name is an input");
    assert!(!name.sensitive, "an autonamed input must not be secret");
    assert!(schema.resource_schemas.contains_key(MESH));
}

fn pascal(snake: &str) -> String {
    let c = camel(snake);
    let mut chars = c.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}
