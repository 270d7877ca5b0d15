//! One method per tfplugin6 RPC: decode, dispatch, encode. Every failure becomes a
//! diagnostic; gRPC status errors are reserved for RPCs Terraform never calls on us.

use std::pin::Pin;

use futures::Stream;
use tonic::{Request, Response, Status};
use tracing::{debug, info};

use super::convert::{decode, diagnostics, encode, path, schema};
use super::ProviderService;
use crate::diag::{Diagnostic, Diagnostics};
use crate::proto::tfplugin6 as pb;
use crate::proto::tfplugin6::provider_server::Provider as Rpc;
use crate::provider::{ApplyRequest, PlanRequest, Provider};

type Reply<T> = Result<Response<T>, Status>;
type BoxStream<T> = Pin<Box<dyn Stream<Item = Result<T, Status>> + Send + 'static>>;

fn ok<T>(t: T) -> Reply<T> {
    Ok(Response::new(t))
}

fn not_offered(kind: &str, name: &str) -> Vec<pb::Diagnostic> {
    diagnostics(
        &Diagnostic::error(
            format!("Unknown {kind} {name:?}"),
            format!("This provider offers no {kind}s."),
        )
        .into(),
    )
}

fn capabilities() -> pb::ServerCapabilities {
    pb::ServerCapabilities {
        plan_destroy: false,
        get_provider_schema_optional: false,
        move_resource_state: false,
        generate_resource_config: false,
    }
}

#[tonic::async_trait]
impl<P: Provider> Rpc for ProviderService<P> {
    async fn get_metadata(
        &self,
        _: Request<pb::get_metadata::Request>,
    ) -> Reply<pb::get_metadata::Response> {
        ok(pb::get_metadata::Response {
            server_capabilities: Some(capabilities()),
            data_sources: (self.data_sources.keys())
                .map(|t| pb::get_metadata::DataSourceMetadata {
                    type_name: t.clone(),
                })
                .collect(),
            resources: (self.resources.keys())
                .map(|t| pb::get_metadata::ResourceMetadata {
                    type_name: t.clone(),
                })
                .collect(),
            ..Default::default()
        })
    }

    async fn get_provider_schema(
        &self,
        _: Request<pb::get_provider_schema::Request>,
    ) -> Reply<pb::get_provider_schema::Response> {
        debug!("serving provider schema");
        ok(pb::get_provider_schema::Response {
            provider: Some(schema(&self.provider_schema)),
            resource_schemas: (self.resources.iter())
                .map(|(k, e)| (k.clone(), schema(&e.schema)))
                .collect(),
            data_source_schemas: (self.data_sources.iter())
                .map(|(k, e)| (k.clone(), schema(&e.schema)))
                .collect(),
            server_capabilities: Some(capabilities()),
            ..Default::default()
        })
    }

    async fn get_resource_identity_schemas(
        &self,
        _: Request<pb::get_resource_identity_schemas::Request>,
    ) -> Reply<pb::get_resource_identity_schemas::Response> {
        ok(Default::default())
    }

    async fn validate_provider_config(
        &self,
        req: Request<pb::validate_provider_config::Request>,
    ) -> Reply<pb::validate_provider_config::Response> {
        let req = req.into_inner();
        let mut diags = Diagnostics::new();
        if let Some(config) = decode(
            req.config.as_ref(),
            &self.provider_type,
            "provider configuration",
            &mut diags,
        ) {
            self.provider.validate_config(&config, &mut diags).await;
        }
        ok(pb::validate_provider_config::Response {
            diagnostics: diagnostics(&diags),
        })
    }

    async fn validate_resource_config(
        &self,
        req: Request<pb::validate_resource_config::Request>,
    ) -> Reply<pb::validate_resource_config::Response> {
        let req = req.into_inner();
        let mut diags = Diagnostics::new();
        if let Some(e) = self.resource(&req.type_name, &mut diags) {
            if let Some(config) = decode(
                req.config.as_ref(),
                &e.ty,
                "resource configuration",
                &mut diags,
            ) {
                e.imp.validate(&config, &mut diags).await;
            }
        }
        ok(pb::validate_resource_config::Response {
            diagnostics: diagnostics(&diags),
        })
    }

    async fn validate_data_resource_config(
        &self,
        req: Request<pb::validate_data_resource_config::Request>,
    ) -> Reply<pb::validate_data_resource_config::Response> {
        let req = req.into_inner();
        let mut diags = Diagnostics::new();
        if let Some(e) = self.data_source(&req.type_name, &mut diags) {
            if let Some(config) = decode(
                req.config.as_ref(),
                &e.ty,
                "data source configuration",
                &mut diags,
            ) {
                e.imp.validate(&config, &mut diags).await;
            }
        }
        ok(pb::validate_data_resource_config::Response {
            diagnostics: diagnostics(&diags),
        })
    }

    async fn upgrade_resource_state(
        &self,
        req: Request<pb::upgrade_resource_state::Request>,
    ) -> Reply<pb::upgrade_resource_state::Response> {
        let req = req.into_inner();
        let mut diags = Diagnostics::new();
        let mut upgraded_state = None;
        if let Some(e) = self.resource(&req.type_name, &mut diags) {
            let json = req.raw_state.map(|r| r.json).unwrap_or_default();
            if json.is_empty() {
                diags.push(Diagnostic::error(
                    "Stored state is not JSON",
                    "This provider reads JSON state only; the state was written in the legacy flatmap form.",
                ));
            } else if let Some(v) = e.imp.upgrade_state(req.version, &json, &mut diags).await {
                upgraded_state = encode(&v, &e.ty, "upgraded state", &mut diags);
            }
        }
        ok(pb::upgrade_resource_state::Response {
            upgraded_state,
            diagnostics: diagnostics(&diags),
        })
    }

    async fn upgrade_resource_identity(
        &self,
        req: Request<pb::upgrade_resource_identity::Request>,
    ) -> Reply<pb::upgrade_resource_identity::Response> {
        let name = req.into_inner().type_name;
        ok(pb::upgrade_resource_identity::Response {
            upgraded_identity: None,
            diagnostics: not_offered("resource identity for", &name),
        })
    }

    async fn configure_provider(
        &self,
        req: Request<pb::configure_provider::Request>,
    ) -> Reply<pb::configure_provider::Response> {
        let req = req.into_inner();
        info!(terraform_version = %req.terraform_version, "configuring provider");
        self.provider.terraform_version(&req.terraform_version);
        let mut diags = Diagnostics::new();
        if let Some(config) = decode(
            req.config.as_ref(),
            &self.provider_type,
            "provider configuration",
            &mut diags,
        ) {
            self.provider
                .configure(&self.context(), &config, &mut diags)
                .await;
        }
        ok(pb::configure_provider::Response {
            diagnostics: diagnostics(&diags),
        })
    }

    async fn read_resource(
        &self,
        req: Request<pb::read_resource::Request>,
    ) -> Reply<pb::read_resource::Response> {
        let req = req.into_inner();
        let mut diags = Diagnostics::new();
        let mut resp = pb::read_resource::Response {
            new_state: req.current_state.clone(),
            private: req.private.clone(),
            ..Default::default()
        };
        if let Some(e) = self.resource(&req.type_name, &mut diags) {
            if let Some(state) = decode(
                req.current_state.as_ref(),
                &e.ty,
                "current state",
                &mut diags,
            ) {
                let read = e
                    .imp
                    .read(&self.context(), &state, &req.private, &mut diags)
                    .await;
                resp.new_state = encode(&read.new_state, &e.ty, "refreshed state", &mut diags);
                resp.private = read.private;
            }
        }
        resp.diagnostics = diagnostics(&diags);
        ok(resp)
    }

    async fn plan_resource_change(
        &self,
        req: Request<pb::plan_resource_change::Request>,
    ) -> Reply<pb::plan_resource_change::Response> {
        let req = req.into_inner();
        let mut diags = Diagnostics::new();
        let mut resp = pb::plan_resource_change::Response::default();
        if let Some(e) = self.resource(&req.type_name, &mut diags) {
            let prior = decode(req.prior_state.as_ref(), &e.ty, "prior state", &mut diags);
            let proposed = decode(
                req.proposed_new_state.as_ref(),
                &e.ty,
                "proposed state",
                &mut diags,
            );
            let config = decode(req.config.as_ref(), &e.ty, "configuration", &mut diags);
            if let (Some(prior), Some(proposed), Some(config)) = (prior, proposed, config) {
                let plan = PlanRequest {
                    prior,
                    proposed,
                    config,
                    prior_private: req.prior_private,
                };
                let planned = e.imp.plan(&self.context(), plan, &mut diags).await;
                resp.planned_state = encode(&planned.planned, &e.ty, "planned state", &mut diags);
                resp.requires_replace = planned.requires_replace.iter().map(path).collect();
                resp.planned_private = planned.planned_private;
            }
        }
        resp.diagnostics = diagnostics(&diags);
        ok(resp)
    }

    async fn apply_resource_change(
        &self,
        req: Request<pb::apply_resource_change::Request>,
    ) -> Reply<pb::apply_resource_change::Response> {
        let req = req.into_inner();
        let mut diags = Diagnostics::new();
        // Until the resource says otherwise, what existed before still exists.
        let mut resp = pb::apply_resource_change::Response {
            new_state: req.prior_state.clone(),
            ..Default::default()
        };
        if let Some(e) = self.resource(&req.type_name, &mut diags) {
            let prior = decode(req.prior_state.as_ref(), &e.ty, "prior state", &mut diags);
            let planned = decode(
                req.planned_state.as_ref(),
                &e.ty,
                "planned state",
                &mut diags,
            );
            let config = decode(req.config.as_ref(), &e.ty, "configuration", &mut diags);
            if let (Some(prior), Some(planned), Some(config)) = (prior, planned, config) {
                let apply = ApplyRequest {
                    prior,
                    planned,
                    config,
                    planned_private: req.planned_private,
                };
                let applied = e.imp.apply(&self.context(), apply, &mut diags).await;
                resp.new_state = encode(&applied.new_state, &e.ty, "new state", &mut diags);
                resp.private = applied.private;
            }
        }
        resp.diagnostics = diagnostics(&diags);
        ok(resp)
    }

    async fn import_resource_state(
        &self,
        req: Request<pb::import_resource_state::Request>,
    ) -> Reply<pb::import_resource_state::Response> {
        let req = req.into_inner();
        let mut diags = Diagnostics::new();
        let mut imported_resources = Vec::new();
        if let Some(e) = self.resource(&req.type_name, &mut diags) {
            let read = e.imp.import(&self.context(), &req.id, &mut diags).await;
            if !read.new_state.is_null() {
                imported_resources.push(pb::import_resource_state::ImportedResource {
                    type_name: req.type_name.clone(),
                    state: encode(&read.new_state, &e.ty, "imported state", &mut diags),
                    private: read.private,
                    identity: None,
                });
            } else if !diags.has_errors() {
                diags.push(Diagnostic::error(
                    "Cannot import non-existent remote object",
                    format!("No {} with id {:?} was found.", req.type_name, req.id),
                ));
            }
        }
        ok(pb::import_resource_state::Response {
            imported_resources,
            diagnostics: diagnostics(&diags),
            deferred: None,
        })
    }

    async fn move_resource_state(
        &self,
        req: Request<pb::move_resource_state::Request>,
    ) -> Reply<pb::move_resource_state::Response> {
        let req = req.into_inner();
        let detail = format!(
            "Moving state from {} {} into {} is not supported; remove the `moved` block and import the object instead.",
            req.source_provider_address, req.source_type_name, req.target_type_name
        );
        ok(pb::move_resource_state::Response {
            diagnostics: diagnostics(
                &Diagnostic::error("Cross-type move not supported", detail).into(),
            ),
            ..Default::default()
        })
    }

    async fn read_data_source(
        &self,
        req: Request<pb::read_data_source::Request>,
    ) -> Reply<pb::read_data_source::Response> {
        let req = req.into_inner();
        let mut diags = Diagnostics::new();
        let mut state = None;
        if let Some(e) = self.data_source(&req.type_name, &mut diags) {
            if let Some(config) = decode(
                req.config.as_ref(),
                &e.ty,
                "data source configuration",
                &mut diags,
            ) {
                if let Some(v) = e.imp.read(&self.context(), &config, &mut diags).await {
                    state = encode(&v, &e.ty, "data source state", &mut diags);
                }
            }
        }
        ok(pb::read_data_source::Response {
            state,
            diagnostics: diagnostics(&diags),
            deferred: None,
        })
    }

    async fn generate_resource_config(
        &self,
        req: Request<pb::generate_resource_config::Request>,
    ) -> Reply<pb::generate_resource_config::Response> {
        let name = req.into_inner().type_name;
        ok(pb::generate_resource_config::Response {
            config: None,
            diagnostics: not_offered("generated configuration for", &name),
        })
    }

    async fn validate_ephemeral_resource_config(
        &self,
        req: Request<pb::validate_ephemeral_resource_config::Request>,
    ) -> Reply<pb::validate_ephemeral_resource_config::Response> {
        let diagnostics = not_offered("ephemeral resource", &req.into_inner().type_name);
        ok(pb::validate_ephemeral_resource_config::Response { diagnostics })
    }

    async fn open_ephemeral_resource(
        &self,
        req: Request<pb::open_ephemeral_resource::Request>,
    ) -> Reply<pb::open_ephemeral_resource::Response> {
        let diagnostics = not_offered("ephemeral resource", &req.into_inner().type_name);
        ok(pb::open_ephemeral_resource::Response {
            diagnostics,
            ..Default::default()
        })
    }

    async fn renew_ephemeral_resource(
        &self,
        req: Request<pb::renew_ephemeral_resource::Request>,
    ) -> Reply<pb::renew_ephemeral_resource::Response> {
        let diagnostics = not_offered("ephemeral resource", &req.into_inner().type_name);
        ok(pb::renew_ephemeral_resource::Response {
            diagnostics,
            ..Default::default()
        })
    }

    async fn close_ephemeral_resource(
        &self,
        req: Request<pb::close_ephemeral_resource::Request>,
    ) -> Reply<pb::close_ephemeral_resource::Response> {
        let diagnostics = not_offered("ephemeral resource", &req.into_inner().type_name);
        ok(pb::close_ephemeral_resource::Response { diagnostics })
    }

    type ListResourceStream = BoxStream<pb::list_resource::Event>;

    async fn list_resource(
        &self,
        req: Request<pb::list_resource::Request>,
    ) -> Reply<Self::ListResourceStream> {
        let event = pb::list_resource::Event {
            diagnostic: not_offered("list resource", &req.into_inner().type_name),
            ..Default::default()
        };
        ok(Box::pin(futures::stream::iter([Ok(event)])))
    }

    async fn validate_list_resource_config(
        &self,
        req: Request<pb::validate_list_resource_config::Request>,
    ) -> Reply<pb::validate_list_resource_config::Response> {
        let diagnostics = not_offered("list resource", &req.into_inner().type_name);
        ok(pb::validate_list_resource_config::Response { diagnostics })
    }

    async fn get_functions(
        &self,
        _: Request<pb::get_functions::Request>,
    ) -> Reply<pb::get_functions::Response> {
        ok(Default::default())
    }

    async fn call_function(
        &self,
        req: Request<pb::call_function::Request>,
    ) -> Reply<pb::call_function::Response> {
        let name = req.into_inner().name;
        ok(pb::call_function::Response {
            result: None,
            error: Some(pb::FunctionError {
                text: format!("This provider offers no function named {name:?}."),
                function_argument: None,
            }),
        })
    }

    async fn plan_action(
        &self,
        req: Request<pb::plan_action::Request>,
    ) -> Reply<pb::plan_action::Response> {
        let diagnostics = not_offered("action", &req.into_inner().action_type);
        ok(pb::plan_action::Response {
            diagnostics,
            deferred: None,
        })
    }

    type InvokeActionStream = BoxStream<pb::invoke_action::Event>;

    async fn invoke_action(
        &self,
        req: Request<pb::invoke_action::Request>,
    ) -> Reply<Self::InvokeActionStream> {
        let completed = pb::invoke_action::event::Completed {
            diagnostics: not_offered("action", &req.into_inner().action_type),
        };
        let event = pb::invoke_action::Event {
            r#type: Some(pb::invoke_action::event::Type::Completed(completed)),
        };
        ok(Box::pin(futures::stream::iter([Ok(event)])))
    }

    async fn validate_action_config(
        &self,
        req: Request<pb::validate_action_config::Request>,
    ) -> Reply<pb::validate_action_config::Response> {
        let diagnostics = not_offered("action", &req.into_inner().type_name);
        ok(pb::validate_action_config::Response { diagnostics })
    }

    async fn stop_provider(
        &self,
        _: Request<pb::stop_provider::Request>,
    ) -> Reply<pb::stop_provider::Response> {
        info!("StopProvider: cancelling operations in flight");
        self.stop_operations();
        ok(pb::stop_provider::Response {
            error: String::new(),
        })
    }
}
