//! How the resource gets an EC2 client: built lazily from the provider configuration on
//! first use (configuring the provider never calls AWS), then shared by every call.

use std::sync::Arc;

use async_trait::async_trait;

use crate::config::ProviderConfig;
use crate::ec2::Ec2;

/// A client and the region VPCs without `region` go to.
#[derive(Clone)]
pub struct Connection {
    pub ec2: Arc<dyn Ec2>,
    pub region: String,
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
