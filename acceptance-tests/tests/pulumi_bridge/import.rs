//! `pulumi import` (or the `import` resource option) as the bridge calls it.

use acceptance_tests::MotoServer;

use crate::bridge::Bridge;
use crate::{created_earlier, id_of, Created};

/// Mirrors the bridge's Read for an import: ImportResourceState with the mesh id,
/// then ReadResource on what it returned (with its private state), then, as
/// `pulumi up` checks the imported resource against the program, a
/// PlanResourceChange that must show no change and no replacement.
#[test]
fn import_then_read_then_plan_shows_no_changes() {
    let Some(moto) = MotoServer::require("import_then_read_then_plan_shows_no_changes") else {
        return;
    };
    // Created by another stack: this one knows only the id.
    let Created {
        name,
        config,
        state: created,
        ..
    } = created_earlier(&moto);
    let id = id_of(&created);

    let mut import = Bridge::start(&moto.endpoint());
    let (imported, imported_private) = import.import_mesh(&id);
    assert_eq!(id_of(&imported), id);
    let (read, read_private) = import.read_mesh(&imported, &imported_private);
    assert_eq!(id_of(&read), id);
    assert_eq!(read.get("name").as_str(), Some(name.as_str()));
    for vpc in ["alpha", "beta", "gamma"] {
        assert_eq!(
            read.get("vpcs").get(vpc).get("vpc_id"),
            created.get("vpcs").get(vpc).get("vpc_id"),
            "vpcs.{vpc}.vpc_id"
        );
    }
    let planned = import.plan_mesh(&read, &config, &read_private);
    assert!(
        planned.requires_replace.is_empty(),
        "the imported mesh would be replaced: {:?}",
        planned.requires_replace
    );
    assert_eq!(
        planned.state, read,
        "the plan after the import shows a change"
    );
}
