//! Accounts an apply cannot use: their new places are left out of its reads.

use std::collections::BTreeSet;

use tfplugin::value::Value;

use crate::ec2::access::Connection;
use crate::ec2::place::{account_of, describe};
use crate::mesh::discover::{add_to_scope, scope_of_inventory, Scope};
use crate::mesh_resource::inputs::scope_of_state;
use crate::mesh_resource::private::Private;

/// What an apply reads after each round: its scope, less the places of accounts that
/// cannot be used.
#[derive(Clone, Copy)]
pub(super) struct Reading<'a> {
    pub scope: &'a Scope,
    pub unusable: &'a BTreeSet<String>,
}

/// Places in other accounts that only this configuration names (neither the state nor
/// the stored inventory knows anything of the mesh there) and that cannot be read, e.g.
/// because the account's role cannot be assumed: they are left out of the reads, so the
/// components of the other accounts are still made, while each component of such a place
/// fails on its own with the router's message (key and role). Places the state knows are
/// always read: a mesh is never changed from a partial picture of what it has.
pub(super) async fn unusable_new_places(
    conn: &Connection,
    mesh_id: &str,
    scope: &mut Scope,
    prior: &Value,
    stored: &Private,
) -> BTreeSet<String> {
    let mut known = Scope::new();
    add_to_scope(&mut known, &conn.region, None);
    scope_of_state(&mut known, prior);
    if let Some(inv) = &stored.inventory {
        scope_of_inventory(&mut known, inv);
    }
    let mut unusable = BTreeSet::new();
    for at in scope
        .keys()
        .filter(|at| !known.contains_key(*at) && account_of(at).is_some())
    {
        if let Err(e) = conn.ec2.inventory(at, mesh_id, &[]).await {
            tracing::warn!(place = %describe(at), error = %e, "left out of the apply's reads");
            unusable.insert(at.clone());
        }
    }
    scope.retain(|at, _| !unusable.contains(at));
    unusable
}
