//! The `peering` provider: configuration plus the resources and data sources it offers.

use std::sync::{Arc, RwLock};

use async_trait::async_trait;
use tfplugin::diag::Diagnostics;
use tfplugin::provider::{Context, DataSource, Provider, Resource};
use tfplugin::schema::Schema;
use tfplugin::value::Value;

use crate::config::{self, ProviderConfig};
use crate::connectivity::Connectivity;
use crate::ec2::access::{AwsConnector, Connector, Ec2Access};
use crate::mesh_resource::MeshResource;
use crate::probe::{IcmpProber, Prober};

pub struct PeeringProvider {
    /// Set by ConfigureProvider; read by resources that call AWS.
    config: Arc<RwLock<Option<ProviderConfig>>>,
    prober: Arc<dyn Prober>,
    /// The EC2 client of `peering_mesh` and `peering_connectivity`, built once.
    access: Arc<Ec2Access<ProviderConfig>>,
    /// Shared by every operation.
    mesh: Arc<MeshResource>,
}

impl PeeringProvider {
    pub fn new() -> Self {
        Self::with_prober(Arc::new(IcmpProber::new()))
    }

    pub fn with_prober(prober: Arc<dyn Prober>) -> Self {
        let config = Arc::new(RwLock::new(None));
        let access = Arc::new(Ec2Access::new(config.clone(), Arc::new(AwsConnector)));
        PeeringProvider {
            config,
            prober,
            mesh: Arc::new(MeshResource::new(access.clone())),
            access,
        }
    }

    /// Uses `connector` for EC2 clients instead of aws-sdk-ec2 (tests, embedding).
    pub fn with_connector(mut self, connector: Arc<dyn Connector>) -> Self {
        self.access = Arc::new(Ec2Access::new(self.config.clone(), connector));
        self.mesh = Arc::new(MeshResource::new(self.access.clone()));
        self
    }

    /// The configuration Terraform gave, once configured.
    pub fn configured(&self) -> Option<ProviderConfig> {
        self.config.read().expect("config lock").clone()
    }
}

impl Default for PeeringProvider {
    fn default() -> Self {
        Self::new()
    }
}

#[async_trait]
impl Provider for PeeringProvider {
    fn schema(&self) -> Schema {
        config::schema()
    }

    async fn validate_config(&self, config: &Value, diags: &mut Diagnostics) {
        config::validate(config, diags);
    }

    /// `peering_mesh` plans differently for Terraform 1.0.0-1.0.5.
    fn terraform_version(&self, version: &str) {
        self.mesh.set_terraform_version(version);
    }

    async fn configure(&self, _ctx: &Context, config: &Value, diags: &mut Diagnostics) {
        if let Some(resolved) = config::resolve(config, |k| std::env::var(k).ok(), diags) {
            resolved.register_secrets();
            tracing::debug!(config = ?resolved, "provider configured");
            *self.config.write().expect("config lock") = Some(resolved);
        }
    }

    fn resources(&self) -> Vec<Arc<dyn Resource>> {
        vec![self.mesh.clone()]
    }

    fn data_sources(&self) -> Vec<Arc<dyn DataSource>> {
        let connectivity = Connectivity::new(self.prober.clone()).with_ec2(self.access.clone());
        vec![Arc::new(connectivity)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Terraform refuses a provider whose schema breaks its rules, only when it loads it.
    #[test]
    fn every_schema_is_one_terraform_accepts() {
        let p = PeeringProvider::new();
        let mut problems = p.schema().block.problems();
        for r in p.resources() {
            let found = r.schema().block.problems();
            problems.extend(found.into_iter().map(|m| format!("{}: {m}", r.type_name())));
        }
        for d in p.data_sources() {
            let found = d.schema().block.problems();
            problems.extend(found.into_iter().map(|m| format!("{}: {m}", d.type_name())));
        }
        assert!(problems.is_empty(), "{problems:#?}");
    }
}
