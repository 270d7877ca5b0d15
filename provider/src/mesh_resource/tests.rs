//! Tests of `peering_mesh` through the [`Resource`] trait against [`FakeEc2`], the way
//! Terraform drives it: validate, plan (checked against Terraform's plan rules), apply
//! (checked against its consistency rules), read, import.

mod accounts;
mod config;
mod drift;
mod failure;
mod ids;
mod import_destroy;
mod ipv6;
mod legacy;
mod lifecycle;
mod rules;
mod values;

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

use tfplugin::diag::{Diagnostics, Severity};
use tfplugin::provider::{ApplyRequest, Context, PlanRequest, Resource};
use tfplugin::value::Value;
use tokio_util::sync::CancellationToken;

use super::MeshResource;
use crate::config::{AwsSettings, ProviderConfig, Quotas};
use crate::ec2::access::{Connection, Ec2Access, FixedConnector};
use crate::ec2::FakeEc2;

pub const REGION: &str = "eu-west-2";

pub fn provider_config() -> ProviderConfig {
    ProviderConfig {
        aws: AwsSettings {
            region: Some(REGION.to_string()),
            profile: None,
            access_key: None,
            secret_key: None,
            ec2_endpoint: None,
            sts_endpoint: None,
            assume_role: None,
            max_retries: 0,
            max_concurrency: 4,
            accounts: BTreeMap::new(),
        },
        default_tags: BTreeMap::from([("owner".to_string(), "platform".to_string())]),
        quotas: Quotas::default(),
    }
}

/// One Terraform resource instance: its state and private bytes as Terraform keeps them.
pub struct Harness {
    pub fake: Arc<FakeEc2>,
    pub res: MeshResource,
    pub ctx: Context,
    pub state: Value,
    pub private: Vec<u8>,
}

/// What one operation answered.
pub struct Answer<T> {
    pub value: T,
    pub diags: Diagnostics,
}

impl<T> Answer<T> {
    pub fn errors(&self) -> Vec<String> {
        self.diags
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .map(ToString::to_string)
            .collect()
    }

    pub fn warnings(&self) -> Vec<String> {
        self.diags
            .iter()
            .filter(|d| d.severity == Severity::Warning)
            .map(ToString::to_string)
            .collect()
    }
}

impl Harness {
    pub fn new() -> Self {
        Self::with_fake(Arc::new(FakeEc2::new()))
    }

    pub fn with_fake(fake: Arc<FakeEc2>) -> Self {
        Self::with_client(fake.clone(), fake, provider_config())
    }

    /// `ec2` as the provider's client (e.g. an account router over views of `fake`).
    pub fn with_client(
        fake: Arc<FakeEc2>,
        ec2: Arc<dyn crate::ec2::Ec2>,
        config: ProviderConfig,
    ) -> Self {
        let config = Arc::new(RwLock::new(Some(config)));
        let conn = Connection {
            ec2,
            region: REGION.to_string(),
            counter: None,
        };
        let access = Ec2Access::new(config, Arc::new(FixedConnector(conn)));
        let res = MeshResource::new(Arc::new(access));
        Harness {
            fake,
            res,
            ctx: Context {
                cancel: CancellationToken::new(),
            },
            state: Value::Null,
            private: Vec::new(),
        }
    }

    /// Another provider process on the same account (fresh client cache).
    pub fn sibling(&self) -> Harness {
        Harness::with_fake(self.fake.clone())
    }

    pub async fn validate(&self, config: &Value) -> Diagnostics {
        let mut diags = Diagnostics::new();
        self.res
            .validate(&values::conform(config), &mut diags)
            .await;
        diags
    }

    /// PlanResourceChange for `config` (Null: destroy) from the current state; the plan
    /// is checked against Terraform's rules.
    pub async fn plan(&self, config: &Value) -> Answer<tfplugin::provider::PlanResponse> {
        let config = values::conform(config);
        let req = PlanRequest {
            prior: self.state.clone(),
            proposed: config.clone(),
            config: config.clone(),
            prior_private: self.private.clone(),
        };
        let mut diags = Diagnostics::new();
        let resp = self.res.plan(&self.ctx, req, &mut diags).await;
        if !diags.has_errors() && !config.is_null() {
            rules::assert_valid_plan(&config, &self.state, &resp.planned);
        }
        Answer { value: resp, diags }
    }

    /// ApplyResourceChange of a plan; keeps the new state like Terraform does (also
    /// after errors) and checks it against the plan when there were none.
    pub async fn apply(
        &mut self,
        config: &Value,
        planned: &tfplugin::provider::PlanResponse,
    ) -> Answer<Value> {
        let config = values::conform(config);
        let req = ApplyRequest {
            prior: self.state.clone(),
            planned: planned.planned.clone(),
            config,
            planned_private: planned.planned_private.clone(),
        };
        let mut diags = Diagnostics::new();
        let resp = self.res.apply(&self.ctx, req, &mut diags).await;
        assert!(
            resp.new_state.is_wholly_known(),
            "applied state has unknown values: {:?}",
            resp.new_state
        );
        if !diags.has_errors() {
            rules::assert_consistent_apply(&planned.planned, &resp.new_state);
        }
        self.state = resp.new_state.clone();
        self.private = resp.private;
        Answer {
            value: resp.new_state,
            diags,
        }
    }

    /// Plan and apply; panics on errors.
    pub async fn converge(&mut self, config: &Value) -> Value {
        let plan = self.plan(config).await;
        assert!(plan.errors().is_empty(), "plan errors: {:?}", plan.errors());
        let applied = self.apply(config, &plan.value).await;
        assert!(
            applied.errors().is_empty(),
            "apply errors: {:?}",
            applied.errors()
        );
        applied.value
    }

    /// ReadResource (a refresh); keeps the result.
    pub async fn refresh(&mut self) -> Answer<Value> {
        let mut diags = Diagnostics::new();
        let resp = self
            .res
            .read(&self.ctx, &self.state, &self.private, &mut diags)
            .await;
        self.state = resp.new_state.clone();
        self.private = resp.private;
        Answer {
            value: resp.new_state,
            diags,
        }
    }

    pub async fn destroy(&mut self) -> Answer<Value> {
        let plan = tfplugin::provider::PlanResponse {
            planned: Value::Null,
            requires_replace: Vec::new(),
            planned_private: self.private.clone(),
        };
        let prior_config = self.state.clone();
        self.apply(&prior_config, &plan).await
    }

    pub async fn import(&mut self, id: &str) -> Answer<Value> {
        let mut diags = Diagnostics::new();
        let resp = self.res.import(&self.ctx, id, &mut diags).await;
        self.state = resp.new_state.clone();
        self.private = resp.private;
        Answer {
            value: resp.new_state,
            diags,
        }
    }
}
