//! `mesh_id` through the data source: facts name the broken component; without
//! `mesh_id` EC2 is never called; when facts cannot be read the results stand, with a
//! warning on `mesh_id`.

use std::sync::{Arc, RwLock};

use async_trait::async_trait;
use serde_json::json;
use tfplugin::diag::{Diagnostics, Severity};
use tfplugin::provider::{Context, DataSource};
use tfplugin::value::Value;

use super::Lab;
use crate::config::ProviderConfig;
use crate::connectivity::Connectivity;
use crate::ec2::access::{AwsSettings, Connection, Connector, Ec2Access, FixedConnector};
use crate::ec2::Action;
use crate::ec2::Ec2Error;
use crate::mesh::fixtures::{MESH_ID, REGION};
use crate::mesh_resource::tests::provider_config;
use crate::probe::fake::FakeProber;
use crate::probe::Echo;

const SHARED_IP: &str = "10.4.1.22";

fn access(lab: &Lab, configured: bool) -> Ec2Access<ProviderConfig> {
    let config = Arc::new(RwLock::new(configured.then(provider_config)));
    let conn = Connection {
        ec2: lab.fake.clone(),
        region: REGION.to_string(),
        counter: None,
    };
    Ec2Access::new(config, Arc::new(FixedConnector(conn)))
}

/// `local` reaches every lab host but `silent` ones.
fn data_source(access: Ec2Access<ProviderConfig>, silent: &[&str]) -> Connectivity {
    let echo = Echo {
        count: 1,
        timeout: std::time::Duration::from_millis(1),
    };
    let prober = silent.iter().fold(FakeProber::new(), |p, ip| {
        p.silent(ip.parse().unwrap(), &echo)
    });
    Connectivity::new(Arc::new(prober)).with_ec2(Arc::new(access))
}

/// Reads the lab hosts with `extra` attributes; the state and the diagnostics.
async fn read(ds: &Connectivity, extra: serde_json::Value) -> (Value, Diagnostics) {
    let mut config = json!({
        "hosts": super::LAB.iter().map(|(n, ip)| (n.to_string(), json!(ip))).collect::<serde_json::Map<_, _>>(),
        "echo_count": 1,
    });
    config
        .as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    let config = Value::encode(&config, &ds.schema().value_type()).expect("config conforms");
    let ctx = Context {
        cancel: Default::default(),
    };
    let mut diags = Diagnostics::new();
    let state = ds.read(&ctx, &config, &mut diags).await.expect("state");
    (state, diags)
}

fn strings(v: &Value) -> Vec<String> {
    let items = v.as_list().expect("a list");
    items
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect()
}

/// The only diagnostic: a warning on `mesh_id`; its detail.
fn only_warning_on_mesh_id(diags: &Diagnostics) -> String {
    assert_eq!(diags.0.len(), 1, "{diags}");
    let d = &diags.0[0];
    assert_eq!(d.severity, Severity::Warning, "{diags}");
    let path = d.attribute.as_ref().map(ToString::to_string);
    assert_eq!(path.as_deref(), Some("mesh_id"));
    d.detail.clone()
}

#[tokio::test]
async fn stopped_instance_is_named_and_nothing_else() {
    let lab = Lab::new().await;
    let instance = &lab.instances["shared"];
    lab.fake.stop_instance(instance);
    let ds = data_source(access(&lab, true), &[SHARED_IP]);
    let (state, diags) = read(&ds, json!({"mesh_id": MESH_ID})).await;
    assert!(diags.is_empty(), "{diags}");
    let sentence = format!("instance {instance} (host shared) is stopped");
    assert_eq!(
        strings(state.get("diagnosis")),
        std::slice::from_ref(&sentence)
    );
    for row in state.get("results").as_list().unwrap() {
        let cause = row.get("cause").as_str();
        let to = row.get("to").as_str().unwrap();
        let expected = (to == "shared").then_some(sentence.as_str());
        assert_eq!(cause, expected, "cause of local->{to}");
    }
    lab.fake.start_instance(instance);
    let ds = data_source(access(&lab, true), &[]);
    let (state, _) = read(&ds, json!({"mesh_id": MESH_ID})).await;
    assert!(strings(state.get("diagnosis")).is_empty());
}

#[tokio::test]
async fn without_mesh_id_ec2_is_never_called() {
    let lab = Lab::new().await;
    let ds = data_source(access(&lab, true), &[SHARED_IP]);
    let (state, diags) = read(&ds, json!({})).await;
    assert!(diags.is_empty(), "{diags}");
    assert_eq!(lab.fake.calls(), []);
    assert!(strings(state.get("diagnosis")).is_empty());
    let results = state.get("results").as_list().unwrap();
    assert_eq!(results.len(), 4);
}

#[tokio::test]
async fn unconfigured_provider_warns_and_results_stand() {
    let lab = Lab::new().await;
    let ds = data_source(access(&lab, false), &[SHARED_IP]);
    let (state, diags) = read(&ds, json!({"mesh_id": MESH_ID})).await;
    let detail = only_warning_on_mesh_id(&diags);
    assert!(detail.contains("not configured"), "{detail}");
    assert_eq!(strings(state.get("unreachable")), ["local->shared"]);
    assert!(strings(state.get("diagnosis")).is_empty());
    assert_eq!(lab.fake.calls(), []);
}

#[tokio::test]
async fn refused_describe_warns_with_the_permissions_needed() {
    let lab = Lab::new().await;
    let denied = Ec2Error::Api {
        code: "UnauthorizedOperation".into(),
        message: "You are not authorized to perform this operation.".into(),
    };
    lab.fake.fail_always_on(Action::DescribeInstances, denied);
    let ds = data_source(access(&lab, true), &[SHARED_IP]);
    let (state, diags) = read(&ds, json!({"mesh_id": MESH_ID})).await;
    let detail = only_warning_on_mesh_id(&diags);
    assert!(detail.contains("UnauthorizedOperation"), "{detail}");
    assert!(detail.contains("ec2:DescribeInstances"), "{detail}");
    assert_eq!(strings(state.get("unreachable")), ["local->shared"]);
}

#[tokio::test]
async fn unknown_mesh_and_unreachable_ec2_warn() {
    let lab = Lab::new().await;
    let ds = data_source(access(&lab, true), &[]);
    let (_, diags) = read(&ds, json!({"mesh_id": "mesh-0000000000000000"})).await;
    let detail = only_warning_on_mesh_id(&diags);
    assert!(
        detail.contains("no VPC of mesh mesh-0000000000000000"),
        "{detail}"
    );

    struct NoCredentials;
    #[async_trait]
    impl Connector for NoCredentials {
        async fn connect(&self, _: &AwsSettings) -> Result<Connection, String> {
            Err("No AWS region is configured.".into())
        }
    }
    let config = Arc::new(RwLock::new(Some(provider_config())));
    let ds = data_source(Ec2Access::new(config, Arc::new(NoCredentials)), &[]);
    let (state, diags) = read(&ds, json!({"mesh_id": MESH_ID})).await;
    let detail = only_warning_on_mesh_id(&diags);
    assert!(detail.contains("No AWS region is configured."), "{detail}");
    assert_eq!(state.get("all_reachable").as_bool(), Some(true));
}
