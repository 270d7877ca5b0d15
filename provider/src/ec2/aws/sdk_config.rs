//! From the AWS settings to the SDK configuration shared by every regional client of
//! one account: credentials (static keys, profile, the default chain, then an optional
//! assumed role; for another account of `accounts`, its role assumed with those
//! credentials, or its own profile), endpoint override, and retries switched off in the SDK
//! because [`crate::ec2::retry`] is the one retry policy.
//!
//! Endpoint overrides are per service: `endpoints.ec2` for the EC2 clients only and
//! `endpoints.sts` for STS only (GetCallerIdentity for the account id, and AssumeRole),
//! so credentials are never sent to an EC2 endpoint for STS. Without `endpoints.sts`,
//! STS is AWS's own. A local emulator such as moto serving every service on one port is
//! named twice.

use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::sts::AssumeRoleProvider;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_credential_types::Credentials;
use aws_sdk_ec2::config::SharedHttpClient;
use aws_smithy_http_client::tls::{rustls_provider::CryptoMode, Provider};

use crate::ec2::access::{AccountAccess, AssumeRole, AwsSettings};

/// Region for STS when neither the configuration nor the environment names one.
pub const FALLBACK_REGION: &str = "us-east-1";

/// Name the static keys are reported under in SDK logs (never the keys themselves).
const STATIC_KEYS_SOURCE: &str = "peering-provider-config";

fn timeouts() -> TimeoutConfig {
    TimeoutConfig::builder()
        .connect_timeout(Duration::from_secs(10))
        .operation_attempt_timeout(Duration::from_secs(60))
        .build()
}

/// The one HTTP client of every AWS call (EC2, STS, SSO, instance metadata): hyper 1
/// and rustls on ring, trusting the system's certificates. The AWS crates are built
/// without their default clients so that the build has one HTTP stack and one crypto
/// provider; a client made without this one would have no HTTP client at all.
pub fn https_client() -> SharedHttpClient {
    aws_smithy_http_client::Builder::new()
        .tls_provider(Provider::Rustls(CryptoMode::Ring))
        .build_https()
}

/// Loads the shared SDK configuration of one account (reads profiles and the
/// environment; with an assumed role, the role's credentials are fetched lazily on first
/// use). `account` None is the provider's own account; another account's role is
/// assumed with the provider's own credentials, its profile is read on its own.
pub async fn load(settings: &AwsSettings, account: Option<&AccountAccess>) -> SdkConfig {
    match account {
        None => own(settings).await,
        Some(AccountAccess::AssumeRole(role)) => {
            let own = own(settings).await;
            assume(settings, own, role).await
        }
        Some(AccountAccess::Profile(name)) => loader(settings).profile_name(name).load().await,
    }
}

fn loader(settings: &AwsSettings) -> aws_config::ConfigLoader {
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .http_client(https_client())
        .retry_config(RetryConfig::disabled())
        .timeout_config(timeouts());
    if let Some(region) = &settings.region {
        loader = loader.region(Region::new(region.clone()));
    }
    loader
}

/// The provider's own credentials: static keys, profile or the default chain, then its
/// own `assume_role` when set.
async fn own(settings: &AwsSettings) -> SdkConfig {
    let mut loader = loader(settings);
    if let Some(profile) = &settings.profile {
        loader = loader.profile_name(profile);
    }
    if let (Some(access_key), Some(secret_key)) = (&settings.access_key, &settings.secret_key) {
        let keys = Credentials::new(access_key, secret_key, None, None, STATIC_KEYS_SOURCE);
        loader = loader.credentials_provider(keys);
    }
    let base = loader.load().await;
    match &settings.assume_role {
        Some(role) => assume(settings, base, role).await,
        None => base,
    }
}

/// `base` with `role`'s credentials, assumed with `base`'s own.
async fn assume(settings: &AwsSettings, base: SdkConfig, role: &AssumeRole) -> SdkConfig {
    // The role's STS client is built from this configuration: it gets the STS endpoint.
    let mut for_sts = base.to_builder();
    for_sts.set_endpoint_url(settings.sts_endpoint.clone());
    let mut builder =
        AssumeRoleProvider::builder(role.role_arn.clone()).configure(&for_sts.build());
    if base.region().is_none() {
        builder = builder.region(Region::new(FALLBACK_REGION));
    }
    if let Some(name) = &role.session_name {
        builder = builder.session_name(name.clone());
    }
    if let Some(external_id) = &role.external_id {
        builder = builder.external_id(external_id.clone());
    }
    let assumed = builder.build().await;
    base.into_builder()
        .credentials_provider(SharedCredentialsProvider::new(assumed))
        .build()
}

/// The EC2 client configuration for one region, on `endpoint` when one is configured.
pub fn ec2_client(base: &SdkConfig, endpoint: Option<&str>, region: &str) -> aws_sdk_ec2::Client {
    let mut conf = aws_sdk_ec2::config::Builder::from(base).region(Region::new(region.to_string()));
    conf.set_endpoint_url(endpoint.map(str::to_string));
    let conf = conf.build();
    aws_sdk_ec2::Client::from_conf(conf)
}

/// The STS client, in the configured region or [`FALLBACK_REGION`], on `endpoint` when one
/// is configured.
pub fn sts_client(base: &SdkConfig, endpoint: Option<&str>) -> aws_sdk_sts::Client {
    let region = base
        .region()
        .cloned()
        .unwrap_or_else(|| Region::new(FALLBACK_REGION));
    let mut conf = aws_sdk_sts::config::Builder::from(base).region(region);
    conf.set_endpoint_url(endpoint.map(str::to_string));
    let conf = conf.build();
    aws_sdk_sts::Client::from_conf(conf)
}
