//! The provider as the bridge holds it: one process per Pulumi operation
//! (`pulumi preview`, `up`, `refresh`, `destroy` each start their own), its schema
//! read first, ConfigureProvider with client capabilities, then tfplugin6 calls
//! with msgpack values. Every call fails the test on an error diagnostic unless
//! the test asks for the diagnostics.

use acceptance_tests::ec2check::{DUMMY_ACCESS_KEY, DUMMY_SECRET_KEY};
use acceptance_tests::plugin_client::PluginSession;
use acceptance_tests::provider_binary;
use serde_json::json;
use tfplugin::proto::tfplugin6 as pb;
use tfplugin::value::{Type, Value};

use crate::cty::{block_type, dynamic, from_json, proposed_new, to_json, value_of};

pub const MESH: &str = "peering_mesh";
pub const REGION: &str = "us-east-1";

/// What the bridge sends in ConfigureProvider: it may defer (Pulumi has no
/// deferred actions, but the bridge announces the capability) and handles
/// write-only attributes.
pub fn pulumi_capabilities() -> Option<pb::ClientCapabilities> {
    Some(pb::ClientCapabilities {
        deferral_allowed: true,
        write_only_attributes_allowed: true,
    })
}

pub struct Bridge {
    session: PluginSession,
    pub schema: pb::get_provider_schema::Response,
    /// Everything ValidateProviderConfig and ConfigureProvider answered.
    pub configure_diagnostics: Vec<pb::Diagnostic>,
}

/// A planned change: the planned state and private bytes, and what forces replacement.
pub struct Planned {
    pub state: Value,
    pub private: Vec<u8>,
    pub requires_replace: Vec<pb::AttributePath>,
}

/// Error diagnostics as text, for assertions.
pub fn errors(diags: &[pb::Diagnostic]) -> Vec<String> {
    diags
        .iter()
        .filter(|d| d.severity == pb::diagnostic::Severity::Error as i32)
        .map(|d| format!("{}: {}", d.summary, d.detail))
        .collect()
}

#[track_caller]
pub(crate) fn no_errors(call: &str, diags: &[pb::Diagnostic]) {
    let errors = errors(diags);
    assert!(errors.is_empty(), "{call} failed: {errors:#?}");
}

impl Bridge {
    /// Starts the provider, reads its schema and configures it for `endpoint`
    /// (moto), as the bridge does before any resource call.
    pub fn start(endpoint: &str) -> Bridge {
        let env = [
            ("AWS_ACCESS_KEY_ID", DUMMY_ACCESS_KEY),
            ("AWS_SECRET_ACCESS_KEY", DUMMY_SECRET_KEY),
            ("AWS_CONFIG_FILE", "/nonexistent/aws-config"),
            (
                "AWS_SHARED_CREDENTIALS_FILE",
                "/nonexistent/aws-credentials",
            ),
            ("AWS_EC2_METADATA_DISABLED", "true"),
        ];
        let mut session = PluginSession::start(provider_binary(), &env);
        let schema = session
            .runtime
            .block_on(
                session
                    .client
                    .get_provider_schema(pb::get_provider_schema::Request {}),
            )
            .expect("GetProviderSchema")
            .into_inner();
        no_errors("GetProviderSchema", &schema.diagnostics);
        let mut bridge = Bridge {
            session,
            schema,
            configure_diagnostics: Vec::new(),
        };
        let config = json!({
            "region": REGION,
            "endpoints": {"ec2": endpoint, "sts": endpoint},
        });
        let diags = bridge.configure(&config);
        no_errors("ConfigureProvider", &diags);
        bridge.configure_diagnostics = diags;
        bridge
    }

    pub fn provider_type(&self) -> Type {
        block_type(
            self.schema
                .provider
                .as_ref()
                .and_then(|s| s.block.as_ref())
                .expect("provider schema"),
        )
    }

    pub fn mesh_block(&self) -> &pb::schema::Block {
        self.schema.resource_schemas[MESH]
            .block
            .as_ref()
            .expect("mesh schema")
    }

    pub fn mesh_type(&self) -> Type {
        block_type(self.mesh_block())
    }

    pub fn mesh(&self, config: &serde_json::Value) -> Value {
        from_json(config, &self.mesh_type())
    }

    /// ValidateProviderConfig, then ConfigureProvider with the bridge's capabilities.
    fn configure(&mut self, config: &serde_json::Value) -> Vec<pb::Diagnostic> {
        let ty = self.provider_type();
        let config = dynamic(&from_json(config, &ty), &ty);
        let client = &mut self.session.client;
        let validated = self
            .session
            .runtime
            .block_on(
                client.validate_provider_config(pb::validate_provider_config::Request {
                    config: Some(config.clone()),
                }),
            );
        let mut diags = validated
            .expect("ValidateProviderConfig")
            .into_inner()
            .diagnostics;
        let configured = self.session.runtime.block_on(client.configure_provider(
            pb::configure_provider::Request {
                // The bridge is not Terraform: no Terraform version to announce.
                terraform_version: String::new(),
                config: Some(config),
                client_capabilities: pulumi_capabilities(),
            },
        ));
        diags.extend(
            configured
                .expect("ConfigureProvider")
                .into_inner()
                .diagnostics,
        );
        diags
    }

    pub fn validate_mesh(&mut self, config: &Value) -> Vec<pb::Diagnostic> {
        let request = pb::validate_resource_config::Request {
            type_name: MESH.into(),
            config: Some(dynamic(config, &self.mesh_type())),
            client_capabilities: pulumi_capabilities(),
        };
        let reply = self.block_on_client(|c| Box::pin(c.validate_resource_config(request)));
        reply
            .expect("ValidateResourceConfig")
            .into_inner()
            .diagnostics
    }

    pub(crate) fn block_on_client<T>(
        &mut self,
        call: impl FnOnce(
            &mut pb::provider_client::ProviderClient<tonic::transport::Channel>,
        ) -> std::pin::Pin<Box<dyn std::future::Future<Output = T> + '_>>,
    ) -> T {
        let future = call(&mut self.session.client);
        self.session.runtime.block_on(future)
    }

    /// PlanResourceChange for `config` (Null: delete) over `prior`, with the
    /// proposed new state the bridge computes.
    pub fn plan_mesh(&mut self, prior: &Value, config: &Value, prior_private: &[u8]) -> Planned {
        let ty = self.mesh_type();
        let proposed = proposed_new(self.mesh_block(), prior, config);
        let request = pb::plan_resource_change::Request {
            type_name: MESH.into(),
            prior_state: Some(dynamic(prior, &ty)),
            proposed_new_state: Some(dynamic(&proposed, &ty)),
            config: Some(dynamic(config, &ty)),
            prior_private: prior_private.to_vec(),
            client_capabilities: pulumi_capabilities(),
            ..Default::default()
        };
        let reply = self.block_on_client(|c| Box::pin(c.plan_resource_change(request)));
        let reply = reply.expect("PlanResourceChange").into_inner();
        no_errors("PlanResourceChange", &reply.diagnostics);
        Planned {
            state: value_of(reply.planned_state.as_ref(), &ty),
            private: reply.planned_private,
            requires_replace: reply.requires_replace,
        }
    }

    /// ApplyResourceChange; returns the new state and private bytes.
    pub fn apply_mesh(
        &mut self,
        prior: &Value,
        planned: &Value,
        config: &Value,
        planned_private: &[u8],
    ) -> (Value, Vec<u8>) {
        let ty = self.mesh_type();
        let request = pb::apply_resource_change::Request {
            type_name: MESH.into(),
            prior_state: Some(dynamic(prior, &ty)),
            planned_state: Some(dynamic(planned, &ty)),
            config: Some(dynamic(config, &ty)),
            planned_private: planned_private.to_vec(),
            ..Default::default()
        };
        let reply = self.block_on_client(|c| Box::pin(c.apply_resource_change(request)));
        let reply = reply.expect("ApplyResourceChange").into_inner();
        no_errors("ApplyResourceChange", &reply.diagnostics);
        (value_of(reply.new_state.as_ref(), &ty), reply.private)
    }

    /// UpgradeResourceState from the JSON the bridge keeps in the Pulumi state.
    pub fn upgrade_mesh(&mut self, stored: &serde_json::Value) -> Value {
        let ty = self.mesh_type();
        let version = self.schema.resource_schemas[MESH].version;
        let request = pb::upgrade_resource_state::Request {
            type_name: MESH.into(),
            version,
            raw_state: Some(pb::RawState {
                json: stored.to_string().into_bytes(),
                flatmap: Default::default(),
            }),
        };
        let reply = self.block_on_client(|c| Box::pin(c.upgrade_resource_state(request)));
        let reply = reply.expect("UpgradeResourceState").into_inner();
        no_errors("UpgradeResourceState", &reply.diagnostics);
        value_of(reply.upgraded_state.as_ref(), &ty)
    }

    /// ReadResource; returns the refreshed state (Null: gone) and private bytes.
    pub fn read_mesh(&mut self, state: &Value, private: &[u8]) -> (Value, Vec<u8>) {
        let ty = self.mesh_type();
        let request = pb::read_resource::Request {
            type_name: MESH.into(),
            current_state: Some(dynamic(state, &ty)),
            private: private.to_vec(),
            client_capabilities: pulumi_capabilities(),
            ..Default::default()
        };
        let reply = self.block_on_client(|c| Box::pin(c.read_resource(request)));
        let reply = reply.expect("ReadResource").into_inner();
        no_errors("ReadResource", &reply.diagnostics);
        (value_of(reply.new_state.as_ref(), &ty), reply.private)
    }

    /// ImportResourceState; returns the one imported state and its private bytes.
    pub fn import_mesh(&mut self, id: &str) -> (Value, Vec<u8>) {
        let ty = self.mesh_type();
        let request = pb::import_resource_state::Request {
            type_name: MESH.into(),
            id: id.into(),
            client_capabilities: pulumi_capabilities(),
            ..Default::default()
        };
        let reply = self.block_on_client(|c| Box::pin(c.import_resource_state(request)));
        let reply = reply.expect("ImportResourceState").into_inner();
        no_errors("ImportResourceState", &reply.diagnostics);
        assert_eq!(reply.imported_resources.len(), 1, "one mesh imported");
        let imported = &reply.imported_resources[0];
        assert_eq!(imported.type_name, MESH);
        (
            value_of(imported.state.as_ref(), &ty),
            imported.private.clone(),
        )
    }

    /// The JSON form the bridge stores as the resource's outputs.
    pub fn stored(&self, state: &Value) -> serde_json::Value {
        to_json(state, &self.mesh_type())
    }
}
