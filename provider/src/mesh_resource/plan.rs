//! PlanResourceChange. The planned value keeps what the user wrote, fills defaults, and
//! knows every id the pure planner says stays: the planner runs against the inventory
//! kept in private state by the last refresh, so no EC2 call is made here.
//!
//! Drift: the planner also runs for the prior state. Its steps are what EC2 lost since
//! (a peering, route or rule deleted outside Terraform); the components they touch are
//! shown as unknown, so the plan is not empty and apply repairs them, and a warning
//! lists the repairs.

use std::collections::BTreeSet;

use tfplugin::diag::{AttributePath, Diagnostic, Diagnostics};
use tfplugin::provider::{PlanRequest, PlanResponse};
use tfplugin::value::Value;

use super::drift::{describe, keys_of, touched, within};
use super::inputs::{desired_for, pin_regions, unadopt_created, vpc_places, DesiredInputs};
use super::ownership::{add_prior, check_collision, report_blocked};
use super::parse::{parse, recorded_id, UNKNOWN_REGION};
use super::private::Private;
use super::state::{build, Facts, Mode};
use super::validation::check_accounts;
use super::{check_config, MeshResource};
use crate::ec2::access::ConnectError;
use crate::ec2::types::Inventory;
use crate::mesh::discover::{add_to_scope, discover_from, mesh_id, Scope};
use crate::mesh::key::Key;
use crate::mesh::model::Mesh;
use crate::mesh::plan::{plan as plan_mesh, Plan};

pub(super) async fn plan(
    res: &MeshResource,
    req: PlanRequest,
    diags: &mut Diagnostics,
) -> PlanResponse {
    if req.proposed.is_null() {
        return PlanResponse {
            planned: Value::Null,
            planned_private: req.prior_private,
            ..PlanResponse::default()
        };
    }
    let config = res.provider_config();
    let quotas = config
        .as_ref()
        .map(|c| c.quotas.clone())
        .unwrap_or_default();
    let default_tags = config
        .as_ref()
        .map(|c| c.default_tags.clone())
        .unwrap_or_default();
    let parsed = check_config(&req.config, &quotas, diags);
    if let Some(config) = &config {
        check_accounts(&parsed.mesh, config.aws.accounts.keys(), diags);
    }
    if diags.has_errors() {
        return PlanResponse {
            planned: req.proposed,
            planned_private: req.prior_private,
            ..PlanResponse::default()
        };
    }
    let private = Private::decode(&req.prior_private);
    let default_region = config
        .and_then(|c| c.aws.region)
        .or(private.default_region.clone())
        .unwrap_or_else(|| UNKNOWN_REGION.to_string());
    let mut mesh = parsed.mesh.clone();
    pin_regions(&mut mesh, &req.prior, &default_region);

    let prior_id = recorded_id(&req.prior);
    let inventory = match (&prior_id, private.inventory) {
        (Some(_), Some(inv)) => inv,
        _ => Inventory::default(),
    };
    let inputs = DesiredInputs {
        mesh_id: prior_id.as_deref().unwrap_or_default(),
        default_region: &default_region,
        default_tags: &default_tags,
        inventory: &inventory,
        placeholders: true,
    };
    let mut desired = match desired_for(&mesh, &inputs) {
        Ok(d) => d,
        Err(e) => {
            diags.push(Diagnostic::error("Cannot plan the mesh", e.to_string()));
            return PlanResponse {
                planned: req.proposed,
                planned_private: req.prior_private,
                ..PlanResponse::default()
            };
        }
    };
    add_prior(&mut desired, &req.prior);
    let next = plan_mesh(&desired, &inventory);
    report_blocked(&next.blocked, diags);
    if req.prior.is_null() {
        check_new_mesh(res, &mesh, &default_region, &default_tags, diags).await;
    }
    let drift = drift(&req.prior, &mesh, &next, &inputs);
    if !drift.repairs.is_empty() {
        diags.push(Diagnostic::warning(
            "The mesh drifted: apply will repair it",
            format!(
                "Since the last apply, EC2 changed outside Terraform:\n- {}",
                drift.repairs.join("\n- ")
            ),
        ));
    }
    let facts = Facts {
        mode: Mode::Plan,
        mesh: &mesh,
        unknown: &parsed.unknown,
        ids: &next.known,
        stale: &drift.stale,
        inventory: &inventory,
        id: prior_id.clone().map_or(Value::Unknown, Value::from),
    };
    let built = build(&req.config, &facts);
    let mut planned = built.value;
    if (!built.unplaced.is_empty() || drift.unplaced) && prior_id.is_some() {
        // Nothing else stands for these repairs; an unknown id makes Terraform apply.
        if let Value::Object(attrs) = &mut planned {
            attrs.insert("id".to_string(), Value::Unknown);
        }
    }
    if res.legacy_nested_plans() {
        keep_vpcs_as_written_or_as_they_were(&mut planned, &req.prior, &req.config);
    }
    let name_changed = !req.prior.is_null() && req.prior.get("name") != req.config.get("name");
    let requires_replace = if name_changed {
        vec![AttributePath::root("name")]
    } else {
        Vec::new()
    };
    PlanResponse {
        planned,
        requires_replace,
        planned_private: req.prior_private,
    }
}

struct Drift {
    /// Components that drifted and that the new plan touches too.
    stale: BTreeSet<Key>,
    repairs: Vec<String>,
    /// A repair no component key names (e.g. an untagged association).
    unplaced: bool,
}

/// What the prior state says exists but EC2 lacks, restricted to what the new plan
/// repairs (a drifted VPC the configuration removes needs no repair).
fn drift(prior: &Value, mesh: &Mesh, next: &Plan, inputs: &DesiredInputs<'_>) -> Drift {
    let mut out = Drift {
        stale: BTreeSet::new(),
        repairs: Vec::new(),
        unplaced: false,
    };
    if prior.is_null() || *inputs.inventory == Inventory::default() {
        return out;
    }
    let mut ignored = Diagnostics::new();
    let mut prior_mesh = parse(prior, &mut ignored).mesh;
    unadopt_created(&mut prior_mesh, inputs.inventory, inputs.mesh_id);
    pin_regions(&mut prior_mesh, prior, inputs.default_region);
    let Ok(desired) = desired_for(&prior_mesh, inputs) else {
        return out;
    };
    let before = plan_mesh(&desired, inputs.inventory);
    let next_keys = touched(next, inputs.inventory);
    for step in &before.steps {
        let keys = keys_of(&step.op, inputs.inventory);
        let relevant: Vec<Key> = keys
            .iter()
            .filter(|k| next_keys.contains(*k) && within(k, mesh))
            .cloned()
            .collect();
        if !relevant.is_empty() {
            out.stale.extend(relevant);
            out.repairs.push(describe(&step.op));
        } else if keys.is_empty() && next.steps.iter().any(|s| s.op == step.op) {
            out.unplaced = true;
            out.repairs.push(describe(&step.op));
        }
    }
    out
}

/// For Terraform before 1.0.6 (see [`MeshResource::set_terraform_version`]): `vpcs`
/// must equal the configuration or the prior state. When the plan changes anything in
/// it, it is planned as written; apply then saves it as written and the next refresh
/// reads its computed values.
fn keep_vpcs_as_written_or_as_they_were(planned: &mut Value, prior: &Value, config: &Value) {
    let unchanged = !prior.is_null() && planned.get("vpcs") == prior.get("vpcs");
    if let (false, Value::Object(attrs)) = (unchanged, planned) {
        attrs.insert("vpcs".to_string(), config.get("vpcs").clone());
    }
}

/// A mesh without state: one discovery under the id it will get, to find out before
/// anything is made whether the name is taken (see [`check_collision`]). Skipped while
/// the provider's configuration is not known yet; apply checks again in any case.
async fn check_new_mesh(
    res: &MeshResource,
    mesh: &Mesh,
    default_region: &str,
    default_tags: &crate::ec2::types::Tags,
    diags: &mut Diagnostics,
) {
    let conn = match res.access.connect().await {
        Ok((_, conn)) => conn,
        Err(ConnectError::NotConfigured) => return,
        Err(ConnectError::Failed(e)) => {
            diags.push(Diagnostic::warning(
                "Could not check whether the mesh name is taken",
                format!("{e}. Apply checks again before it makes anything."),
            ));
            return;
        }
    };
    let checked = async {
        let account = conn.ec2.account_id().await?;
        let id = mesh_id(&mesh.name, &conn.region, &account);
        let mut scope = Scope::new();
        add_to_scope(&mut scope, default_region, None);
        for (at, vpc_id) in vpc_places(mesh, default_region) {
            add_to_scope(&mut scope, &at, vpc_id);
        }
        let inv = discover_from(conn.ec2.as_ref(), &id, scope).await?;
        Ok::<_, crate::ec2::Ec2Error>((id, inv))
    };
    let (id, inventory) = match checked.await {
        Ok(found) => found,
        Err(e) => {
            diags.push(Diagnostic::warning(
                "Could not check whether the mesh name is taken",
                format!("reading EC2: {e}. Apply checks again before it makes anything."),
            ));
            return;
        }
    };
    let inputs = DesiredInputs {
        mesh_id: &id,
        default_region,
        default_tags,
        inventory: &inventory,
        placeholders: true,
    };
    if let Ok(desired) = desired_for(mesh, &inputs) {
        check_collision(
            &plan_mesh(&desired, &inventory),
            &inventory,
            &mesh.name,
            diags,
        );
    }
}
