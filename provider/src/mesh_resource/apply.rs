//! ApplyResourceChange: read the inventory, plan against it, execute, read again, and
//! return what was actually reached (with one diagnostic per failed component, so a
//! failed apply saves the truth and the next one converges). Destroy deletes everything
//! carrying the mesh's tag, never an adopted VPC.

mod unusable;

use std::collections::BTreeSet;

use tfplugin::diag::{Diagnostic, Diagnostics};
use tfplugin::provider::{ApplyRequest, ApplyResponse, Context};
use tfplugin::value::Value;

use super::inputs::{desired_for, pin_regions, scope_of_state, vpc_places, DesiredInputs};
use super::ownership::{add_prior, check_collision, report_blocked};
use super::parse::{parse, recorded_id};
use super::private::Private;
use super::read::observe;
use super::run::{run, RunLimits};
use super::timeouts::{self, Timeouts};
use super::validation::validate;
use super::MeshResource;
use crate::config::ProviderConfig;
use crate::ec2::access::Connection;
use crate::ec2::types::{Inventory, TAG_MESH};
use crate::mesh::desired::Desired;
use crate::mesh::discover::{
    add_to_scope, anything_tagged, discover_from, fetch, mesh_id, scope_of_inventory, Scope,
};
use crate::mesh::plan::{plan as plan_mesh, render};
use unusable::{unusable_new_places, Reading};

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
            max_concurrency: config.aws.max_concurrency,
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
    let id = match recorded_id(&req.prior) {
        Some(id) => id,
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
    for (at, vpc_id) in vpc_places(&mesh, &conn.region) {
        add_to_scope(&mut scope, &at, vpc_id);
    }
    if let Some(inv) = &stored.inventory {
        scope_of_inventory(&mut scope, inv);
    }
    let unusable = unusable_new_places(&conn, &id, &mut scope, &req.prior, &stored).await;
    let inventory = match discover_from(conn.ec2.as_ref(), &id, scope.clone()).await {
        Ok(inv) => inv,
        Err(e) => {
            diags.push(Diagnostic::error(
                "Cannot read the mesh",
                format!("reading mesh {id} from EC2 before changing it: {e}. Nothing was changed."),
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
    let mut desired = match desired_for(&mesh, &inputs) {
        Ok(d) => d,
        Err(e) => {
            diags.push(Diagnostic::error("Cannot apply the mesh", e.to_string()));
            return unchanged;
        }
    };
    add_prior(&mut desired, &req.prior);
    if creating {
        // The plan checked this too, unless the provider could not reach EC2 then.
        check_collision(
            &plan_mesh(&desired, &inventory),
            &inventory,
            &mesh.name,
            diags,
        );
        if diags.has_errors() {
            return unchanged;
        }
    }
    let limits = RunLimits {
        timeout: if creating {
            timeouts.create
        } else {
            timeouts.update
        },
        max_concurrency: config.aws.max_concurrency,
    };
    // Each round plans from what the last one reached: a VPC's IPv6 block, asked for in
    // one round, is known in the next, and what derives from it is desired from then on.
    let desire = |inv: &Inventory| {
        let inputs = DesiredInputs {
            inventory: inv,
            ..inputs
        };
        match desired_for(&mesh, &inputs) {
            Ok(mut d) => {
                add_prior(&mut d, &req.prior);
                d
            }
            Err(_) => desired.clone(),
        }
    };
    let reading = Reading {
        scope: &scope,
        unusable: &unusable,
    };
    let Some(reached) = execute(ctx, &conn, &desire, &inventory, reading, limits, diags).await
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

/// Rounds of plan, execute and read at most per apply: a round repairs what a
/// transient failure of the one before left undone (and deletes a duplicate a lost
/// answer may have caused), so one apply converges on a bad day.
const ROUNDS: usize = 3;

/// Runs the plan from what `desire` makes of `inventory`, reads the inventory again,
/// and plans again from it while a round's failures may pass and time is left: the
/// truth after the last round, whatever failed, with that round's diagnostics. None
/// when even the read failed.
async fn execute(
    ctx: &Context,
    conn: &Connection,
    desire: &(dyn Fn(&Inventory) -> Desired + Sync),
    inventory: &Inventory,
    reading: Reading<'_>,
    limits: RunLimits,
    diags: &mut Diagnostics,
) -> Option<Inventory> {
    let deadline = tokio::time::Instant::now() + limits.timeout;
    let mut after_scope = reading.scope.clone();
    let mut desired = desire(inventory);
    for vpc in desired.vpcs.values() {
        add_to_scope(&mut after_scope, &vpc.region, vpc.adopted_id.as_deref());
    }
    after_scope.retain(|at, _| !reading.unusable.contains(at));
    let mut current = inventory.clone();
    let mut blocked = Vec::new();
    for round in 1..=ROUNDS {
        if round > 1 {
            desired = desire(&current);
        }
        let plan = plan_mesh(&desired, &current);
        blocked.clone_from(&plan.blocked);
        if plan.is_empty() {
            break;
        }
        tracing::debug!(round, steps = plan.steps.len(), plan = %render(&plan), "executing mesh plan");
        let mut round_diags = Diagnostics::new();
        let left = RunLimits {
            timeout: deadline.saturating_duration_since(tokio::time::Instant::now()),
            ..limits
        };
        let outcome = run(ctx, conn, &plan, left, &mut round_diags).await;
        current = match fetch(conn.ec2.as_ref(), &desired.mesh_id, &after_scope).await {
            Ok(inv) => inv,
            Err(e) => {
                diags.extend(round_diags);
                diags.push(Diagnostic::error(
                    "Cannot read the mesh after changing it",
                    format!("reading mesh {} from EC2: {e}. The next refresh reads it again; objects made so far carry the mesh's tags and will be adopted.", desired.mesh_id),
                ));
                return None;
            }
        };
        let passing = outcome.errors.iter().all(|e| e.transient);
        let again = round < ROUNDS && !outcome.cancelled && passing;
        if !again {
            diags.extend(round_diags);
            break;
        }
        if !outcome.errors.is_empty() {
            tracing::info!(
                round,
                failed = outcome.errors.len(),
                "some steps failed in a way that may pass; planning again from what EC2 holds now"
            );
        }
    }
    report_blocked(&blocked, diags);
    Some(current)
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
    let recorded = recorded_id(prior)?;
    let id = recorded.as_str();
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
    let inventory = match discover_from(conn.ec2.as_ref(), id, scope.clone()).await {
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
    let mut nothing = Desired::nothing(id, protected);
    add_prior(&mut nothing, prior);
    let desire = |_: &Inventory| nothing.clone();
    // Destroy reads every place: nothing is left out.
    let unusable = BTreeSet::new();
    let reading = Reading {
        scope: &scope,
        unusable: &unusable,
    };
    let reached = execute(ctx, conn, &desire, &inventory, reading, limits, diags).await?;
    // Done when nothing of the mesh's is left to delete: objects that only carry a copy
    // of its tags (outside its VPCs, unknown components) stay, and must not fail it.
    if plan_mesh(&nothing, &reached).is_empty() {
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
