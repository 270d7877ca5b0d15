//! Runs a plan with the mesh executor.

use std::time::Duration;

use tfplugin::diag::{Diagnostic, Diagnostics};
use tfplugin::provider::Context;

use super::client::Connection;
use crate::mesh::plan::Plan;

#[derive(Debug, Clone, Copy)]
pub struct RunLimits {
    pub timeout: Duration,
    pub max_concurrency: i64,
}

pub async fn run(_ctx: &Context, _conn: &Connection, plan: &Plan, _limits: RunLimits, diags: &mut Diagnostics) {
    // PROVISIONAL until mesh::execute lands.
    if !plan.is_empty() {
        diags.push(Diagnostic::error("executor missing", ""));
    }
}
