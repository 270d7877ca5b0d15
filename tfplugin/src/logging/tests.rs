use std::sync::{Arc, Mutex};

use super::*;

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn capture(level: LevelFilter, emit: impl FnOnce()) -> Vec<Value> {
    let out = Captured::default();
    let writer = out.clone();
    let layer =
        HclogLayer::new("provider.peering", move || writer.clone()).with_filter(filter_for(level));
    tracing::subscriber::with_default(tracing_subscriber::registry().with(layer), emit);
    let text = String::from_utf8(out.0.lock().unwrap().clone()).unwrap();
    text.lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

#[test]
fn a_line_is_hclog_json() {
    let lines = capture(LevelFilter::DEBUG, || {
        let span = tracing::info_span!("rpc", tf_rpc = "PlanResourceChange");
        let _guard = span.enter();
        tracing::debug!(vpc_count = 3, dry_run = false, "planning mesh");
    });
    assert_eq!(lines.len(), 1);
    let line = &lines[0];
    assert_eq!(line["@level"], "debug");
    assert_eq!(line["@message"], "planning mesh");
    assert_eq!(line["@module"], "provider.peering");
    assert_eq!(line["vpc_count"], 3);
    assert_eq!(line["dry_run"], false);
    assert_eq!(line["tf_rpc"], "PlanResourceChange");
    let ts = line["@timestamp"].as_str().unwrap();
    // 2006-01-02T15:04:05.000000Z
    assert_eq!(ts.len(), 27, "{ts}");
    assert_eq!(&ts[10..11], "T");
    assert_eq!(&ts[19..20], ".");
    assert!(ts.ends_with('Z'));
    assert!(ts[20..26].chars().all(|c| c.is_ascii_digit()), "{ts}");
}

#[test]
fn levels_below_the_filter_are_dropped_and_names_match_hclog() {
    let lines = capture(LevelFilter::INFO, || {
        tracing::trace!("t");
        tracing::debug!("d");
        tracing::info!("i");
        tracing::warn!("w");
        tracing::error!("e");
    });
    let levels: Vec<_> = lines.iter().map(|l| l["@level"].clone()).collect();
    assert_eq!(levels, ["info", "warn", "error"]);
}

#[test]
fn dependency_chatter_is_capped_at_warn() {
    let lines = capture(LevelFilter::TRACE, || {
        tracing::debug!(target: "h2::codec", "frame");
        tracing::warn!(target: "h2::codec", "odd frame");
        tracing::debug!(target: "tfplugin::server", "ours");
    });
    let messages: Vec<_> = lines.iter().map(|l| l["@message"].clone()).collect();
    assert_eq!(messages, ["odd frame", "ours"]);
}

#[test]
fn level_comes_from_tf_log_provider_then_tf_log_then_info() {
    let env = |pairs: &'static [(&'static str, &'static str)]| {
        move |name: &str| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        }
    };
    assert_eq!(level_from_env(env(&[])), LevelFilter::INFO);
    assert_eq!(
        level_from_env(env(&[("TF_LOG", "DEBUG")])),
        LevelFilter::DEBUG
    );
    assert_eq!(
        level_from_env(env(&[("TF_LOG", "debug"), ("TF_LOG_PROVIDER", "error")])),
        LevelFilter::ERROR
    );
    assert_eq!(
        level_from_env(env(&[("TF_LOG_PROVIDER", "off")])),
        LevelFilter::OFF
    );
    assert_eq!(
        level_from_env(env(&[("TF_LOG", "json")])),
        LevelFilter::TRACE
    );
    assert_eq!(
        level_from_env(env(&[("TF_LOG_PROVIDER", ""), ("TF_LOG", "warn")])),
        LevelFilter::WARN
    );
}

#[test]
fn timestamp_has_six_fraction_digits_even_when_they_are_zero() {
    let t = time::OffsetDateTime::from_unix_timestamp(0).unwrap();
    assert_eq!(hclog_timestamp(t), "1970-01-01T00:00:00.000000Z");
}

#[test]
fn sdk_wire_dumps_are_capped_at_debug() {
    let lines = capture(LevelFilter::TRACE, || {
        tracing::trace!(target: "aws_smithy_runtime::client::orchestrator", "transmitting request");
        tracing::debug!(target: "aws_smithy_runtime::client::orchestrator", "resolving endpoint");
        tracing::trace!(target: "aws_sigv4::http_request::sign", "signing request");
        tracing::trace!(target: "terraform_provider_peering::ec2", "ours");
    });
    let messages: Vec<_> = lines.iter().map(|l| l["@message"].clone()).collect();
    assert_eq!(messages, ["resolving endpoint", "ours"]);
}

#[test]
fn secrets_and_url_credentials_never_reach_a_line() {
    redact::register_secret("canary-layer-secret-key");
    let lines = capture(LevelFilter::TRACE, || {
        let span = tracing::info_span!("rpc", endpoint = "http://user:canarypass@127.0.0.1:5000/");
        let _guard = span.enter();
        tracing::debug!(
            secret = "canary-layer-secret-key",
            debug_dump = ?("canary-layer-secret-key", "https://u:canarypass@sts.example/"),
            "configured with canary-layer-secret-key at http://user:canarypass@127.0.0.1:5000/"
        );
    });
    assert_eq!(lines.len(), 1);
    let text = lines[0].to_string();
    assert!(!text.contains("canary"), "{text}");
    assert!(text.contains("http://(redacted)@127.0.0.1:5000/"), "{text}");
    assert_eq!(lines[0]["secret"], redact::REDACTED);
}
