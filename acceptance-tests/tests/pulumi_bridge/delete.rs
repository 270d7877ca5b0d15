//! `pulumi destroy` (or removing the resource from the program) as the bridge
//! calls it.

use acceptance_tests::MotoServer;
use tfplugin::value::Value;

use crate::bridge::{Bridge, REGION};
use crate::{created_earlier, id_of, objects_of, Created, OTHER_REGION};

/// Mirrors the bridge's Delete: in a new provider process, UpgradeResourceState
/// from the stored JSON, then ApplyResourceChange with a null planned state, a
/// null configuration and no private state at all (the bridge does not hand the
/// private state to Delete). Everything the mesh made is still removed, in the
/// provider's region and in the other region of the mesh, as EC2 shows.
#[test]
fn delete_without_private_state_removes_everything_in_every_region() {
    let Some(moto) =
        MotoServer::require("delete_without_private_state_removes_everything_in_every_region")
    else {
        return;
    };
    let Created { state, stored, .. } = created_earlier(&moto);
    let id = id_of(&state);
    let before = objects_of(&moto, &id);
    assert!(
        before.iter().any(|(region, _, _)| region == OTHER_REGION),
        "the mesh has objects in {OTHER_REGION}: {before:#?}"
    );

    // Without private state, the regions to clean come from the state: every
    // VPC records its region, also the ones that took the provider's.
    for (vpc, region) in [("alpha", REGION), ("beta", OTHER_REGION), ("gamma", REGION)] {
        let recorded = state.get("vpcs").get(vpc).get("region");
        assert_eq!(recorded.as_str(), Some(region), "vpcs.{vpc}.region");
    }

    let mut destroy = Bridge::start(&moto.endpoint());
    let prior = destroy.upgrade_mesh(&stored);
    let (after, private) = destroy.apply_mesh(&prior, &Value::Null, &Value::Null, &[]);
    assert!(
        after.is_null(),
        "the state after a delete is null: {after:?}"
    );
    assert!(private.is_empty());
    let left = objects_of(&moto, &id);
    assert!(left.is_empty(), "left in EC2 after the delete: {left:#?}");
}
