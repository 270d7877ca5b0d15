//! The provider's configuration and the `peering_connectivity` data source (a
//! Pulumi function, `peering:index:getConnectivity`) as the bridge calls them.

use acceptance_tests::MotoServer;
use serde_json::json;
use tfplugin::value::Value;

use tfplugin::proto::tfplugin6 as pb;
use tfplugin::value::Type;

use crate::bridge::{errors, no_errors, pulumi_capabilities, Bridge};
use crate::cty::{block_type, dynamic, from_json, value_of};

const CONNECTIVITY: &str = "peering_connectivity";

/// The calls behind a Pulumi function (Invoke).
impl Bridge {
    /// The data source's cty type.
    pub fn data_type(&self) -> Type {
        block_type(
            self.schema.data_source_schemas[CONNECTIVITY]
                .block
                .as_ref()
                .expect("data source schema"),
        )
    }

    pub fn validate_data(&mut self, config: &Value) -> Vec<pb::Diagnostic> {
        let request = pb::validate_data_resource_config::Request {
            type_name: CONNECTIVITY.into(),
            config: Some(dynamic(config, &self.data_type())),
        };
        let reply = self.block_on_client(|c| Box::pin(c.validate_data_resource_config(request)));
        reply
            .expect("ValidateDataResourceConfig")
            .into_inner()
            .diagnostics
    }

    pub fn read_data(&mut self, config: &Value) -> Value {
        let ty = self.data_type();
        let request = pb::read_data_source::Request {
            type_name: CONNECTIVITY.into(),
            config: Some(dynamic(config, &ty)),
            client_capabilities: pulumi_capabilities(),
            ..Default::default()
        };
        let reply = self.block_on_client(|c| Box::pin(c.read_data_source(request)));
        let reply = reply.expect("ReadDataSource").into_inner();
        no_errors("ReadDataSource", &reply.diagnostics);
        value_of(reply.state.as_ref(), &ty)
    }
}

/// Mirrors the bridge's CheckConfig and Configure: ValidateProviderConfig, then
/// ConfigureProvider with client capabilities set (deferral allowed, write-only
/// attributes allowed) and no Terraform version. The provider answers without a
/// single diagnostic, and resource calls work afterwards.
#[test]
fn configure_provider_with_client_capabilities() {
    let Some(moto) = MotoServer::require("configure_provider_with_client_capabilities") else {
        return;
    };
    let mut bridge = Bridge::start(&moto.endpoint());
    let said: Vec<_> = bridge
        .configure_diagnostics
        .iter()
        .map(|d| format!("{}: {}", d.summary, d.detail))
        .collect();
    assert!(said.is_empty(), "diagnostics on configure: {said:#?}");
    let config = bridge.mesh(&crate::mesh_config(&crate::autoname("lab"), "net"));
    let planned = bridge.plan_mesh(&Value::Null, &config, &[]);
    assert!(!planned.state.is_null());
}

/// Mirrors the bridge's Invoke of a data source: ValidateDataResourceConfig with
/// the function's arguments (a mistake comes back as an error diagnostic on its
/// attribute path, which Pulumi shows on the argument), then ReadDataSource.
#[test]
fn data_source_validates_and_reads() {
    let Some(moto) = MotoServer::require("data_source_validates_and_reads") else {
        return;
    };
    let mut bridge = Bridge::start(&moto.endpoint());
    let ty = bridge.data_type();
    let wrong = from_json(&json!({"hosts": {"lo": "127.0.0.1"}, "echo_count": 0}), &ty);
    let diags = bridge.validate_data(&wrong);
    let refused = errors(&diags);
    assert!(!refused.is_empty(), "echo_count = 0 accepted");
    assert!(
        diags
            .iter()
            .any(|d| d.attribute.as_ref().is_some_and(|p| !p.steps.is_empty())),
        "the error names no attribute: {refused:#?}"
    );

    let args = from_json(
        &json!({"hosts": {"lo": "127.0.0.1"}, "echo_count": 1, "timeout_ms": 1000}),
        &ty,
    );
    let refused = errors(&bridge.validate_data(&args));
    assert!(refused.is_empty(), "valid arguments refused: {refused:#?}");
    let result = bridge.read_data(&args);
    assert_eq!(
        result.get("all_reachable").as_bool(),
        Some(true),
        "{result:?}"
    );
    let rows = result.get("results").as_list().expect("results");
    assert_eq!(rows.len(), 1, "{result:?}");
    assert_eq!(rows[0].get("reachable").as_bool(), Some(true), "{result:?}");
}
