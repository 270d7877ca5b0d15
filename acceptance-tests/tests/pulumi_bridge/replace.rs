//! A renamed mesh, which Pulumi replaces; by default it creates the replacement
//! before it deletes the old resource.

use std::collections::BTreeSet;

use acceptance_tests::MotoServer;
use tfplugin::proto::tfplugin6 as pb;
use tfplugin::value::Value;

use crate::bridge::Bridge;
use crate::{autoname, create, created_earlier, id_of, mesh_config, objects_of};

fn is_name(path: &pb::AttributePath) -> bool {
    use pb::attribute_path::step::Selector;
    matches!(
        path.steps.as_slice(),
        [pb::attribute_path::Step { selector: Some(Selector::AttributeName(n)) }] if n == "name"
    )
}

/// Mirrors the bridge's replacement with Pulumi's default order
/// (create-before-delete): the update plan reports `name` in requires_replace;
/// the bridge then plans and applies a create (null prior state, no private
/// state) while the old mesh still exists, and only afterwards deletes the old one
/// (null planned state and configuration, no private state). The new mesh takes
/// nothing over from the old one, and deleting the old one leaves the new one whole.
#[test]
fn renamed_mesh_is_created_before_the_old_one_is_deleted() {
    let Some(moto) = MotoServer::require("renamed_mesh_is_created_before_the_old_one_is_deleted")
    else {
        return;
    };
    let old = created_earlier(&moto);
    let (old_state, old_private, stored_old) = (old.state, old.private, old.stored);
    let old_id = id_of(&old_state);
    let old_objects = objects_of(&moto, &old_id);

    let mut up = Bridge::start(&moto.endpoint());
    let prior = up.upgrade_mesh(&stored_old);
    let new_config = up.mesh(&mesh_config(&autoname("lab"), "net"));
    let diff = up.plan_mesh(&prior, &new_config, &old_private);
    assert!(
        diff.requires_replace.iter().any(is_name),
        "a new name must force replacement: {:?}",
        diff.requires_replace
    );

    let (new_state, _) = create(&mut up, &new_config);
    let new_id = id_of(&new_state);
    assert_ne!(new_id, old_id, "a new mesh id for the new name");
    assert_eq!(
        objects_of(&moto, &old_id),
        old_objects,
        "creating the replacement touched the old mesh"
    );
    let new_objects = objects_of(&moto, &new_id);
    let ids = |set: &BTreeSet<(String, String, String)>| -> BTreeSet<String> {
        set.iter().map(|(_, _, id)| id.clone()).collect()
    };
    let shared: Vec<_> = ids(&old_objects)
        .intersection(&ids(&new_objects))
        .cloned()
        .collect();
    assert!(shared.is_empty(), "the new mesh took over {shared:?}");
    assert_eq!(
        new_objects.len(),
        old_objects.len(),
        "the new mesh is complete"
    );

    let (gone, _) = up.apply_mesh(&prior, &Value::Null, &Value::Null, &[]);
    assert!(gone.is_null());
    let left = objects_of(&moto, &old_id);
    assert!(left.is_empty(), "the old mesh left {left:#?}");
    assert_eq!(
        objects_of(&moto, &new_id),
        new_objects,
        "deleting the old mesh touched the new one"
    );
}
