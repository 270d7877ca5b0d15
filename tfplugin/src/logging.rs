//! Provider logs as go-hclog JSON lines on stderr.
//!
//! Terraform reads a plugin's stderr line by line; a line that parses as
//! go-hclog JSON (`@level`, `@message`, `@timestamp`) is re-logged at that
//! level, so `TF_LOG_PROVIDER=debug terraform plan` shows our debug lines and
//! hides them otherwise. Everything else in the object appears as key=value
//! pairs. stdout is never written: it carries the go-plugin handshake.
//!
//! Fields are logged as given, except that every string passes through
//! [`redact::redact`] (URL credentials and registered secrets). Callers still must not
//! put secrets in fields.

use std::io::Write as _;

use serde_json::{Map, Value};
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::{Context, Layer, SubscriberExt as _};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::util::SubscriberInitExt as _;

pub mod redact;

/// Crates whose debug output is about HTTP/2 and TLS internals rather than
/// the provider; they are capped at `warn` whatever level is asked for.
const NOISY_DEPENDENCIES: &[&str] = &[
    "h2",
    "hyper",
    "hyper_util",
    "tonic",
    "tower",
    "rustls",
    "tokio_rustls",
    "mio",
];

/// Crates whose trace output dumps whole HTTP requests and responses: signed headers
/// (`x-amz-security-token`), form bodies (`ExternalId`) and STS answers (temporary keys).
/// Capped at `debug`, which keeps their account of what is being done.
const WIRE_DUMPING_DEPENDENCIES: &[&str] = &[
    "aws_smithy_runtime",
    "aws_smithy_runtime_api",
    "aws_smithy_http_client",
    "aws_smithy_http",
    "aws_sigv4",
    "aws_config",
    "aws_credential_types",
    "aws_sdk_ec2",
    "aws_sdk_sts",
];

/// Installs the global subscriber: hclog JSON on stderr, `@module` set to
/// `module` (e.g. `provider.peering`), level from [`level_from_env`].
/// A second call, or a subscriber installed by someone else, is left alone.
pub fn init(module: &str) {
    let level = level_from_env(|name| std::env::var(name).ok());
    let layer = HclogLayer::new(module, std::io::stderr).with_filter(filter_for(level));
    // Err means a global subscriber already exists (tests, embedding); keep it.
    let _ = tracing_subscriber::registry().with(layer).try_init();
}

/// The level asked for by `TF_LOG_PROVIDER`, else `TF_LOG`, else `info`.
///
/// `env` is the environment lookup (a parameter so tests need not mutate the
/// process environment). Values are Terraform's: `trace`, `debug`, `info`,
/// `warn`, `error`, `off`, case-insensitive; `json` means trace, and like
/// Terraform any other non-empty value means trace.
pub fn level_from_env(env: impl Fn(&str) -> Option<String>) -> LevelFilter {
    ["TF_LOG_PROVIDER", "TF_LOG"]
        .iter()
        .filter_map(|name| env(name))
        .map(|value| value.trim().to_ascii_lowercase())
        .find(|value| !value.is_empty())
        .map(|value| parse_level(&value))
        .unwrap_or(LevelFilter::INFO)
}

fn parse_level(value: &str) -> LevelFilter {
    match value {
        "off" => LevelFilter::OFF,
        "error" => LevelFilter::ERROR,
        "warn" => LevelFilter::WARN,
        "info" => LevelFilter::INFO,
        "debug" => LevelFilter::DEBUG,
        _ => LevelFilter::TRACE,
    }
}

/// `level` for our code, at most `warn` for [`NOISY_DEPENDENCIES`] and at most `debug`
/// for [`WIRE_DUMPING_DEPENDENCIES`].
pub fn filter_for(level: LevelFilter) -> Targets {
    let capped = level.min(LevelFilter::WARN);
    let no_dumps = level.min(LevelFilter::DEBUG);
    let targets = NOISY_DEPENDENCIES
        .iter()
        .fold(Targets::new().with_default(level), |targets, name| {
            targets.with_target(*name, capped)
        });
    WIRE_DUMPING_DEPENDENCIES
        .iter()
        .fold(targets, |targets, name| {
            targets.with_target(*name, no_dumps)
        })
}

/// A `tracing` layer writing one go-hclog JSON object per event.
///
/// Fields of the enclosing spans are included (outermost first, inner ones
/// win), so an RPC span's fields tag every line logged inside it.
pub struct HclogLayer<W> {
    module: String,
    make_writer: W,
}

impl<W> HclogLayer<W>
where
    W: for<'w> MakeWriter<'w> + 'static,
{
    pub fn new(module: impl Into<String>, make_writer: W) -> Self {
        Self {
            module: module.into(),
            make_writer,
        }
    }

    fn line(&self, level: &Level, fields: Map<String, Value>) -> Vec<u8> {
        let mut object = Map::new();
        object.insert("@level".into(), hclog_level(level).into());
        object.insert("@module".into(), self.module.clone().into());
        object.insert(
            "@timestamp".into(),
            hclog_timestamp(time::OffsetDateTime::now_utc()).into(),
        );
        let mut message = String::new();
        for (key, value) in fields {
            let value = match value {
                Value::String(text) => Value::String(redact::redact(&text).into_owned()),
                other => other,
            };
            if key == "message" {
                message = match value {
                    Value::String(text) => text,
                    other => other.to_string(),
                };
            } else {
                object.insert(key, value);
            }
        }
        // go-plugin insists that @message is a string.
        object.insert("@message".into(), message.into());
        let mut line = serde_json::to_vec(&Value::Object(object)).unwrap_or_default();
        line.push(b'\n');
        line
    }
}

/// Span fields, stored in the span's extensions until the span closes.
struct SpanFields(Map<String, Value>);

impl<S, W> Layer<S> for HclogLayer<W>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    W: for<'w> MakeWriter<'w> + 'static,
{
    fn on_new_span(
        &self,
        attrs: &tracing::span::Attributes<'_>,
        id: &tracing::span::Id,
        ctx: Context<'_, S>,
    ) {
        let mut visitor = JsonFields::default();
        attrs.record(&mut visitor);
        if let Some(span) = ctx.span(id) {
            span.extensions_mut().insert(SpanFields(visitor.0));
        }
    }

    fn on_record(
        &self,
        id: &tracing::span::Id,
        values: &tracing::span::Record<'_>,
        ctx: Context<'_, S>,
    ) {
        if let Some(span) = ctx.span(id) {
            let mut extensions = span.extensions_mut();
            if let Some(SpanFields(fields)) = extensions.get_mut::<SpanFields>() {
                let mut visitor = JsonFields(std::mem::take(fields));
                values.record(&mut visitor);
                *fields = visitor.0;
            }
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let mut fields = Map::new();
        if let Some(scope) = ctx.event_scope(event) {
            for span in scope.from_root() {
                if let Some(SpanFields(span_fields)) = span.extensions().get::<SpanFields>() {
                    fields.extend(span_fields.clone());
                }
            }
        }
        let mut visitor = JsonFields(fields);
        event.record(&mut visitor);
        let line = self.line(event.metadata().level(), visitor.0);
        // A log line that cannot be written is dropped; there is nowhere to report it.
        let _ = self.make_writer.make_writer().write_all(&line);
    }
}

fn hclog_level(level: &Level) -> &'static str {
    match *level {
        Level::TRACE => "trace",
        Level::DEBUG => "debug",
        Level::INFO => "info",
        Level::WARN => "warn",
        Level::ERROR => "error",
    }
}

/// RFC 3339 in UTC with exactly six fractional digits: go-plugin parses
/// `@timestamp` with the layout `2006-01-02T15:04:05.000000Z07:00` and drops
/// the whole line's levelling if that fails.
fn hclog_timestamp(t: time::OffsetDateTime) -> String {
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.microsecond()
    )
}

/// Collects tracing fields as JSON values, keeping numbers and booleans typed.
#[derive(Default)]
struct JsonFields(Map<String, Value>);

impl Visit for JsonFields {
    fn record_f64(&mut self, field: &Field, value: f64) {
        let json = serde_json::Number::from_f64(value)
            .map(Value::Number)
            .unwrap_or_else(|| Value::String(value.to_string()));
        self.0.insert(field.name().into(), json);
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.0.insert(field.name().into(), value.into());
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.0.insert(field.name().into(), value.into());
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.0.insert(field.name().into(), value.into());
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().into(), value.into());
    }

    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        self.0.insert(field.name().into(), value.to_string().into());
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0
            .insert(field.name().into(), format!("{value:?}").into());
    }
}

#[cfg(test)]
mod tests;
