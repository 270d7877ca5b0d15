//! Protocol tests: the tfplugin6 service in process, driven by a generated gRPC client
//! the way Terraform drives it (msgpack DynamicValues, JSON state, StopProvider).

use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use tfplugin::diag::{AttributePath, Diagnostic, Diagnostics};
use tfplugin::proto::tfplugin6 as pb;
use tfplugin::proto::tfplugin6::provider_client::ProviderClient;
use tfplugin::proto::tfplugin6::provider_server::ProviderServer;
use tfplugin::provider::{
    ApplyRequest, ApplyResponse, Context, DataSource, PlanRequest, PlanResponse, Provider,
    ReadResponse, Resource,
};
use tfplugin::schema::{Attribute, Schema};
use tfplugin::server::ProviderService;
use tfplugin::value::{msgpack, Type, Value};
use tokio_util::sync::CancellationToken;
use tonic::transport::Channel;

struct Echo;

#[async_trait]
impl DataSource for Echo {
    fn type_name(&self) -> &'static str {
        "test_echo"
    }
    fn schema(&self) -> Schema {
        Schema::new(
            "echo",
            vec![
                Attribute::typed("input", Type::String).required(),
                Attribute::typed("output", Type::String).computed(),
            ],
        )
    }
    async fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        if config.get("input").as_str() == Some("bad") {
            diags.error_at(
                AttributePath::root("input"),
                "Invalid input",
                "input is \"bad\"",
            );
        }
    }
    async fn read(&self, ctx: &Context, config: &Value, diags: &mut Diagnostics) -> Option<Value> {
        let input = config.get("input").as_str()?.to_string();
        if input == "wait" {
            tokio::select! {
                _ = ctx.cancel.cancelled() => diags.push(Diagnostic::error("Interrupted", "stopped")),
                _ = tokio::time::sleep(Duration::from_secs(30)) => {}
            }
            return None;
        }
        Some(Value::Object(
            [
                ("input".to_string(), Value::String(input.clone())),
                ("output".to_string(), Value::String(input.to_uppercase())),
            ]
            .into_iter()
            .collect(),
        ))
    }
}

struct Thing;

#[async_trait]
impl Resource for Thing {
    fn type_name(&self) -> &'static str {
        "test_thing"
    }
    fn schema(&self) -> Schema {
        Schema::new(
            "thing",
            vec![
                Attribute::typed("name", Type::String).required(),
                Attribute::typed("id", Type::String).computed(),
            ],
        )
    }
    async fn validate(&self, _: &Value, _: &mut Diagnostics) {}
    async fn read(
        &self,
        _: &Context,
        state: &Value,
        private: &[u8],
        _: &mut Diagnostics,
    ) -> ReadResponse {
        ReadResponse {
            new_state: state.clone(),
            private: private.to_vec(),
        }
    }
    async fn plan(&self, _: &Context, req: PlanRequest, _: &mut Diagnostics) -> PlanResponse {
        let mut planned = req.proposed.clone();
        if let Value::Object(m) = &mut planned {
            if m.get("id").is_none_or(Value::is_null) {
                m.insert("id".into(), Value::Unknown);
            }
        }
        PlanResponse {
            planned,
            requires_replace: vec![AttributePath::root("name")],
            planned_private: b"p".to_vec(),
        }
    }
    async fn apply(&self, _: &Context, req: ApplyRequest, _: &mut Diagnostics) -> ApplyResponse {
        let mut state = req.planned.clone();
        if let Value::Object(m) = &mut state {
            m.insert("id".into(), Value::String("thing-1".into()));
        }
        ApplyResponse {
            new_state: state,
            private: req.planned_private,
        }
    }
}

struct TestProvider;

#[async_trait]
impl Provider for TestProvider {
    fn schema(&self) -> Schema {
        Schema::new(
            "test",
            vec![Attribute::typed("region", Type::String).optional()],
        )
    }
    async fn validate_config(&self, config: &Value, diags: &mut Diagnostics) {
        if config.get("region").as_str() == Some("nowhere") {
            diags.error_at(AttributePath::root("region"), "Invalid region", "nowhere");
        }
    }
    async fn configure(&self, _: &Context, _: &Value, _: &mut Diagnostics) {}
    fn resources(&self) -> Vec<Arc<dyn Resource>> {
        vec![Arc::new(Thing)]
    }
    fn data_sources(&self) -> Vec<Arc<dyn DataSource>> {
        vec![Arc::new(Echo)]
    }
}

async fn serve() -> ProviderClient<Channel> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let service = ProviderService::new(TestProvider, CancellationToken::new());
    tokio::spawn(
        tonic::transport::Server::builder()
            .add_service(ProviderServer::new(service))
            .serve_with_incoming(tokio_stream::wrappers::TcpListenerStream::new(listener)),
    );
    ProviderClient::connect(format!("http://{addr}"))
        .await
        .unwrap()
}

fn dv(v: &Value, ty: &Type) -> Option<pb::DynamicValue> {
    Some(pb::DynamicValue {
        msgpack: msgpack::encode(v, ty).unwrap(),
        json: vec![],
    })
}

fn obj(pairs: &[(&str, Value)]) -> Value {
    Value::Object(
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
    )
}

fn s(x: &str) -> Value {
    Value::String(x.into())
}

async fn validate_echo(
    c: &mut ProviderClient<Channel>,
    config: Option<pb::DynamicValue>,
) -> pb::validate_data_resource_config::Response {
    let req = pb::validate_data_resource_config::Request {
        type_name: "test_echo".into(),
        config,
    };
    let r = c.validate_data_resource_config(req).await;
    r.unwrap().into_inner()
}

#[tokio::test]
async fn schema_lists_every_type_with_markdown_descriptions() {
    let mut c = serve().await;
    let r = c
        .get_provider_schema(pb::get_provider_schema::Request {})
        .await
        .unwrap()
        .into_inner();
    assert!(r.diagnostics.is_empty());
    let ds = &r.data_source_schemas["test_echo"];
    let block = ds.block.as_ref().unwrap();
    let input = block.attributes.iter().find(|a| a.name == "input").unwrap();
    assert!(input.required && !input.computed);
    assert_eq!(input.r#type, b"\"string\"");
    assert_eq!(block.description_kind, pb::StringKind::Markdown as i32);
    assert!(r.resource_schemas.contains_key("test_thing"));
    let m = c
        .get_metadata(pb::get_metadata::Request {})
        .await
        .unwrap()
        .into_inner();
    assert_eq!(m.data_sources[0].type_name, "test_echo");
    assert_eq!(m.resources[0].type_name, "test_thing");
    let f = c
        .get_functions(pb::get_functions::Request {})
        .await
        .unwrap()
        .into_inner();
    assert!(f.functions.is_empty());
    let ids = c
        .get_resource_identity_schemas(pb::get_resource_identity_schemas::Request {})
        .await
        .unwrap();
    assert!(ids.into_inner().identity_schemas.is_empty());
}

#[tokio::test]
async fn validation_errors_carry_attribute_paths() {
    let mut c = serve().await;
    let ty = Echo.schema().value_type();
    let config = dv(&obj(&[("input", s("bad")), ("output", Value::Null)]), &ty);
    let r = validate_echo(&mut c, config).await;
    assert_eq!(r.diagnostics.len(), 1);
    let step = &r.diagnostics[0].attribute.as_ref().unwrap().steps[0];
    assert_eq!(
        step.selector,
        Some(pb::attribute_path::step::Selector::AttributeName(
            "input".into()
        ))
    );
    let pty = TestProvider.schema().value_type();
    let req = pb::validate_provider_config::Request {
        config: dv(&obj(&[("region", s("nowhere"))]), &pty),
    };
    let r = c.validate_provider_config(req).await.unwrap().into_inner();
    assert_eq!(r.diagnostics[0].summary, "Invalid region");
}

#[tokio::test]
async fn values_that_do_not_decode_are_diagnostics_on_their_attribute() {
    let mut c = serve().await;
    // `input` sent as a bool where the schema has a string.
    let wrong = Type::object([("input", Type::Bool), ("output", Type::String)]);
    let config = dv(
        &obj(&[("input", true.into()), ("output", Value::Null)]),
        &wrong,
    );
    let r = validate_echo(&mut c, config).await;
    assert_eq!(r.diagnostics.len(), 1);
    let d = &r.diagnostics[0];
    assert_eq!(
        d.summary,
        "Could not decode the data source configuration sent by Terraform"
    );
    assert!(
        d.detail.starts_with("input: expected string"),
        "{}",
        d.detail
    );
    let steps = &d.attribute.as_ref().unwrap().steps;
    assert_eq!(steps.len(), 1);
    assert_eq!(
        steps[0].selector,
        Some(pb::attribute_path::step::Selector::AttributeName(
            "input".into()
        ))
    );
}

#[tokio::test]
async fn unknown_types_get_a_diagnostic_not_a_crash() {
    let mut c = serve().await;
    let req = pb::read_data_source::Request {
        type_name: "test_nope".into(),
        ..Default::default()
    };
    let r = c.read_data_source(req).await.unwrap().into_inner();
    assert!(r.state.is_none());
    assert!(
        r.diagnostics[0].detail.contains("test_echo"),
        "{:?}",
        r.diagnostics
    );
}

#[tokio::test]
async fn data_source_read_round_trips_msgpack() {
    let mut c = serve().await;
    let ty = Echo.schema().value_type();
    let req = pb::read_data_source::Request {
        type_name: "test_echo".into(),
        config: dv(&obj(&[("input", s("hi")), ("output", Value::Null)]), &ty),
        ..Default::default()
    };
    let r = c.read_data_source(req).await.unwrap().into_inner();
    assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
    let state = msgpack::decode(&r.state.unwrap().msgpack, &ty).unwrap();
    assert_eq!(state.get("output").as_str(), Some("HI"));
}

#[tokio::test]
async fn resource_lifecycle_plans_unknowns_and_keeps_private_state() {
    let mut c = serve().await;
    let ty = Thing.schema().value_type();
    let config = obj(&[("name", s("a")), ("id", Value::Null)]);
    let plan = c
        .plan_resource_change(plan_request(&ty, &config))
        .await
        .unwrap()
        .into_inner();
    let planned = msgpack::decode(&plan.planned_state.clone().unwrap().msgpack, &ty).unwrap();
    assert!(planned.get("id").is_unknown());
    assert_eq!(plan.requires_replace.len(), 1);
    let apply = pb::apply_resource_change::Request {
        type_name: "test_thing".into(),
        prior_state: dv(&Value::Null, &ty),
        planned_state: plan.planned_state,
        config: dv(&config, &ty),
        planned_private: plan.planned_private,
        ..Default::default()
    };
    let applied = c.apply_resource_change(apply).await.unwrap().into_inner();
    assert_eq!(applied.private, b"p");
    let state = msgpack::decode(&applied.new_state.unwrap().msgpack, &ty).unwrap();
    assert_eq!(state.get("id").as_str(), Some("thing-1"));
    let up = pb::upgrade_resource_state::Request {
        type_name: "test_thing".into(),
        version: 0,
        raw_state: Some(pb::RawState {
            json: br#"{"name":"a","id":"thing-1"}"#.to_vec(),
            ..Default::default()
        }),
    };
    let up = c.upgrade_resource_state(up).await.unwrap().into_inner();
    assert!(up.diagnostics.is_empty(), "{:?}", up.diagnostics);
    assert_eq!(
        msgpack::decode(&up.upgraded_state.unwrap().msgpack, &ty).unwrap(),
        state
    );
}

fn plan_request(ty: &Type, config: &Value) -> pb::plan_resource_change::Request {
    pb::plan_resource_change::Request {
        type_name: "test_thing".into(),
        prior_state: dv(&Value::Null, ty),
        proposed_new_state: dv(config, ty),
        config: dv(config, ty),
        ..Default::default()
    }
}

#[tokio::test]
async fn stop_provider_cancels_operations_in_flight() {
    let c = serve().await;
    let ty = Echo.schema().value_type();
    let req = pb::read_data_source::Request {
        type_name: "test_echo".into(),
        config: dv(&obj(&[("input", s("wait")), ("output", Value::Null)]), &ty),
        ..Default::default()
    };
    let mut reader = c.clone();
    let started = Instant::now();
    let read =
        tokio::spawn(async move { reader.read_data_source(req).await.unwrap().into_inner() });
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut stopper = c.clone();
    let stop = stopper
        .stop_provider(pb::stop_provider::Request {})
        .await
        .unwrap()
        .into_inner();
    assert_eq!(stop.error, "");
    let r = tokio::time::timeout(Duration::from_secs(5), read)
        .await
        .expect("read returns promptly")
        .unwrap();
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(r.diagnostics[0].summary, "Interrupted");
    // Later calls are not affected by an earlier stop.
    let mut again = c.clone();
    let req = pb::read_data_source::Request {
        type_name: "test_echo".into(),
        config: dv(&obj(&[("input", s("x")), ("output", Value::Null)]), &ty),
        ..Default::default()
    };
    assert!(again
        .read_data_source(req)
        .await
        .unwrap()
        .into_inner()
        .diagnostics
        .is_empty());
}
