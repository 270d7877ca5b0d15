//! How the resource gets an EC2 client: built lazily from the provider configuration on
//! first use (configuring the provider never calls AWS), then shared by every call.

use std::sync::Arc;

use async_trait::async_trait;
use aws_config::meta::region::ProvideRegion;
use aws_config::profile::ProfileFileRegionProvider;

use crate::config::ProviderConfig;
use crate::ec2::{AwsEc2, CallCounter, Ec2};

/// A client and the region VPCs without `region` go to.
#[derive(Clone)]
pub struct Connection {
    pub ec2: Arc<dyn Ec2>,
    pub region: String,
    /// Counts the client's requests, when it can (logged per Terraform call).
    pub counter: Option<CallCounter>,
}

#[async_trait]
pub trait Connector: Send + Sync {
    /// Builds a client for the configured provider. The error is shown to the user as
    /// is: it must name the fix and carry no secret.
    async fn connect(&self, config: &ProviderConfig) -> Result<Connection, String>;
}

/// Always hands out the same client: for tests, and for embedding the provider with a
/// client built elsewhere.
pub struct FixedConnector(pub Connection);

#[async_trait]
impl Connector for FixedConnector {
    async fn connect(&self, _config: &ProviderConfig) -> Result<Connection, String> {
        Ok(self.0.clone())
    }
}

/// Builds an [`AwsEc2`] from the provider configuration. The default region is the
/// configured one (which already includes `AWS_REGION` / `AWS_DEFAULT_REGION`) or the
/// profile's; the instance metadata service is never asked.
pub struct AwsConnector;

#[async_trait]
impl Connector for AwsConnector {
    async fn connect(&self, config: &ProviderConfig) -> Result<Connection, String> {
        let region = match &config.region {
            Some(region) => region.clone(),
            None => profile_region(config.profile.as_deref()).await.ok_or_else(|| {
                "No AWS region is configured. Set region in the provider \"peering\" block, AWS_REGION in the environment, or region in your AWS profile.".to_string()
            })?,
        };
        let ec2 = AwsEc2::new(config);
        Ok(Connection {
            counter: Some(ec2.counter()),
            ec2: Arc::new(ec2),
            region,
        })
    }
}

async fn profile_region(profile: Option<&str>) -> Option<String> {
    let mut builder = ProfileFileRegionProvider::builder();
    if let Some(name) = profile {
        builder = builder.profile_name(name);
    }
    builder.build().region().await.map(|r| r.to_string())
}
