//! The `mermaid` chart of a small matrix, built through the state like a read does.

use std::collections::BTreeMap;
use std::time::Duration;

use tfplugin::provider::DataSource;
use tfplugin::value::Value;

use super::data_source;
use crate::connectivity::state::{build, Config, Probed};
use crate::probe::{PairResult, ProbeOutcome};

fn result(from: &str, to: &str, rtt_us: Option<u64>) -> PairResult {
    let rtts: Vec<Duration> = rtt_us.map(Duration::from_micros).into_iter().collect();
    let outcome = ProbeOutcome {
        sent: 1,
        received: rtts.len() as u32,
        rtts,
    };
    PairResult::from_outcome(from, to, "192.0.2.1".parse().unwrap(), &outcome)
}

fn strings(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn mermaid_golden_three_hosts() {
    let cfg = Config {
        hosts: strings(&[
            ("web", "10.1.2.249"),
            ("db", "10.2.1.29"),
            ("ext-1", "192.0.2.7"),
        ]),
        echo_count: None,
        timeout_ms: None,
        transport: None,
        ssh: None,
        sources: None,
        host_vpcs: Some(strings(&[("web", "production"), ("db", "development")])),
        expect: Some(BTreeMap::from([
            ("production".to_string(), vec!["development".to_string()]),
            ("development".to_string(), vec!["production".to_string()]),
        ])),
        mesh_id: None,
    };
    let results = [
        result("db", "web", None),
        result("local", "ext-1", Some(1500)),
        result("web", "db", Some(250)),
        result("web", "ext-1", None),
    ];
    let ds = data_source(&[], false);
    let probed = Probed {
        not_probed: vec![None; results.len()],
        results: results.to_vec(),
        sources: vec!["db".into(), "local".into(), "web".into()],
    };
    let state = Value::encode(&build(cfg, probed, None), &ds.schema().value_type()).unwrap();
    let expected = r#"flowchart LR
    runner["local"]
    subgraph v_development["development"]
        h_db["db"]
    end
    subgraph v_production["production"]
        h_web["web"]
    end
    h_ext_2d_1["ext-1"]
    h_db -.->|"x"| h_web
    runner -->|"1.500 ms"| h_ext_2d_1
    h_web -->|"0.250 ms"| h_db
    h_web -.->|"x"| h_ext_2d_1
    linkStyle 0 stroke:red,stroke-width:2px
    linkStyle 3 stroke:red,stroke-width:2px
"#;
    assert_eq!(state.get("mermaid").as_str(), Some(expected));
    assert_eq!(state.get("all_as_expected").as_bool(), Some(false));
    let verdicts: Vec<Option<&str>> = state
        .get("results")
        .as_list()
        .unwrap()
        .iter()
        .map(|r| r.get("verdict").as_str())
        .collect();
    assert_eq!(
        verdicts,
        [Some("unexpectedly_unreachable"), None, Some("ok"), None]
    );
}
