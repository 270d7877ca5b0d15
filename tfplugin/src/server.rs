//! The tfplugin6 gRPC service: converts requests to the idiomatic traits of
//! [`crate::provider`], logs, and ties StopProvider to cancellation. No provider logic here.

mod convert;
mod rpc;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use tokio_util::sync::CancellationToken;

use crate::diag::{Diagnostic, Diagnostics};
use crate::provider::{Context, DataSource, Provider, Resource};
use crate::schema::Schema;
use crate::value::Type;

struct Entry<T: ?Sized> {
    imp: Arc<T>,
    schema: Schema,
    ty: Type,
}

impl<T: ?Sized> Entry<T> {
    fn new(imp: Arc<T>, schema: Schema) -> Self {
        let ty = schema.value_type();
        Entry { imp, schema, ty }
    }
}

/// Serves one [`Provider`] over tfplugin6.
pub struct ProviderService<P: Provider> {
    provider: Arc<P>,
    provider_schema: Schema,
    provider_type: Type,
    resources: BTreeMap<String, Entry<dyn Resource>>,
    data_sources: BTreeMap<String, Entry<dyn DataSource>>,
    /// Parent of every operation's token; fires on plugin shutdown.
    shutdown: CancellationToken,
    /// Token of the operations currently allowed to run; StopProvider cancels it and
    /// installs a fresh one so later calls in the same process still work.
    stop: Mutex<CancellationToken>,
}

impl<P: Provider> ProviderService<P> {
    pub fn new(provider: P, shutdown: CancellationToken) -> Self {
        let resources = provider
            .resources()
            .into_iter()
            .map(|r| (r.type_name().to_string(), Entry::new(r.clone(), r.schema())))
            .collect();
        let data_sources = provider
            .data_sources()
            .into_iter()
            .map(|d| (d.type_name().to_string(), Entry::new(d.clone(), d.schema())))
            .collect();
        let provider_schema = provider.schema();
        ProviderService {
            provider_type: provider_schema.value_type(),
            provider_schema,
            provider: Arc::new(provider),
            resources,
            data_sources,
            stop: Mutex::new(shutdown.child_token()),
            shutdown,
        }
    }

    fn context(&self) -> Context {
        Context {
            cancel: self.stop.lock().expect("stop lock").child_token(),
        }
    }

    /// Cancels every operation in flight (StopProvider).
    fn stop_operations(&self) {
        let mut current = self.stop.lock().expect("stop lock");
        current.cancel();
        *current = self.shutdown.child_token();
    }

    fn resource(&self, type_name: &str, diags: &mut Diagnostics) -> Option<&Entry<dyn Resource>> {
        let found = self.resources.get(type_name);
        if found.is_none() {
            diags.push(unknown_type("resource", type_name, self.resources.keys()));
        }
        found
    }

    fn data_source(
        &self,
        type_name: &str,
        diags: &mut Diagnostics,
    ) -> Option<&Entry<dyn DataSource>> {
        let found = self.data_sources.get(type_name);
        if found.is_none() {
            diags.push(unknown_type(
                "data source",
                type_name,
                self.data_sources.keys(),
            ));
        }
        found
    }
}

fn unknown_type<'a>(
    kind: &str,
    type_name: &str,
    known: impl Iterator<Item = &'a String>,
) -> Diagnostic {
    let known: Vec<&str> = known.map(String::as_str).collect();
    let known = if known.is_empty() {
        "none".to_string()
    } else {
        known.join(", ")
    };
    Diagnostic::error(
        format!("Unknown {kind} type {type_name:?}"),
        format!("This provider has no {kind} named {type_name:?}. It offers: {known}."),
    )
}
