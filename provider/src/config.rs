//! The provider configuration: schema, validation, and the settings it resolves to.
//! Configuring never calls AWS; clients are built lazily by whatever needs them.

use std::collections::BTreeMap;

use serde::Deserialize;
use tfplugin::diag::{AttributePath, Diagnostics};
use tfplugin::schema::{Attribute, Nesting, Schema};
use tfplugin::value::{Type, Value};

use crate::checks::{int_in_range, string_matches};

pub mod accounts;
pub mod endpoint;

pub const DEFAULT_MAX_RETRIES: i64 = 10;
pub const DEFAULT_MAX_CONCURRENCY: i64 = 8;

/// The account's EC2 quotas, as the `quotas` block sets them; the mesh checks against them.
pub use crate::mesh::validate::Quotas;

pub use crate::ec2::access::{AccountAccess, AssumeRole, AwsSettings};

/// Resolved settings: how to reach AWS (the EC2 layer's own settings) and what the mesh
/// adds to every object. `Debug` hides secrets (see [`AwsSettings`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderConfig {
    pub aws: AwsSettings,
    pub default_tags: BTreeMap<String, String>,
    pub quotas: Quotas,
}

impl crate::ec2::access::HasAwsSettings for ProviderConfig {
    fn aws(&self) -> &AwsSettings {
        &self.aws
    }
}

impl ProviderConfig {
    /// Hands the secret settings to the log redaction, so that no line the provider (or a
    /// dependency) writes can show them, whatever it logs.
    pub fn register_secrets(&self) {
        for secret in self.aws.secrets() {
            tfplugin::logging::redact::register_secret(secret);
        }
    }
}

pub fn schema() -> Schema {
    let s = |name: &str| Attribute::typed(name, Type::String).optional();
    let n = |name: &str| Attribute::typed(name, Type::Number).optional();
    Schema::new(
        "The `peering` provider plans and manages private multi-VPC peering meshes on AWS and probes their connectivity. \
         Every attribute is optional; the connectivity data source needs no AWS credentials at all.",
        vec![
            s("region").describe("AWS region for EC2 calls, e.g. `eu-west-2`. Defaults to `AWS_REGION` / `AWS_DEFAULT_REGION` or the profile's region."),
            s("profile").describe("Named profile from the shared AWS config and credentials files."),
            s("access_key").sensitive().describe("AWS access key id. Prefer a profile or environment variables; set together with `secret_key`."),
            s("secret_key").sensitive().describe("AWS secret access key (sensitive). Set together with `access_key`."),
            Attribute::nested("endpoints", Nesting::Single, vec![
                s("ec2").describe(
                    "EC2 endpoint URL, e.g. a local emulator `http://127.0.0.1:5000`. Also read from `AWS_ENDPOINT_URL_EC2`, then `AWS_ENDPOINT_URL`.",
                ),
                s("sts").describe(
                    "STS endpoint URL (GetCallerIdentity, AssumeRole), e.g. `http://127.0.0.1:5000` for an emulator serving every service on one port. \
                     Also read from `AWS_ENDPOINT_URL_STS`, then `AWS_ENDPOINT_URL`; unset, STS uses AWS's endpoint even when `ec2` is set.",
                ),
            ])
            .optional()
            .describe("Custom service endpoints: `https://` URLs, or `http://` to a loopback address (127.0.0.0/8, ::1, localhost)."),
            Attribute::nested(
                "assume_role",
                Nesting::Single,
                vec![
                    Attribute::typed("role_arn", Type::String).required().describe("ARN of the IAM role to assume."),
                    s("session_name").describe("Session name (2 to 64 characters of `[A-Za-z0-9+=,.@-]`)."),
                    s("external_id").sensitive().describe("External id the role's trust policy requires (sensitive)."),
                ],
            )
            .optional()
            .describe("Assume an IAM role before calling EC2."),
            n("max_retries").describe(format!(
                "Retries of a throttled or transient EC2 call (0 to 50, default {DEFAULT_MAX_RETRIES})."
            )),
            n("max_concurrency").describe(format!(
                "EC2 operations in flight at once (1 to 64, default {DEFAULT_MAX_CONCURRENCY})."
            )),
            Attribute::typed("default_tags", Type::map(Type::String))
                .optional()
                .describe("Tags added to every object the provider creates. Keys may not start with `aws:` or `peering:`."),
            Attribute::nested(
                "quotas",
                Nesting::Single,
                vec![
                    n("peerings_per_vpc").describe("Active peerings per VPC (AWS default 50, adjustable up to 125)."),
                    n("routes_per_route_table").describe("Routes per route table (AWS default 500, up to 1000)."),
                    n("rules_per_security_group").describe("Inbound rules per security group (AWS default 60, up to 1000)."),
                    n("vpcs_per_region").describe("VPCs per region (AWS default 5; raised on request, checked here up to 1000)."),
                    n("internet_gateways_per_region").describe("Internet gateways per region (AWS default 5, raised with the VPCs per region; checked here up to 1000)."),
                ],
            )
            .optional()
            .describe("Your account's EC2 quotas, checked at plan time. Raise them here when AWS raised them for you."),
            accounts::attribute(),
        ],
    )
}

fn is_region(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() >= 3
        && parts[..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
        && parts[parts.len() - 1].parse::<u8>().is_ok()
}

pub(crate) fn is_role_arn(s: &str) -> bool {
    let p: Vec<&str> = s.splitn(6, ':').collect();
    p.len() == 6
        && p[0] == "arn"
        && p[1].starts_with("aws")
        && p[2] == "iam"
        && p[3].is_empty()
        && p[4].len() == 12
        && p[4].bytes().all(|b| b.is_ascii_digit())
        && p[5].starts_with("role/")
        && p[5].len() > 5
}

pub(crate) const ROLE_ARN_EXAMPLE: &str = "arn:aws:iam::123456789012:role/mesh-admin";
const SESSION_NAME_RULE: &str = "use 2 to 64 characters of letters, digits and +=,.@_-.";

pub(crate) fn is_session_name(s: &str) -> bool {
    (2..=64).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+=,.@_-".contains(&b))
}

/// Checks every attribute that is known; unknown values are checked at configure time.
pub fn validate(config: &Value, diags: &mut Diagnostics) {
    let at = AttributePath::root;
    string_matches(
        config.get("region"),
        at("region"),
        is_region,
        "expected an AWS region name such as \"eu-west-2\".",
        diags,
    );
    let ak = config.get("access_key");
    let sk = config.get("secret_key");
    if !ak.is_unknown() && !sk.is_unknown() && ak.is_null() != sk.is_null() {
        let (set, missing) = if ak.is_null() {
            ("secret_key", "access_key")
        } else {
            ("access_key", "secret_key")
        };
        diags.error_at(
            at(missing),
            format!("Missing {missing}"),
            format!("{set} is set but {missing} is not; set both, or neither to use a profile or the environment."),
        );
    }
    for service in ["ec2", "sts"] {
        let path = at("endpoints").attr(service);
        endpoint::check(config.get("endpoints").get(service), path, diags);
    }
    let role = config.get("assume_role");
    string_matches(
        role.get("role_arn"),
        at("assume_role").attr("role_arn"),
        is_role_arn,
        &format!("expected an IAM role ARN such as \"{ROLE_ARN_EXAMPLE}\"."),
        diags,
    );
    string_matches(
        role.get("session_name"),
        at("assume_role").attr("session_name"),
        is_session_name,
        SESSION_NAME_RULE,
        diags,
    );
    accounts::validate(config.get("accounts"), diags);
    int_in_range(config.get("max_retries"), at("max_retries"), 0, 50, diags);
    int_in_range(
        config.get("max_concurrency"),
        at("max_concurrency"),
        1,
        64,
        diags,
    );
    if let Some(tags) = config.get("default_tags").as_map() {
        for key in tags.keys() {
            if key.starts_with("aws:") || key.starts_with("peering:") {
                diags.error_at(
                    at("default_tags").key(key.clone()),
                    "Reserved tag key",
                    format!("Tag key {key:?} uses a reserved prefix: `aws:` belongs to AWS and `peering:` to this provider. Rename the tag."),
                );
            }
        }
    }
    let q = config.get("quotas");
    int_in_range(
        q.get("peerings_per_vpc"),
        at("quotas").attr("peerings_per_vpc"),
        1,
        125,
        diags,
    );
    int_in_range(
        q.get("routes_per_route_table"),
        at("quotas").attr("routes_per_route_table"),
        1,
        1000,
        diags,
    );
    int_in_range(
        q.get("rules_per_security_group"),
        at("quotas").attr("rules_per_security_group"),
        1,
        1000,
        diags,
    );
    for per_region in ["vpcs_per_region", "internet_gateways_per_region"] {
        int_in_range(
            q.get(per_region),
            at("quotas").attr(per_region),
            1,
            1000,
            diags,
        );
    }
}

#[derive(Deserialize)]
struct Raw {
    region: Option<String>,
    profile: Option<String>,
    access_key: Option<String>,
    secret_key: Option<String>,
    endpoints: Option<RawEndpoints>,
    assume_role: Option<RawAssumeRole>,
    max_retries: Option<i64>,
    max_concurrency: Option<i64>,
    default_tags: Option<BTreeMap<String, String>>,
    quotas: Option<RawQuotas>,
    accounts: Option<BTreeMap<String, accounts::RawAccount>>,
}

#[derive(Deserialize)]
struct RawEndpoints {
    ec2: Option<String>,
    sts: Option<String>,
}

#[derive(Deserialize)]
struct RawAssumeRole {
    role_arn: String,
    session_name: Option<String>,
    external_id: Option<String>,
}

impl From<RawAssumeRole> for AssumeRole {
    fn from(r: RawAssumeRole) -> Self {
        AssumeRole {
            role_arn: r.role_arn,
            session_name: r.session_name,
            external_id: r.external_id,
        }
    }
}

#[derive(Deserialize)]
struct RawQuotas {
    peerings_per_vpc: Option<i64>,
    routes_per_route_table: Option<i64>,
    rules_per_security_group: Option<i64>,
    vpcs_per_region: Option<i64>,
    internet_gateways_per_region: Option<i64>,
}

/// Validates and resolves the final configuration, with environment fallbacks.
pub fn resolve(
    config: &Value,
    env: impl Fn(&str) -> Option<String>,
    diags: &mut Diagnostics,
) -> Option<ProviderConfig> {
    validate(config, diags);
    if diags.has_errors() {
        return None;
    }
    let raw: Raw = match config.decode() {
        Ok(r) => r,
        Err(e) => {
            diags.push(e.diagnostic(
                "Provider configuration is not fully known",
                format!("{e}. Provider settings must be known before planning; avoid values computed by resources."),
            ));
            return None;
        }
    };
    let non_empty = |v: Option<String>| v.filter(|s| !s.is_empty());
    // The generic AWS_ENDPOINT_URL applies to every service, as in the AWS SDKs and CLI.
    let endpoint_env = |specific: &str, diags: &mut Diagnostics| {
        let (variable, text) = [specific, "AWS_ENDPOINT_URL"]
            .into_iter()
            .find_map(|variable| non_empty(env(variable)).map(|text| (variable, text)))?;
        endpoint::check_env(variable, &text, diags);
        Some(text)
    };
    let (ec2, sts) = raw.endpoints.map_or((None, None), |e| (e.ec2, e.sts));
    let ec2_endpoint = ec2.or_else(|| endpoint_env("AWS_ENDPOINT_URL_EC2", diags));
    let sts_endpoint = sts.or_else(|| endpoint_env("AWS_ENDPOINT_URL_STS", diags));
    if diags.has_errors() {
        return None;
    }
    let defaults = Quotas::default();
    let q = raw.quotas;
    let quota = |f: fn(&RawQuotas) -> Option<i64>, d: i64| q.as_ref().and_then(f).unwrap_or(d);
    Some(ProviderConfig {
        aws: AwsSettings {
            region: raw
                .region
                .or_else(|| non_empty(env("AWS_REGION")))
                .or_else(|| non_empty(env("AWS_DEFAULT_REGION"))),
            profile: raw.profile,
            access_key: raw.access_key,
            secret_key: raw.secret_key,
            ec2_endpoint,
            sts_endpoint,
            assume_role: raw.assume_role.map(AssumeRole::from),
            max_retries: raw.max_retries.unwrap_or(DEFAULT_MAX_RETRIES),
            max_concurrency: raw.max_concurrency.unwrap_or(DEFAULT_MAX_CONCURRENCY),
            accounts: accounts::resolve(raw.accounts),
        },
        default_tags: raw.default_tags.unwrap_or_default(),
        quotas: Quotas {
            peerings_per_vpc: quota(|q| q.peerings_per_vpc, defaults.peerings_per_vpc),
            routes_per_route_table: quota(
                |q| q.routes_per_route_table,
                defaults.routes_per_route_table,
            ),
            rules_per_security_group: quota(
                |q| q.rules_per_security_group,
                defaults.rules_per_security_group,
            ),
            vpcs_per_region: quota(|q| q.vpcs_per_region, defaults.vpcs_per_region),
            internet_gateways_per_region: quota(
                |q| q.internet_gateways_per_region,
                defaults.internet_gateways_per_region,
            ),
        },
    })
}

#[cfg(test)]
mod tests;
