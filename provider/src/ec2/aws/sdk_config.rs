//! From the provider configuration to the AWS SDK configuration shared by every
//! regional client: credentials (static keys, profile, the default chain, then an
//! optional assumed role), endpoint override, and retries switched off in the SDK
//! because [`crate::ec2::retry`] is the one retry policy.
//!
//! Endpoint override: `endpoints.ec2` is applied to every AWS service the provider
//! talks to, i.e. to STS as well (GetCallerIdentity for the account id, AssumeRole).
//! Local emulators such as moto serve all services on one port, so that is what a
//! local endpoint needs; with real AWS, leave it unset.

use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::sts::AssumeRoleProvider;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_credential_types::Credentials;

use crate::config::ProviderConfig;

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

/// Loads the shared SDK configuration (reads profiles and the environment; with an
/// assumed role, the role's credentials are fetched lazily on first use).
pub async fn load(config: &ProviderConfig) -> SdkConfig {
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .retry_config(RetryConfig::disabled())
        .timeout_config(timeouts());
    if let Some(region) = &config.region {
        loader = loader.region(Region::new(region.clone()));
    }
    if let Some(profile) = &config.profile {
        loader = loader.profile_name(profile);
    }
    if let (Some(access_key), Some(secret_key)) = (&config.access_key, &config.secret_key) {
        let keys = Credentials::new(access_key, secret_key, None, None, STATIC_KEYS_SOURCE);
        loader = loader.credentials_provider(keys);
    }
    if let Some(endpoint) = &config.ec2_endpoint {
        loader = loader.endpoint_url(endpoint);
    }
    let base = loader.load().await;
    let Some(role) = &config.assume_role else {
        return base;
    };
    let mut builder = AssumeRoleProvider::builder(role.role_arn.clone()).configure(&base);
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

/// The EC2 client configuration for one region.
pub fn ec2_client(base: &SdkConfig, region: &str) -> aws_sdk_ec2::Client {
    let conf = aws_sdk_ec2::config::Builder::from(base)
        .region(Region::new(region.to_string()))
        .build();
    aws_sdk_ec2::Client::from_conf(conf)
}

/// The STS client, in the configured region or [`FALLBACK_REGION`].
pub fn sts_client(base: &SdkConfig) -> aws_sdk_sts::Client {
    let region = base
        .region()
        .cloned()
        .unwrap_or_else(|| Region::new(FALLBACK_REGION));
    let conf = aws_sdk_sts::config::Builder::from(base)
        .region(region)
        .build();
    aws_sdk_sts::Client::from_conf(conf)
}
