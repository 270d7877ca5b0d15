//! Runs a plan with the mesh executor and turns what failed into diagnostics, one per
//! failed component.

use std::time::Duration;

use tfplugin::diag::{Diagnostic, Diagnostics};
use tfplugin::provider::Context;

use crate::ec2::access::Connection;
use crate::mesh::execute::{self, execute, ExecuteOptions, Outcome, StepStatus};
use crate::mesh::plan::Plan;

#[derive(Debug, Clone, Copy)]
pub struct RunLimits {
    /// The `timeouts` entry of the operation (create, update or delete): it bounds the
    /// whole run, and so every step in it.
    pub timeout: Duration,
    pub max_concurrency: i64,
}

pub async fn run(
    ctx: &Context,
    conn: &Connection,
    plan: &Plan,
    limits: RunLimits,
    diags: &mut Diagnostics,
) -> Outcome {
    let t = limits.timeout;
    // Stops the run at the deadline the same way Terraform's StopProvider does.
    let cancel = ctx.cancel.child_token();
    let deadline = {
        let cancel = cancel.clone();
        tokio::spawn(async move {
            tokio::time::sleep(t).await;
            cancel.cancel();
        })
    };
    let opts = ExecuteOptions {
        max_concurrency: usize::try_from(limits.max_concurrency).unwrap_or(1).max(1),
        timeouts: execute::Timeouts {
            create: t,
            update: t,
            delete: t,
        },
        cancel: cancel.clone(),
    };
    let outcome = execute(conn.ec2.as_ref(), plan, &opts).await;
    deadline.abort();
    let timed_out = outcome.cancelled && !ctx.cancel.is_cancelled();
    for e in &outcome.errors {
        diags.push(Diagnostic::error(
            format!("Mesh component {} failed", e.component),
            e.message.clone(),
        ));
    }
    let skipped = outcome
        .steps
        .iter()
        .filter(|s| **s == StepStatus::Skipped)
        .count();
    if skipped > 0 {
        diags.push(Diagnostic::warning(
            "Some steps were not run",
            format!("{skipped} step(s) depend on a failed one and were skipped. Everything made so far is tagged and saved; the next apply adopts it and completes the mesh."),
        ));
    }
    if timed_out {
        diags.push(Diagnostic::error(
            "Timed out",
            format!("The mesh did not reach its planned state within {}. The state saved is what exists now; raise the timeouts block's value or apply again: the next apply adopts what was made and completes the mesh.", humanize(t)),
        ));
    } else if outcome.cancelled {
        diags.push(Diagnostic::error(
            "Apply interrupted",
            "Terraform asked the provider to stop. The state saved is what exists now; the next apply adopts it and completes the mesh.",
        ));
    }
    outcome
}

/// `1h30m`, `45s`: the way timeouts are written.
fn humanize(d: Duration) -> String {
    let s = d.as_secs();
    let parts = [(s / 3600, "h"), (s / 60 % 60, "m"), (s % 60, "s")];
    let text: String = parts
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, u)| format!("{n}{u}"))
        .collect();
    if text.is_empty() {
        format!("{}ms", d.as_millis())
    } else {
        text
    }
}
