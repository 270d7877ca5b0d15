//! The executor: runs a [`Plan`] against EC2 as a DAG with bounded concurrency. A step
//! starts once every step it depends on succeeded; when a step fails its dependants are
//! skipped while independent steps go on. Cancellation stops everything in flight at
//! once. Every step is idempotent, so a failed apply is repaired by planning again from
//! a fresh inventory (objects are tagged at creation and found again) or by re-running
//! the same plan from the ids it reached.

mod adopt;
mod dependency;
mod failure;
mod ops;
mod recover;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;
use std::time::Duration;

use futures::stream::{FuturesUnordered, StreamExt};
use tokio_util::sync::CancellationToken;

use super::key::Key;
use super::model::Pair;
use super::plan::{Plan, StepId};
use crate::ec2::types::PeeringStatus;
use crate::ec2::Ec2;

/// The resource's `timeouts`: each step is bounded by the one of its kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    pub create: Duration,
    pub update: Duration,
    pub delete: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            create: Duration::from_secs(30 * 60),
            update: Duration::from_secs(30 * 60),
            delete: Duration::from_secs(30 * 60),
        }
    }
}

#[derive(Debug, Clone)]
pub struct ExecuteOptions {
    /// EC2 operations in flight at once (at least 1).
    pub max_concurrency: usize,
    pub timeouts: Timeouts,
    /// Cancelled by Terraform's StopProvider (or Ctrl-C).
    pub cancel: CancellationToken,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepStatus {
    Done,
    Failed,
    /// A step it depends on failed.
    Skipped,
    /// Not finished when the run was cancelled.
    Cancelled,
}

/// What a failed step was doing, by component: "creating EC2 VPC Peering Connection
/// (development:production): waiting for active: ...".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComponentError {
    pub step: StepId,
    pub component: String,
    pub message: String,
    /// The failure may pass (throttling, a 5xx, a lost answer, an object not visible
    /// yet): running the step again, in a new round, can succeed.
    pub transient: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    /// Ids of every desired component that exists now: the plan's known ids plus what
    /// the run created.
    pub ids: BTreeMap<Key, String>,
    /// Peering statuses the run observed (accepted, waited for).
    pub peering_status: BTreeMap<Pair, PeeringStatus>,
    /// One per plan step.
    pub steps: Vec<StepStatus>,
    pub errors: Vec<ComponentError>,
    pub cancelled: bool,
}

impl Outcome {
    pub fn is_complete(&self) -> bool {
        self.steps.iter().all(|s| *s == StepStatus::Done)
    }
}

pub async fn execute(ec2: &dyn Ec2, plan: &Plan, opts: &ExecuteOptions) -> Outcome {
    execute_from(ec2, plan, opts, plan.known.clone()).await
}

/// Runs `plan` with `ids` as the components already reached, e.g. the ids of an earlier
/// run of the same plan: creations of components with an id are not repeated.
pub async fn execute_from(
    ec2: &dyn Ec2,
    plan: &Plan,
    opts: &ExecuteOptions,
    ids: BTreeMap<Key, String>,
) -> Outcome {
    let n = plan.steps.len();
    let ctx = ops::Ctx {
        ec2,
        mesh_id: &plan.mesh_id,
        ids: Mutex::new(ids),
        statuses: Mutex::new(BTreeMap::new()),
        timeouts: opts.timeouts,
    };
    let mut dependants: Vec<Vec<StepId>> = vec![Vec::new(); n];
    let mut waiting: Vec<usize> = plan.steps.iter().map(|s| s.after.len()).collect();
    for (i, step) in plan.steps.iter().enumerate() {
        for &d in &step.after {
            dependants[d].push(i);
        }
    }
    let mut ready: BTreeSet<StepId> = (0..n).filter(|&i| waiting[i] == 0).collect();
    let mut status: Vec<Option<StepStatus>> = vec![None; n];
    let mut errors = Vec::new();
    let mut running = FuturesUnordered::new();
    let ctx = &ctx;
    let cancelled = loop {
        while running.len() < opts.max_concurrency.max(1) && !opts.cancel.is_cancelled() {
            let Some(i) = ready.pop_first() else { break };
            let op = &plan.steps[i].op;
            running.push(async move { (i, ctx.run(op).await) });
        }
        if running.is_empty() {
            break opts.cancel.is_cancelled() && status.iter().any(Option::is_none);
        }
        let finished = tokio::select! {
            biased;
            _ = opts.cancel.cancelled() => None,
            next = running.next() => next,
        };
        let Some((i, result)) = finished else {
            break true;
        };
        match result {
            Ok(()) => {
                status[i] = Some(StepStatus::Done);
                for &d in &dependants[i] {
                    waiting[d] -= 1;
                    if waiting[d] == 0 {
                        ready.insert(d);
                    }
                }
            }
            Err((message, transient)) => {
                status[i] = Some(StepStatus::Failed);
                errors.push(ComponentError {
                    step: i,
                    component: plan.steps[i].op.component(),
                    message,
                    transient,
                });
                skip_dependants(i, &dependants, &mut status);
            }
        }
    };
    drop(running);
    let unfinished = if cancelled {
        StepStatus::Cancelled
    } else {
        StepStatus::Skipped
    };
    let ids = ctx.ids.lock().unwrap_or_else(|e| e.into_inner()).clone();
    let peering_status = ctx
        .statuses
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    Outcome {
        ids,
        peering_status,
        steps: status
            .into_iter()
            .map(|s| s.unwrap_or_else(|| unfinished.clone()))
            .collect(),
        errors,
        cancelled,
    }
}

fn skip_dependants(failed: StepId, dependants: &[Vec<StepId>], status: &mut [Option<StepStatus>]) {
    let mut stack = dependants[failed].clone();
    while let Some(i) = stack.pop() {
        if status[i].is_none() {
            status[i] = Some(StepStatus::Skipped);
            stack.extend(&dependants[i]);
        }
    }
}

#[cfg(test)]
mod tests;
