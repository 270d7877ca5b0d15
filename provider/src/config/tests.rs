use super::*;
use serde_json::json;
use tfplugin::diag::Diagnostic;

fn config(j: serde_json::Value) -> Value {
    Value::encode(&j, &schema().value_type()).expect("config conforms to schema")
}

fn no_env(_: &str) -> Option<String> {
    None
}

fn errors(j: serde_json::Value) -> Vec<Diagnostic> {
    let mut d = Diagnostics::new();
    validate(&config(j), &mut d);
    d.0
}

#[test]
fn empty_configuration_resolves_to_documented_defaults() {
    let mut d = Diagnostics::new();
    let c = resolve(&config(json!({})), no_env, &mut d).expect("resolves");
    assert!(d.is_empty(), "{d}");
    assert_eq!(c.aws.max_retries, DEFAULT_MAX_RETRIES);
    assert_eq!(c.aws.max_concurrency, DEFAULT_MAX_CONCURRENCY);
    assert_eq!(c.quotas, Quotas::default());
    assert_eq!(
        (
            c.quotas.vpcs_per_region,
            c.quotas.internet_gateways_per_region
        ),
        (5, 5),
        "AWS's defaults"
    );
    assert_eq!(c.aws.region, None);
    assert_eq!(c.aws.ec2_endpoint, None);
    assert_eq!(c.aws.sts_endpoint, None);
}

#[test]
fn every_setting_is_read() {
    let mut d = Diagnostics::new();
    let c = resolve(
        &config(json!({
            "region": "eu-west-2", "profile": "lab", "access_key": "AKIDEXAMPLE", "secret_key": "s3cr3t",
            "endpoints": {"ec2": "http://127.0.0.1:5000", "sts": "http://127.0.0.1:5001"},
            "assume_role": {"role_arn": "arn:aws:iam::123456789012:role/mesh", "session_name": "tf", "external_id": "x"},
            "max_retries": 3, "max_concurrency": 16, "default_tags": {"team": "net"},
            "quotas": {"peerings_per_vpc": 125, "routes_per_route_table": 1000, "rules_per_security_group": 200,
                       "vpcs_per_region": 40, "internet_gateways_per_region": 30}
        })),
        no_env,
        &mut d,
    )
    .expect("resolves");
    assert!(d.is_empty(), "{d}");
    assert_eq!(c.aws.region.as_deref(), Some("eu-west-2"));
    assert_eq!(c.aws.profile.as_deref(), Some("lab"));
    assert_eq!(c.aws.ec2_endpoint.as_deref(), Some("http://127.0.0.1:5000"));
    assert_eq!(c.aws.sts_endpoint.as_deref(), Some("http://127.0.0.1:5001"));
    assert_eq!(
        c.aws.assume_role.as_ref().map(|r| r.role_arn.as_str()),
        Some("arn:aws:iam::123456789012:role/mesh")
    );
    assert_eq!((c.aws.max_retries, c.aws.max_concurrency), (3, 16));
    assert_eq!(c.default_tags.get("team").map(String::as_str), Some("net"));
    assert_eq!(c.quotas.peerings_per_vpc, 125);
    assert_eq!(c.quotas.rules_per_security_group, 200);
    assert_eq!(
        (
            c.quotas.vpcs_per_region,
            c.quotas.internet_gateways_per_region
        ),
        (40, 30)
    );
}

#[test]
fn debug_output_hides_keys() {
    let mut d = Diagnostics::new();
    let c = resolve(
        &config(json!({"access_key": "AKIDEXAMPLE", "secret_key": "s3cr3t"})),
        no_env,
        &mut d,
    )
    .unwrap();
    let printed = format!("{c:?}");
    assert!(
        !printed.contains("s3cr3t") && !printed.contains("AKIDEXAMPLE"),
        "{printed}"
    );
}

#[test]
fn endpoint_falls_back_to_ec2_variable_then_generic_one() {
    let env = |k: &str| match k {
        "AWS_ENDPOINT_URL_EC2" => Some("http://127.0.0.1:1".to_string()),
        "AWS_ENDPOINT_URL" => Some("http://127.0.0.1:2".to_string()),
        _ => None,
    };
    let generic = |k: &str| (k == "AWS_ENDPOINT_URL").then(|| "http://127.0.0.1:2".to_string());
    let mut d = Diagnostics::new();
    let c = resolve(&config(json!({})), env, &mut d).unwrap();
    assert_eq!(c.aws.ec2_endpoint.as_deref(), Some("http://127.0.0.1:1"));
    let c = resolve(&config(json!({})), generic, &mut d).unwrap();
    assert_eq!(c.aws.ec2_endpoint.as_deref(), Some("http://127.0.0.1:2"));
    let c = resolve(
        &config(json!({"endpoints": {"ec2": "http://127.0.0.1:3"}})),
        env,
        &mut d,
    )
    .unwrap();
    assert_eq!(c.aws.ec2_endpoint.as_deref(), Some("http://127.0.0.1:3"));
}

#[test]
fn bad_values_are_reported_on_their_paths() {
    let cases = [
        (json!({"region": "Europe"}), "region", "\"Europe\""),
        (
            json!({"endpoints": {"ec2": "127.0.0.1:5000"}}),
            "endpoints.ec2",
            "http://",
        ),
        (
            json!({"endpoints": {"ec2": "http://10.0.0.5:5000"}}),
            "endpoints.ec2",
            "Use https://",
        ),
        (
            json!({"endpoints": {"sts": "http://sts.example.com"}}),
            "endpoints.sts",
            "not a loopback address",
        ),
        (
            json!({"assume_role": {"role_arn": "mesh-admin"}}),
            "assume_role.role_arn",
            "\"mesh-admin\"",
        ),
        (json!({"max_retries": -1}), "max_retries", "is -1"),
        (
            json!({"max_concurrency": 0}),
            "max_concurrency",
            "between 1 and 64",
        ),
        (
            json!({"quotas": {"peerings_per_vpc": 500}}),
            "quotas.peerings_per_vpc",
            "is 500",
        ),
        (
            json!({"quotas": {"vpcs_per_region": 0}}),
            "quotas.vpcs_per_region",
            "is 0",
        ),
        (
            json!({"quotas": {"internet_gateways_per_region": 5000}}),
            "quotas.internet_gateways_per_region",
            "is 5000",
        ),
        (
            json!({"default_tags": {"peering:mesh": "x"}}),
            "default_tags[\"peering:mesh\"]",
            "reserved",
        ),
        (
            json!({"access_key": "AKIDEXAMPLE"}),
            "secret_key",
            "set both",
        ),
    ];
    for (cfg, path, needle) in cases {
        let errs = errors(cfg.clone());
        assert_eq!(errs.len(), 1, "{cfg}: {errs:?}");
        let at = errs[0].attribute.as_ref().map(|p| p.to_string());
        assert_eq!(at.as_deref(), Some(path), "{cfg}");
        assert!(errs[0].to_string().contains(needle), "{cfg}: {}", errs[0]);
    }
}

#[test]
fn unknown_values_wait_for_configure() {
    let mut obj = match config(json!({})) {
        Value::Object(m) => m,
        other => panic!("{other:?}"),
    };
    obj.insert("region".into(), Value::Unknown);
    obj.insert("max_retries".into(), Value::Unknown);
    let mut d = Diagnostics::new();
    validate(&Value::Object(obj), &mut d);
    assert!(d.is_empty(), "{d}");
}

#[test]
fn sts_endpoint_is_its_own_never_the_ec2_one() {
    let mut d = Diagnostics::new();
    // endpoints.ec2 alone: STS stays on AWS's endpoint.
    let c = resolve(
        &config(json!({"endpoints": {"ec2": "http://127.0.0.1:5000"}})),
        |k: &str| (k == "AWS_ENDPOINT_URL_EC2").then(|| "http://127.0.0.1:9".to_string()),
        &mut d,
    )
    .unwrap();
    assert_eq!(c.aws.sts_endpoint, None);
    // The STS variable, then the generic one that every service follows.
    let env = |k: &str| match k {
        "AWS_ENDPOINT_URL_STS" => Some("http://127.0.0.1:1".to_string()),
        "AWS_ENDPOINT_URL" => Some("http://127.0.0.1:2".to_string()),
        _ => None,
    };
    let c = resolve(&config(json!({})), env, &mut d).unwrap();
    assert_eq!(c.aws.sts_endpoint.as_deref(), Some("http://127.0.0.1:1"));
    assert_eq!(c.aws.ec2_endpoint.as_deref(), Some("http://127.0.0.1:2"));
    let c = resolve(
        &config(json!({"endpoints": {"sts": "https://sts.eu-west-2.amazonaws.com"}})),
        env,
        &mut d,
    )
    .unwrap();
    assert_eq!(
        c.aws.sts_endpoint.as_deref(),
        Some("https://sts.eu-west-2.amazonaws.com")
    );
    assert!(d.is_empty(), "{d}");
}

#[test]
fn endpoints_from_the_environment_follow_the_loopback_rule() {
    let mut d = Diagnostics::new();
    let env =
        |k: &str| (k == "AWS_ENDPOINT_URL_STS").then(|| "http://u:canarypass@10.1.1.1".to_string());
    assert!(resolve(&config(json!({})), env, &mut d).is_none());
    let text = d.to_string();
    assert!(text.contains("AWS_ENDPOINT_URL_STS"), "{text}");
    assert!(!text.contains("canarypass"), "{text}");
}

#[test]
fn external_id_is_sensitive_and_endpoint_credentials_are_hidden() {
    let schema = schema();
    let role = schema.attribute("assume_role").expect("assume_role");
    let tfplugin::schema::AttributeKind::Nested(_, members) = &role.kind else {
        panic!("assume_role is a nested attribute");
    };
    let external_id = members.iter().find(|a| a.name == "external_id");
    assert!(external_id.expect("external_id").sensitive);
    let mut d = Diagnostics::new();
    let c = resolve(
        &config(json!({
            "endpoints": {"ec2": "http://user:canarypass@127.0.0.1:5000/"},
            "assume_role": {"role_arn": "arn:aws:iam::123456789012:role/x", "external_id": "canary-external"}
        })),
        no_env,
        &mut d,
    )
    .unwrap();
    let printed = format!("{c:?}");
    assert!(!printed.contains("canary"), "{printed}");
    assert!(printed.contains("127.0.0.1:5000"), "{printed}");
}

mod accounts;
