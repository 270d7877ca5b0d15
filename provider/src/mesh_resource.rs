//! Resource `peering_mesh`: the adapter between Terraform and the mesh engine. It turns
//! configuration and state into a [`crate::mesh::model::Mesh`], asks the pure planner
//! what to do (at plan time against the inventory kept in private state, at apply time
//! against a fresh one), runs the plan on EC2 and reports what was actually reached.
//!
//! Submodules: `schema` (the contract), `parse` (values to a mesh), `state` (a mesh and
//! the components' ids back to a value; `ids` its flat id maps), `plan`, `apply`, `read` (read and import), and
//! their helpers `inputs` (engine inputs from state), `validation` (the mesh's problems
//! as diagnostics), `drift`, `meta` (settings kept as tags), `private`, `timeouts`.
//! The EC2 client is the provider's ([`crate::ec2::access`]); the mesh is found in EC2
//! by [`crate::mesh::discover`].

mod apply;
mod drift;
mod ids;
mod inputs;
mod meta;
mod ownership;
mod parse;
mod plan;
mod private;
mod read;
mod run;
mod schema;
mod state;
#[cfg(test)]
pub(crate) mod tests;
mod timeouts;
mod validation;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use async_trait::async_trait;
use tfplugin::diag::{Diagnostic, Diagnostics};
use tfplugin::provider::{
    ApplyRequest, ApplyResponse, Context, PlanRequest, PlanResponse, ReadResponse, Resource,
};
use tfplugin::schema::Schema;
use tfplugin::value::Value;

use crate::config::ProviderConfig;
use crate::ec2::access::{ConnectError, Connection, Ec2Access};
use crate::mesh::validate::Quotas;
use validation::validate;

pub const TYPE_NAME: &str = "peering_mesh";

pub struct MeshResource {
    /// The provider's configuration and its EC2 client, shared with the data sources.
    access: Arc<Ec2Access<ProviderConfig>>,
    /// See [`MeshResource::set_terraform_version`].
    legacy_nested_plans: AtomicBool,
}

impl MeshResource {
    pub fn new(access: Arc<Ec2Access<ProviderConfig>>) -> Self {
        MeshResource {
            access,
            legacy_nested_plans: AtomicBool::new(false),
        }
    }

    /// Tells the resource which Terraform drives it (ConfigureProvider's
    /// `terraform_version`). Terraform 1.0.0 to 1.0.5 crash on a planned map nested
    /// attribute that differs from both the configuration and the prior state (Terraform
    /// issue 29473, fixed in 1.0.6); with those versions `vpcs` is planned as written or
    /// as it was, and its computed values are filled in by the next refresh. The
    /// top-level id maps (`ids.rs`) are plain maps, filled by the apply itself.
    pub fn set_terraform_version(&self, version: &str) {
        let legacy = legacy_nested_plans(version);
        if legacy {
            tracing::info!(version, "Terraform before 1.0.6: vpcs is planned as written; its ids appear after the next refresh, the top-level id maps after the apply");
        }
        self.legacy_nested_plans.store(legacy, Ordering::Relaxed);
    }

    fn legacy_nested_plans(&self) -> bool {
        self.legacy_nested_plans.load(Ordering::Relaxed)
    }

    fn provider_config(&self) -> Option<ProviderConfig> {
        self.access.provider_config()
    }

    /// The provider configuration and a client, or an error diagnostic saying why not.
    async fn connect(&self, diags: &mut Diagnostics) -> Option<(ProviderConfig, Connection)> {
        match self.access.connect().await {
            Ok(connected) => Some(connected),
            Err(ConnectError::NotConfigured) => {
                diags.push(Diagnostic::error(
                    "Provider not configured",
                    "The peering provider has no configuration yet, so peering_mesh cannot call EC2. Check the provider \"peering\" block; its values must be known before apply.",
                ));
                None
            }
            Err(ConnectError::Failed(e)) => {
                diags.push(Diagnostic::error("Cannot reach EC2", e));
                None
            }
        }
    }
}

/// Terraform 1.0.0 to 1.0.5 (major.minor.patch, any pre-release suffix).
pub(crate) fn legacy_nested_plans(version: &str) -> bool {
    let mut parts = version.trim_start_matches('v').split(['.', '-']);
    let mut next = || parts.next().and_then(|p| p.parse::<u32>().ok());
    matches!((next(), next(), next()), (Some(1), Some(0), Some(patch)) if patch < 6)
}

/// Parses and checks a configuration; unknown values are checked once known.
fn check_config(config: &Value, quotas: &Quotas, diags: &mut Diagnostics) -> parse::Parsed {
    let parsed = parse::parse(config, diags);
    timeouts::from_config(config.get("timeouts"), diags);
    if let Some(view) = parsed.validation_view() {
        validate(&view, quotas, diags);
    }
    parsed
}

#[async_trait]
impl Resource for MeshResource {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema::schema()
    }

    async fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        // The provider is not configured at validation time, so its quotas are not
        // known yet: they are checked when planning.
        check_config(config, &Quotas::unlimited(), diags);
    }

    async fn read(
        &self,
        ctx: &Context,
        state: &Value,
        private: &[u8],
        diags: &mut Diagnostics,
    ) -> ReadResponse {
        self.access
            .metered("ReadResource", read::read(self, ctx, state, private, diags))
            .await
    }

    async fn plan(
        &self,
        _ctx: &Context,
        req: PlanRequest,
        diags: &mut Diagnostics,
    ) -> PlanResponse {
        plan::plan(self, req, diags).await
    }

    async fn apply(
        &self,
        ctx: &Context,
        req: ApplyRequest,
        diags: &mut Diagnostics,
    ) -> ApplyResponse {
        self.access
            .metered("ApplyResourceChange", apply::apply(self, ctx, req, diags))
            .await
    }

    async fn import(&self, ctx: &Context, id: &str, diags: &mut Diagnostics) -> ReadResponse {
        self.access
            .metered("ImportResourceState", read::import(self, ctx, id, diags))
            .await
    }
}
