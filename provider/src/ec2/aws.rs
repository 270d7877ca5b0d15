//! `AwsEc2`: the [`Ec2`](super::Ec2) implementation on aws-sdk-ec2.
//!
//! Every request goes through [`AwsEc2::send`]: client-side pacing per (region, action)
//! ([`Pacer`]), the request counter ([`CallCounter`]), then the single retry policy
//! ([`run_attempts`]) - the SDK's own retries are off. Clients are built lazily, one per
//! region, from one shared SDK configuration; constructing an `AwsEc2` never calls AWS.

mod convert;
mod errors;
mod instances;
mod inventory;
mod ipv6;
mod network;
mod peering;
mod peering_wait;
mod routing;
mod sdk_config;
mod security;
#[cfg(test)]
mod tests;
mod trait_impl;
mod vpc_dns;

use std::collections::HashMap;
use std::future::Future;
use std::sync::Mutex;
use std::time::Duration;

use aws_config::SdkConfig;
use aws_sdk_ec2::config::http::HttpResponse;
use aws_sdk_ec2::error::{ProvideErrorMetadata, SdkError};
use tokio::sync::OnceCell;
use tokio::time::Instant;

use super::attempts::{run_attempts, CallTraits};
use super::counting::CallCounter;
use super::pacing::Pacer;
use super::retry::Ec2RetryPolicy;
use super::types::PeeringObs;
use super::waiting::BatchPoller;
use super::{Action, Ec2Error};
use crate::ec2::access::{AccountAccess, AwsSettings};

pub use sdk_config::{https_client, FALLBACK_REGION};

/// How long `create_vpc` waits for `available`, and `delete_peering` for `deleted`.
const STATE_TIMEOUT: Duration = Duration::from_secs(300);

pub struct AwsEc2 {
    config: AwsSettings,
    /// Another account of `accounts` (None: the provider's own).
    account: Option<AccountAccess>,
    sdk: OnceCell<SdkConfig>,
    clients: Mutex<HashMap<String, aws_sdk_ec2::Client>>,
    account_id: OnceCell<String>,
    policy: Ec2RetryPolicy,
    pacer: Pacer,
    counter: CallCounter,
    /// Ids this client created, and when: NotFound about them is eventual consistency
    /// for a while (see [`Ec2RetryPolicy::not_found_window`]).
    created: Mutex<HashMap<String, Instant>>,
    poll_interval: Duration,
    /// Peerings being waited on, polled together per region.
    peering_polls: BatchPoller<PeeringObs>,
}

impl AwsEc2 {
    /// The client of the provider's own account; nothing is loaded or sent until the
    /// first call.
    pub fn new(config: &AwsSettings) -> Self {
        Self::build(config, None)
    }

    /// The client of another account, reached as `access` says (a role is assumed with
    /// the provider's own credentials). It paces its requests on its own: EC2's request
    /// buckets are per account.
    pub fn for_account(config: &AwsSettings, access: &AccountAccess) -> Self {
        Self::build(config, Some(access.clone()))
    }

    fn build(config: &AwsSettings, account: Option<AccountAccess>) -> Self {
        AwsEc2 {
            config: config.clone(),
            account,
            sdk: OnceCell::new(),
            clients: Mutex::new(HashMap::new()),
            account_id: OnceCell::new(),
            policy: Ec2RetryPolicy::from_max_retries(config.max_retries),
            pacer: Pacer::new(),
            counter: CallCounter::new(),
            created: Mutex::new(HashMap::new()),
            poll_interval: Duration::from_secs(2),
            peering_polls: BatchPoller::default(),
        }
    }

    /// Time between two Describe calls of a waiter (default 2 s); peering waiters of a
    /// region share their Describe calls.
    pub fn with_poll_interval(mut self, interval: Duration) -> Self {
        self.poll_interval = interval;
        self
    }

    /// Counts on `counter` (shared with other clients: the clients of several accounts
    /// report one count per Terraform call).
    pub fn with_counter(mut self, counter: CallCounter) -> Self {
        self.counter = counter;
        self
    }

    /// Requests sent so far, per action (a shared handle: it keeps counting).
    pub fn counter(&self) -> CallCounter {
        self.counter.clone()
    }

    /// The configured region, the default for callers that have no region of their own.
    pub fn default_region(&self) -> Option<&str> {
        self.config.region.as_deref()
    }

    async fn sdk(&self) -> &SdkConfig {
        self.sdk
            .get_or_init(|| sdk_config::load(&self.config, self.account.as_ref()))
            .await
    }

    async fn client(&self, region: &str) -> aws_sdk_ec2::Client {
        let sdk = self.sdk().await;
        let mut clients = self.clients.lock().unwrap_or_else(|e| e.into_inner());
        clients
            .entry(region.to_string())
            .or_insert_with(|| {
                sdk_config::ec2_client(sdk, self.config.ec2_endpoint.as_deref(), region)
            })
            .clone()
    }

    fn remember_created(&self, id: &str) {
        let now = Instant::now();
        let window = self.policy.not_found_window();
        let mut created = self.created.lock().unwrap_or_else(|e| e.into_inner());
        created.retain(|_, at| now.saturating_duration_since(*at) < window);
        created.insert(id.to_string(), now);
    }

    /// A delete's outcome: NotFound is done, and a deleted id is no longer "just created"
    /// (so NotFound about it is final at once).
    fn deleted(&self, id: &str, result: Result<(), Ec2Error>) -> Result<(), Ec2Error> {
        let result = errors::gone_is_done(result);
        if result.is_ok() {
            self.created
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .remove(id);
        }
        result
    }

    fn created_at(&self, id: &str) -> Option<Instant> {
        self.created
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(id)
            .copied()
    }

    /// Sends one request (with retries). `ids` are the objects it refers to: they name
    /// what is missing when EC2's NotFound message does not.
    async fn send<T, E, F, Fut>(
        &self,
        region: &str,
        action: Action,
        ids: &[&str],
        request: F,
    ) -> Result<T, Ec2Error>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<T, SdkError<E, HttpResponse>>>,
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        self.send_with(region, action, ids, false, request).await
    }

    /// Like [`AwsEc2::send`] for a create without client token (see [`CallTraits`]).
    async fn send_create<T, E, F, Fut>(
        &self,
        region: &str,
        action: Action,
        ids: &[&str],
        request: F,
    ) -> Result<T, Ec2Error>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<T, SdkError<E, HttpResponse>>>,
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        self.send_with(region, action, ids, true, request).await
    }

    async fn send_with<T, E, F, Fut>(
        &self,
        region: &str,
        action: Action,
        ids: &[&str],
        creates_object: bool,
        request: F,
    ) -> Result<T, Ec2Error>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<T, SdkError<E, HttpResponse>>>,
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        let call = CallTraits { creates_object };
        let result = run_attempts(&self.policy, call, || {
            let sent = request();
            async move {
                self.pacer.acquire(region, action).await;
                self.counter.add(action);
                sent.await.map_err(|e| {
                    let mut err = errors::attempt_error(e, ids);
                    err.created_at =
                        errors::missing_object_id(&err.error).and_then(|id| self.created_at(id));
                    err
                })
            }
        })
        .await;
        result.map_err(|e| {
            tracing::debug!(action = action.as_str(), region, ids = ?ids, error = %e, "EC2 request failed");
            e
        })
    }
}
