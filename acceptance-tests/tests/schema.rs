//! `terraform providers schema -json` shows the provider configuration and the
//! `peering_connectivity` data source attribute by attribute, on every
//! Terraform version.

use acceptance_tests::schema_json::{attribute, flag, object_shape, Nesting};
use acceptance_tests::{for_each_terraform, Workspace, PROVIDER_ADDRESS};
use serde_json::{json, Value};

#[test]
fn provider_and_connectivity_schema() {
    for_each_terraform("provider_and_connectivity_schema", |tf| {
        let ws = Workspace::new("schema", tf);
        ws.write_main("");
        ws.init().expect_success();
        let schemas = ws.providers_schema_json().expect_success().json();
        let provider = &schemas["provider_schemas"][PROVIDER_ADDRESS];
        assert!(
            provider.is_object(),
            "no schema for {PROVIDER_ADDRESS} in {schemas:#}"
        );
        check_provider_config(&provider["provider"]["block"]);
        check_connectivity(&provider["data_source_schemas"]["peering_connectivity"]["block"]);
    });
}

fn check_provider_config(config: &Value) {
    for (name, ty) in [
        ("region", json!("string")),
        ("profile", json!("string")),
        ("access_key", json!("string")),
        ("secret_key", json!("string")),
        ("max_retries", json!("number")),
        ("max_concurrency", json!("number")),
    ] {
        let attr = attribute(config, name)
            .unwrap_or_else(|| panic!("provider attribute {name} missing: {config:#}"));
        assert_eq!(attr["type"], ty, "type of provider attribute {name}");
        assert!(
            flag(attr, "optional"),
            "provider attribute {name} is optional"
        );
    }
    assert!(
        flag(&config["attributes"]["secret_key"], "sensitive"),
        "secret_key is sensitive"
    );

    // The data source must work with an empty provider block: nothing required.
    for (name, attr) in config["attributes"].as_object().into_iter().flatten() {
        assert!(
            !flag(attr, "required"),
            "provider attribute {name} must not be required"
        );
    }

    expect_members(config, "endpoints", &["ec2", "sts"]);
    expect_members(
        config,
        "assume_role",
        &["role_arn", "session_name", "external_id"],
    );
    expect_members(
        config,
        "quotas",
        &[
            "peerings_per_vpc",
            "routes_per_route_table",
            "rules_per_security_group",
            "vpcs_per_region",
            "internet_gateways_per_region",
        ],
    );
    // default_tags: a map of tags, or (like terraform-provider-aws) an object with `tags`.
    let default_tags_is_map =
        attribute(config, "default_tags").is_some_and(|a| a["type"] == json!(["map", "string"]));
    if !default_tags_is_map {
        expect_members(config, "default_tags", &["tags"]);
    }
}

/// `name` is object-like (attribute, nested attribute or block) with at least these members.
fn expect_members(block: &Value, name: &str, members: &[&str]) {
    let shape = object_shape(block, name)
        .unwrap_or_else(|| panic!("{name} missing or not an object: {block:#}"));
    for member in members {
        assert!(
            shape.members.contains_key(*member),
            "{name} lacks {member}: {shape:?}"
        );
    }
}

fn check_connectivity(ds: &Value) {
    assert!(ds.is_object(), "data source peering_connectivity missing");
    let hosts = attribute(ds, "hosts").expect("hosts");
    assert_eq!(
        hosts["type"],
        json!(["map", "string"]),
        "hosts is map(string)"
    );
    assert!(flag(hosts, "required"), "hosts is required");

    for (name, ty) in [
        ("echo_count", json!("number")),
        ("timeout_ms", json!("number")),
        ("host_vpcs", json!(["map", "string"])),
        ("expect", json!(["map", ["list", "string"]])),
        ("mesh_id", json!("string")),
    ] {
        let attr = attribute(ds, name).unwrap_or_else(|| panic!("{name} missing"));
        assert_eq!(attr["type"], ty, "type of {name}");
        assert!(
            flag(attr, "optional") && !flag(attr, "required"),
            "{name} is optional"
        );
    }
    for (name, ty) in [
        ("all_reachable", json!("bool")),
        ("unreachable", json!(["list", "string"])),
        ("report", json!("string")),
        ("all_as_expected", json!("bool")),
        ("diagnosis", json!(["list", "string"])),
        ("mermaid", json!("string")),
    ] {
        let attr = attribute(ds, name).unwrap_or_else(|| panic!("{name} missing"));
        assert_eq!(attr["type"], ty, "type of {name}");
        assert!(
            flag(attr, "computed") && !flag(attr, "optional"),
            "{name} is computed only"
        );
    }

    let results_attr = attribute(ds, "results").expect("results is an attribute");
    assert!(
        flag(results_attr, "computed") && !flag(results_attr, "optional"),
        "results is computed only"
    );
    let results = object_shape(ds, "results").expect("results is a list of objects");
    assert_eq!(results.nesting, Nesting::List, "results is a list");
    let string = json!("string");
    let number = json!("number");
    let expected = [
        ("from", &string),
        ("to", &string),
        ("address", &string),
        ("sent", &number),
        ("received", &number),
        ("loss_percent", &number),
        ("rtt_min_ms", &number),
        ("rtt_avg_ms", &number),
        ("rtt_max_ms", &number),
        ("reachable", &json!("bool")),
        ("expected", &json!("bool")),
        ("verdict", &string),
        ("cause", &string),
    ];
    for (member, ty) in expected {
        assert_eq!(
            results.members.get(member),
            Some(ty),
            "results[*].{member}: {results:?}"
        );
    }
    assert_eq!(
        results.members.len(),
        expected.len(),
        "no unexpected result members: {results:?}"
    );
}
