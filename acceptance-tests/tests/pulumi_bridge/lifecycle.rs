//! Create, update without refresh, and refresh, as `pulumi preview`, `pulumi up`
//! and `pulumi refresh` call the provider. Each Pulumi command starts its own
//! provider process, so each step here starts a new one too, and hands it only
//! what the bridge keeps between runs: the state as JSON and the private bytes.

use acceptance_tests::ec2check::Ec2Check;
use acceptance_tests::MotoServer;
use tfplugin::value::Value;

use crate::bridge::{errors, Bridge, REGION};
use crate::{
    autoname, create, created_earlier, delete_peering_out_of_band, id_of, live_peering,
    mesh_config, objects_of, tagged_object_count, vpc_id, Created, OTHER_REGION,
};

/// Mirrors `pulumi preview` then `pulumi up` for a new `peering_mesh` whose `name`
/// the program left out: the bridge's autonaming fills it with the logical name,
/// `-` and 7 hex digits, Check sends it to ValidateResourceConfig, preview calls
/// PlanResourceChange with a null prior state and no private state, and up plans
/// again and calls ApplyResourceChange.
#[test]
fn preview_and_create_with_an_autonamed_mesh() {
    let Some(moto) = MotoServer::require("preview_and_create_with_an_autonamed_mesh") else {
        return;
    };
    let mut preview = Bridge::start(&moto.endpoint());
    // Logical names as people write them: the autonamed result must pass Check.
    for logical in [
        "lab",
        "seed-lab",
        "mesh_prod",
        "a-fairly-long-logical-name-of-forty-chars",
    ] {
        let name = autoname(logical);
        let config = preview.mesh(&mesh_config(&name, "net"));
        let refused = errors(&preview.validate_mesh(&config));
        assert!(
            refused.is_empty(),
            "autonamed {name:?} refused: {refused:#?}"
        );
    }
    // docs/pulumi.md: logical names up to 56 characters (the name allows 64).
    let too_long = autoname(&"x".repeat(57));
    let config = preview.mesh(&mesh_config(&too_long, "net"));
    let refused = errors(&preview.validate_mesh(&config));
    assert!(
        !refused.is_empty(),
        "{} characters accepted",
        too_long.len()
    );

    let name = autoname("lab");
    let config = preview.mesh(&mesh_config(&name, "net"));
    let planned = preview.plan_mesh(&Value::Null, &config, &[]);
    assert_eq!(planned.state.get("name").as_str(), Some(name.as_str()));
    assert!(
        planned.state.get("id").is_unknown(),
        "the id is known after apply"
    );
    drop(preview);
    assert_eq!(tagged_object_count(&moto), 0, "preview changed nothing");

    let mut up = Bridge::start(&moto.endpoint());
    let (state, _) = create(&mut up, &config);
    let id = id_of(&state);
    let objects = objects_of(&moto, &id);
    let vpcs: Vec<_> = objects
        .iter()
        .filter(|(_, kind, _)| kind == "vpc")
        .collect();
    assert_eq!(vpcs.len(), 3, "three VPCs in EC2: {objects:#?}");
    for (name, region) in [("alpha", REGION), ("beta", OTHER_REGION), ("gamma", REGION)] {
        let recorded = vpc_id(&state, name);
        assert!(
            objects.contains(&(region.to_string(), "vpc".to_string(), recorded.clone())),
            "state's {name} = {recorded} is not a VPC of the mesh in {region}: {objects:#?}"
        );
    }
    assert_eq!(state.get("peering_count").as_i64(), Some(3));
    let beta = vpc_id(&state, "beta");
    assert!(live_peering(&moto, &vpc_id(&state, "alpha"), &beta).is_some());
    assert!(live_peering(&moto, &vpc_id(&state, "gamma"), &beta).is_some());
}

/// Mirrors `pulumi up` without `--refresh` after EC2 changed behind Pulumi's back:
/// the bridge upgrades the JSON outputs it stored (UpgradeResourceState), then
/// plans the new program against them with the private state saved at the last
/// apply, which no longer matches EC2 (a peering was deleted in between), and
/// applies. The apply must act on what EC2 holds, not on the stale private state:
/// the change is made and the lost peering is back.
#[test]
fn update_without_refresh_plans_from_the_stale_private_state() {
    let Some(moto) =
        MotoServer::require("update_without_refresh_plans_from_the_stale_private_state")
    else {
        return;
    };
    let Created {
        name,
        state,
        stored,
        private,
        ..
    } = created_earlier(&moto);

    let (alpha, beta) = (vpc_id(&state, "alpha"), vpc_id(&state, "beta"));
    let lost = delete_peering_out_of_band(&moto, &alpha, &beta);

    let mut up = Bridge::start(&moto.endpoint());
    let prior = up.upgrade_mesh(&stored);
    assert_eq!(
        prior, state,
        "the stored outputs upgrade to the applied state"
    );
    let new_config = up.mesh(&mesh_config(&name, "platform"));
    assert!(
        String::from_utf8_lossy(&private).contains(&lost),
        "the private state of the last apply still lists {lost}"
    );
    let planned = up.plan_mesh(&prior, &new_config, &private);
    assert!(
        planned.requires_replace.is_empty(),
        "a tag change is an update"
    );
    // Planned from the stale private state, the preview cannot show the repair.
    let planned_peering = planned.state.get("peerings").get("alpha:beta").get("id");
    assert_eq!(
        planned_peering.as_str(),
        Some(lost.as_str()),
        "{planned_peering:?}"
    );
    let (new_state, _) = up.apply_mesh(&prior, &planned.state, &new_config, &planned.private);

    let id = id_of(&new_state);
    assert_eq!(id, id_of(&state), "updated in place");
    let (_, back) = live_peering(&moto, &alpha, &beta)
        .expect("the apply recreated the peering deleted out of band");
    assert_ne!(back, lost);
    let recorded = new_state
        .get("peerings")
        .get("alpha:beta")
        .get("id")
        .as_str();
    assert_eq!(
        recorded,
        Some(back.as_str()),
        "the state records the live peering"
    );
    for vpc in Ec2Check::new(&moto.endpoint(), REGION).vpcs() {
        if vpc.id == alpha {
            assert_eq!(vpc.tags.get("team").map(String::as_str), Some("platform"));
        }
    }
    let mut refresh = Bridge::start(&moto.endpoint());
    let (read, _) = refresh.read_mesh(&new_state, &[]);
    assert_eq!(
        read, new_state,
        "a refresh right after finds nothing to change"
    );
}

/// Mirrors `pulumi refresh` then `pulumi up`: UpgradeResourceState from the
/// stored JSON, ReadResource with the stored private state (the refresh shows the
/// peering deleted out of band), then a plan from the refreshed state and
/// private bytes that shows the repair, and the apply that makes it.
#[test]
fn refresh_shows_drift_and_the_next_update_repairs_it() {
    let Some(moto) = MotoServer::require("refresh_shows_drift_and_the_next_update_repairs_it")
    else {
        return;
    };
    let Created {
        config,
        state,
        stored,
        private,
        ..
    } = created_earlier(&moto);
    let (gamma, beta) = (vpc_id(&state, "gamma"), vpc_id(&state, "beta"));
    delete_peering_out_of_band(&moto, &gamma, &beta);

    let mut refresh = Bridge::start(&moto.endpoint());
    let current = refresh.upgrade_mesh(&stored);
    let (refreshed, refreshed_private) = refresh.read_mesh(&current, &private);
    drop(refresh);
    assert_eq!(id_of(&refreshed), id_of(&state), "still the same mesh");
    assert_eq!(
        refreshed.get("peering_count").as_i64(),
        Some(2),
        "{refreshed:?}"
    );
    let status = refreshed.get("peerings").get("beta:gamma").get("status");
    assert!(
        status.as_str() != Some("active"),
        "the refresh still shows beta:gamma active: {refreshed:?}"
    );

    let mut up = Bridge::start(&moto.endpoint());
    let prior = up.upgrade_mesh(&up.stored(&refreshed));
    let planned = up.plan_mesh(&prior, &config, &refreshed_private);
    assert_ne!(planned.state, prior, "the plan shows the repair");
    let (repaired, _) = up.apply_mesh(&prior, &planned.state, &config, &planned.private);
    assert_eq!(repaired.get("peering_count").as_i64(), Some(3));
    let (_, back) = live_peering(&moto, &gamma, &beta).expect("beta:gamma repaired");
    assert_eq!(
        repaired
            .get("peerings")
            .get("beta:gamma")
            .get("id")
            .as_str(),
        Some(back.as_str())
    );
}
