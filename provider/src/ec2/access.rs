//! How resources and data sources get an EC2 client: built lazily from the provider
//! configuration on first use (configuring the provider never calls AWS), then shared by
//! every call of every resource and data source of the provider process, so they share
//! one pacing of requests too. Every Terraform call that reaches EC2 is logged with its
//! request counts (`meter`).

mod meter;
mod settings;

use std::sync::{Arc, RwLock};

use async_trait::async_trait;
use aws_config::meta::region::ProvideRegion;
use aws_config::profile::ProfileFileRegionProvider;

use crate::ec2::accounts::{Account, AccountsEc2};
use crate::ec2::{AwsEc2, CallCounter, Ec2};

pub use settings::{AccountAccess, AssumeRole, AwsSettings};

/// What the provider was configured with, as far as EC2 access goes: the provider's
/// configuration type implements it, so this layer reads the AWS settings without
/// knowing the provider block.
pub trait HasAwsSettings: Clone + Send + Sync + 'static {
    fn aws(&self) -> &AwsSettings;
}

impl HasAwsSettings for AwsSettings {
    fn aws(&self) -> &AwsSettings {
        self
    }
}

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
    async fn connect(&self, settings: &AwsSettings) -> Result<Connection, String>;
}

/// Why no client could be had.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnectError {
    /// ConfigureProvider has not run (or its values were not known).
    NotConfigured,
    /// The connector failed; the message names the fix.
    Failed(String),
}

/// The provider configuration (set by ConfigureProvider) and the client built from it
/// on first use. One per provider, shared by `peering_mesh` and `peering_connectivity`.
pub struct Ec2Access<C> {
    config: Arc<RwLock<Option<C>>>,
    connector: Arc<dyn Connector>,
    connection: tokio::sync::Mutex<Option<Connection>>,
}

impl<C: HasAwsSettings> Ec2Access<C> {
    pub fn new(config: Arc<RwLock<Option<C>>>, connector: Arc<dyn Connector>) -> Self {
        Ec2Access {
            config,
            connector,
            connection: tokio::sync::Mutex::new(None),
        }
    }

    pub fn provider_config(&self) -> Option<C> {
        self.config
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// The configuration and the client, built now if this is the first call.
    pub async fn connect(&self) -> Result<(C, Connection), ConnectError> {
        let config = self.provider_config().ok_or(ConnectError::NotConfigured)?;
        let mut cached = self.connection.lock().await;
        if let Some(conn) = cached.as_ref() {
            return Ok((config, conn.clone()));
        }
        let conn = self
            .connector
            .connect(config.aws())
            .await
            .map_err(ConnectError::Failed)?;
        *cached = Some(conn.clone());
        Ok((config, conn))
    }

    /// The client, if one was built already (never builds one).
    pub async fn connected(&self) -> Option<Connection> {
        self.connection.lock().await.clone()
    }
}

/// Always hands out the same client: for tests, and for embedding the provider with a
/// client built elsewhere.
pub struct FixedConnector(pub Connection);

#[async_trait]
impl Connector for FixedConnector {
    async fn connect(&self, _settings: &AwsSettings) -> Result<Connection, String> {
        Ok(self.0.clone())
    }
}

/// Builds an [`AwsEc2`] from the provider configuration, and with `accounts` one more per
/// account behind an [`AccountsEc2`]. The default region is the
/// configured one (which already includes `AWS_REGION` / `AWS_DEFAULT_REGION`) or the
/// profile's; the instance metadata service is never asked.
pub struct AwsConnector;

#[async_trait]
impl Connector for AwsConnector {
    async fn connect(&self, config: &AwsSettings) -> Result<Connection, String> {
        let region = match &config.region {
            Some(region) => region.clone(),
            None => profile_region(config.profile.as_deref()).await.ok_or_else(|| {
                "No AWS region is configured. Set region in the provider \"peering\" block, AWS_REGION in the environment, or region in your AWS profile.".to_string()
            })?,
        };
        let own = AwsEc2::new(config);
        let counter = own.counter();
        if config.accounts.is_empty() {
            return Ok(Connection {
                counter: Some(counter),
                ec2: Arc::new(own),
                region,
            });
        }
        // One client per account, each pacing itself (EC2 throttles per account), all
        // counting together.
        let others = config
            .accounts
            .iter()
            .map(|(key, access)| {
                let client = AwsEc2::for_account(config, access).with_counter(counter.clone());
                let account = Account {
                    client: Arc::new(client),
                    via: access.describe(),
                    expected_id: access.expected_account_id().map(str::to_string),
                };
                (key.clone(), account)
            })
            .collect();
        Ok(Connection {
            counter: Some(counter),
            ec2: Arc::new(AccountsEc2::new(Arc::new(own), others)),
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
