//! The idiomatic side of the protocol: traits a provider, its resources and its data
//! sources implement. They see [`Value`]s, [`Schema`]s and [`Diagnostics`], never protobuf
//! or msgpack. Diagnostics are accumulated on the `diags` argument, so one call can report
//! every problem it finds.

use std::sync::Arc;

use async_trait::async_trait;
use tokio_util::sync::CancellationToken;

use crate::diag::{AttributePath, Diagnostic, Diagnostics};
use crate::schema::Schema;
use crate::value::Value;

/// What every operation gets besides its inputs.
#[derive(Clone, Debug)]
pub struct Context {
    /// Fires when Terraform calls StopProvider (e.g. the user pressed Ctrl-C) or the plugin
    /// is shutting down. Long operations must watch it and return promptly.
    pub cancel: CancellationToken,
}

/// Facts about the calling Terraform that change what a provider may answer.
#[derive(Clone, Debug, Default)]
pub struct ClientCapabilities {
    /// Terraform can handle deferred actions (protocol 6.6+).
    pub deferral_allowed: bool,
}

#[async_trait]
pub trait Provider: Send + Sync + 'static {
    /// The provider configuration schema (the `provider "NAME" {}` block).
    fn schema(&self) -> Schema;

    /// Static checks of the provider configuration; values may be unknown.
    async fn validate_config(&self, config: &Value, diags: &mut Diagnostics);

    /// Called once with the final configuration before resources are used.
    async fn configure(&self, ctx: &Context, config: &Value, diags: &mut Diagnostics);

    /// The version of the Terraform that drives this process (ConfigureProvider's
    /// `terraform_version`, e.g. "1.0.3"), told just before [`Provider::configure`], for
    /// providers that must work around a bug of some versions. The default ignores it.
    fn terraform_version(&self, _version: &str) {}

    fn resources(&self) -> Vec<Arc<dyn Resource>>;

    fn data_sources(&self) -> Vec<Arc<dyn DataSource>>;
}

#[async_trait]
pub trait DataSource: Send + Sync {
    /// Full type name including the provider prefix, e.g. `peering_connectivity`.
    fn type_name(&self) -> &'static str;

    fn schema(&self) -> Schema;

    /// Static checks of a configuration; values may be unknown.
    async fn validate(&self, config: &Value, diags: &mut Diagnostics);

    /// Reads the data source. `config` is wholly known. Returns the new state (an object
    /// of the schema's type) or `None` when errors prevented reading.
    async fn read(&self, ctx: &Context, config: &Value, diags: &mut Diagnostics) -> Option<Value>;
}

/// What PlanResourceChange gets: `prior` is Null on create, `proposed` is Null on destroy.
#[derive(Clone, Debug)]
pub struct PlanRequest {
    pub prior: Value,
    pub proposed: Value,
    pub config: Value,
    pub prior_private: Vec<u8>,
}

#[derive(Clone, Debug, Default)]
pub struct PlanResponse {
    pub planned: Value,
    pub requires_replace: Vec<AttributePath>,
    pub planned_private: Vec<u8>,
}

/// What ApplyResourceChange gets: `planned` is Null on destroy.
#[derive(Clone, Debug)]
pub struct ApplyRequest {
    pub prior: Value,
    pub planned: Value,
    pub config: Value,
    pub planned_private: Vec<u8>,
}

#[derive(Clone, Debug, Default)]
pub struct ApplyResponse {
    /// What really exists after the apply, also when it failed half-way (Terraform saves
    /// it with the error diagnostics). Null after a complete destroy.
    pub new_state: Value,
    pub private: Vec<u8>,
}

#[derive(Clone, Debug, Default)]
pub struct ReadResponse {
    /// Null when the remote object is gone; Terraform then plans to create it again.
    pub new_state: Value,
    pub private: Vec<u8>,
}

#[async_trait]
pub trait Resource: Send + Sync {
    fn type_name(&self) -> &'static str;

    fn schema(&self) -> Schema;

    async fn validate(&self, config: &Value, diags: &mut Diagnostics);

    /// Converts stored state of `version` (as its JSON) to the current schema. The default
    /// accepts state written by the current schema version only.
    async fn upgrade_state(
        &self,
        version: i64,
        json: &[u8],
        diags: &mut Diagnostics,
    ) -> Option<Value> {
        let schema = self.schema();
        if version > schema.version {
            diags.push(Diagnostic::error(
                "State written by a newer provider",
                format!(
                    "The state of this {} has schema version {version}, newer than this provider's {}. Upgrade the provider.",
                    self.type_name(),
                    schema.version
                ),
            ));
            return None;
        }
        // State of an older version may still hold attributes that were removed since.
        let decoded = if version < schema.version {
            crate::value::json::decode_ignoring_undefined(json, &schema.value_type())
        } else {
            crate::value::json::decode(json, &schema.value_type())
        };
        match decoded {
            Ok(v) => Some(v),
            Err(e) => {
                diags.push(Diagnostic::error(
                    "Stored state does not match the schema",
                    format!(
                        "Could not read the stored state of this {}: {e}",
                        self.type_name()
                    ),
                ));
                None
            }
        }
    }

    async fn read(
        &self,
        ctx: &Context,
        state: &Value,
        private: &[u8],
        diags: &mut Diagnostics,
    ) -> ReadResponse;

    async fn plan(&self, ctx: &Context, req: PlanRequest, diags: &mut Diagnostics) -> PlanResponse;

    async fn apply(
        &self,
        ctx: &Context,
        req: ApplyRequest,
        diags: &mut Diagnostics,
    ) -> ApplyResponse;

    /// Builds state from an import id; returns Null when nothing was found.
    async fn import(&self, ctx: &Context, id: &str, diags: &mut Diagnostics) -> ReadResponse {
        let _ = (ctx, id);
        diags.push(Diagnostic::error(
            "Import not supported",
            format!("{} cannot be imported.", self.type_name()),
        ));
        ReadResponse::default()
    }
}

/// Responses start out describing "nothing": a Null value.
impl Default for Value {
    fn default() -> Self {
        Value::Null
    }
}
