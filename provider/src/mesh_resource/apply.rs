//! ApplyResourceChange: read the inventory, plan against it, execute, read again, and
//! return what was actually reached (with one diagnostic per failed component, so a
//! failed apply saves the truth and the next one converges). Destroy deletes everything
//! carrying the mesh's tag, never an adopted VPC.

use tfplugin::diag::{Diagnostic, Diagnostics};
use tfplugin::provider::{ApplyRequest, ApplyResponse, Context};
use tfplugin::value::Value;

use super::client::Connection;
use super::engine::{
    add_to_scope, anything_tagged, desired_for, fetch, mesh_id, pin_regions, scope_of_inventory,
    scope_of_state, DesiredInputs, Scope,
};
use super::parse::parse;
use super::private::Private;
use super::read::observe;
use super::run::{run, RunLimits};
use super::timeouts::{self, Timeouts};
use super::MeshResource;
use crate::config::ProviderConfig;
use crate::ec2::types::{Inventory, TAG_MESH};
use crate::mesh::desired::Desired;
use crate::mesh::plan::{plan as plan_mesh, render};
use crate::mesh::validate::validate;

pub(super) async fn apply(
    res: &MeshResource,
    ctx: &Context,
    req: ApplyRequest,
    diags: &mut Diagnostics,
) -> ApplyResponse {
    let unchanged = ApplyResponse {
        new_state: req.prior.clone(),
        private: req.planned_private.clone(),
    };
    let Some((config, conn)) = res.connect(diags).await else {
        return unchanged;
    };
    let stored = Private::decode(&req.planned_private);
    if req.planned.is_null() {
        let limits = RunLimits {
            timeout: limits_of(&req.prior).delete,
            max_concurrency: config.max_concurrency,
        };
        return destroy(ctx, &req.prior, &stored, &config, &conn, limits, diags)
            .await
            .unwrap_or(unchanged);
    }
    let timeouts = timeouts::from_config(req.config.get("timeouts"), diags);
    let mut mesh = parse(&req.config, diags).mesh;
    pin_regions(&mut mesh, &req.planned, &conn.region);
    validate(&mesh, &config.quotas, diags);
    if diags.has_errors() {
        return unchanged;
    }
    let creating = req.prior.is_null();
    let id = match req.prior.get("id").as_str() {
        Some(id) => id.to_string(),
        None => match conn.ec2.account_id().await {
            Ok(account) => mesh_id(&mesh.name, &conn.region, &account),
            Err(e) => {
                diags.push(Diagnostic::error(
                    "Cannot identify the AWS account",
                    format!("the mesh id depends on it: {e}"),
                ));
                return unchanged;
            }
        },
    };
    let mut scope = Scope::new();
    add_to_scope(&mut scope, &conn.region, None);
    scope_of_state(&mut scope, &req.prior);
    for spec in mesh.vpcs.values() {
        add_to_scope(
            &mut scope,
            spec.region.as_deref().unwrap_or(&conn.region),
            spec.vpc_id.as_deref(),
        );
    }
    if let Some(inv) = &stored.inventory {
        scope_of_inventory(&mut scope, inv);
    }
    let inventory = match fetch(conn.ec2.as_ref(), &id, &scope).await {
        Ok(inv) => inv,
        Err(e) => {
            diags.push(Diagnostic::error(
                "Cannot read the mesh",
                format!("reading mesh {id} from EC2 before changing it: {e}"),
            ));
            return unchanged;
        }
    };
    let inputs = DesiredInputs {
        mesh_id: &id,
        default_region: &conn.region,
        default_tags: &config.default_tags,
        inventory: &inventory,
        placeholders: false,
    };
    let desired = match desired_for(&mesh, &inputs) {
        Ok(d) => d,
        Err(e) => {
            diags.push(Diagnostic::error("Cannot apply the mesh", e.to_string()));
            return unchanged;
        }
    };
    let limits = RunLimits {
        timeout: if creating {
            timeouts.create
        } else {
            timeouts.update
        },
        max_concurrency: config.max_concurrency,
    };
    let Some(reached) = execute(ctx, &conn, &desired, &inventory, &scope, limits, diags).await
    else {
        return unchanged;
    };
    if creating && !anything_tagged(&reached, &id) {
        // Nothing was made: there is no mesh to save.
        return ApplyResponse {
            new_state: Value::Null,
            private: Vec::new(),
        };
    }
    let mut new_state = observe_applied(&req.planned, &id, &conn.region, &config, &reached);
    // A plan for Terraform before 1.0.6 carries `vpcs` as written; the state must too.
    let vpcs_as_written = req.planned.get("vpcs") == req.config.get("vpcs");
    if let (true, Value::Object(attrs)) = (vpcs_as_written, &mut new_state) {
        attrs.insert("vpcs".to_string(), req.config.get("vpcs").clone());
    }
    let private = Private {
        default_region: Some(conn.region.clone()),
        inventory: Some(reached),
    }
    .encode();
    ApplyResponse { new_state, private }
}

/// The timeouts a state was applied with (destroy has no configuration to read).
fn limits_of(state: &Value) -> Timeouts {
    timeouts::from_config(state.get("timeouts"), &mut Diagnostics::new())
}

/// The planned value, with every computed value read from what exists.
fn observe_applied(
    planned: &Value,
    id: &str,
    region: &str,
    config: &ProviderConfig,
    inv: &Inventory,
) -> Value {
    observe(planned, id, region, &config.default_tags, inv)
}

/// Runs the plan from `desired` against `inventory`, then reads the inventory again: the
/// truth after the run, whatever failed. None when even that read failed.
async fn execute(
    ctx: &Context,
    conn: &Connection,
    desired: &Desired,
    inventory: &Inventory,
    scope: &Scope,
    limits: RunLimits,
    diags: &mut Diagnostics,
) -> Option<Inventory> {
    let plan = plan_mesh(desired, inventory);
    tracing::debug!(steps = plan.steps.len(), plan = %render(&plan), "executing mesh plan");
    run(ctx, conn, &plan, limits, diags).await;
    let mut after_scope = scope.clone();
    for vpc in desired.vpcs.values() {
        add_to_scope(&mut after_scope, &vpc.region, vpc.adopted_id.as_deref());
    }
    match fetch(conn.ec2.as_ref(), &desired.mesh_id, &after_scope).await {
        Ok(inv) => Some(inv),
        Err(e) => {
            diags.push(Diagnostic::error(
                "Cannot read the mesh after changing it",
                format!("reading mesh {} from EC2: {e}. The next refresh reads it again; objects made so far carry the mesh's tags and will be adopted.", desired.mesh_id),
            ));
            None
        }
    }
}

/// Deletes every object carrying the mesh's tag. Some(Null) when nothing is left; the
/// state of what is left otherwise (with the errors in `diags`).
async fn destroy(
    ctx: &Context,
    prior: &Value,
    stored: &Private,
    config: &ProviderConfig,
    conn: &Connection,
    limits: RunLimits,
    diags: &mut Diagnostics,
) -> Option<ApplyResponse> {
    let id = prior.get("id").as_str()?;
    let mut scope = Scope::new();
    add_to_scope(
        &mut scope,
        stored.default_region.as_deref().unwrap_or(&conn.region),
        None,
    );
    scope_of_state(&mut scope, prior);
    if let Some(inv) = &stored.inventory {
        scope_of_inventory(&mut scope, inv);
    }
    let inventory = match fetch(conn.ec2.as_ref(), id, &scope).await {
        Ok(inv) => inv,
        Err(e) => {
            diags.push(Diagnostic::error(
                "Cannot read the mesh",
                format!("reading mesh {id} from EC2 before deleting it: {e}"),
            ));
            return None;
        }
    };
    // VPCs without the mesh's tag were adopted: what the mesh made in them goes, they stay.
    let protected = inventory
        .vpcs
        .iter()
        .filter(|v| v.tags.get(TAG_MESH).map(String::as_str) != Some(id))
        .map(|v| v.id.clone())
        .collect();
    let nothing = Desired::nothing(id, protected);
    let reached = execute(ctx, conn, &nothing, &inventory, &scope, limits, diags).await?;
    if !anything_tagged(&reached, id) {
        return Some(ApplyResponse {
            new_state: Value::Null,
            private: Vec::new(),
        });
    }
    if !diags.has_errors() {
        diags.push(Diagnostic::error(
            "Mesh not fully deleted",
            format!("objects tagged peering:mesh = {id} are still there after the delete; run terraform destroy again."),
        ));
    }
    let default_region = stored
        .default_region
        .clone()
        .unwrap_or_else(|| conn.region.clone());
    let new_state = observe(prior, id, &default_region, &config.default_tags, &reached);
    let private = Private {
        default_region: Some(default_region),
        inventory: Some(reached),
    }
    .encode();
    Some(ApplyResponse { new_state, private })
}
