//! Tags: objects outside the mesh that carry copied mesh tags are never touched, and
//! tags users add to the mesh's own objects are kept.

use acceptance_tests::ec2check::{Tagged, Tags, TAG_COMPONENT, TAG_MESH};
use acceptance_tests::mesh_fixture::{
    apply_mesh, assert_plan_empty, expect_applied, mesh_workspace, MeshOutputs, ScenarioTimer,
    TopologySpec, REGION,
};
use acceptance_tests::{for_each_terraform, Ec2Check, MotoServer};

use super::{small_vpcs, spec, tags, write_config};

const TEAM_NET: &str = "tags = { team = \"net\" }";
const COST_C1: &str = "tags = { cost = \"c1\" }";

/// Tags of the object `id` (any kind the snapshot reads); panics when it is gone.
#[track_caller]
fn tags_of(check: &Ec2Check, id: &str) -> Tags {
    let ec2 = check.snapshot();
    let found: Option<Tags> = ec2
        .vpcs
        .iter()
        .map(|o| (o.id(), o.tags()))
        .chain(ec2.subnets.iter().map(|o| (o.id(), o.tags())))
        .chain(ec2.security_groups.iter().map(|o| (o.id(), o.tags())))
        .chain(
            ec2.peerings
                .iter()
                .filter(|p| p.is_live())
                .map(|o| (o.id(), o.tags())),
        )
        .find(|(i, _)| *i == id)
        .map(|(_, t)| t.clone());
    found.unwrap_or_else(|| panic!("{id} is no longer in EC2"))
}

fn refresh(ws: &acceptance_tests::Workspace) {
    expect_applied(&ws.run(&[
        "apply",
        "-refresh-only",
        "-auto-approve",
        "-input=false",
        "-no-color",
    ]));
}

#[test]
fn copied_mesh_tags_outside_the_mesh_are_left_alone() {
    let test = "copied_tags";
    for_each_terraform(test, |tf| {
        let Some(moto) = MotoServer::require(test) else {
            return;
        };
        let timer = ScenarioTimer::start(test, tf);
        let mesh = spec(small_vpcs(2), TopologySpec::FullMesh);
        let ws = mesh_workspace(test, tf, &moto, &mesh);
        write_config(&ws, &moto, &mesh, TEAM_NET);
        ws.init().expect_success();
        timer.step("apply", || apply_mesh(&ws));
        let applied = MeshOutputs::parse(ws.output_json().expect_success());
        let check = Ec2Check::new(&moto.endpoint(), REGION);

        // Someone copies the tags of the mesh's alpha/private subnet onto a subnet of
        // their own VPC, which itself carries the mesh id with a component of no mesh.
        let original = tags_of(&check, &applied.vpcs["alpha"].subnets["private"].id);
        assert_eq!(
            original.get(TAG_COMPONENT).map(String::as_str),
            Some("subnet/alpha/private")
        );
        assert_eq!(original.get(TAG_MESH), Some(&applied.id));
        let stranger_tags = tags(&[
            (TAG_MESH, &applied.id),
            (TAG_COMPONENT, "copied-from-cmdb"),
            ("Name", "not-the-mesh"),
        ]);
        let stranger = check.create_vpc("10.67.0.0/16", &stranger_tags);
        let copy = check.create_subnet(&stranger, "10.67.1.0/24", &original);
        let untouched = |when: &str| {
            assert_eq!(
                tags_of(&check, &stranger),
                stranger_tags,
                "{when}: VPC tags"
            );
            assert_eq!(tags_of(&check, &copy), original, "{when}: subnet tags");
            let ec2 = check.snapshot();
            let subnet = ec2.subnet(&copy).expect("the copy");
            assert_eq!(subnet.vpc_id, stranger, "{when}: the copy stays in its VPC");
        };

        timer.step("plan", || assert_plan_empty(&ws.plan_detailed()));
        untouched("after plan");
        // An apply that re-tags every mesh object must not re-tag the copy.
        write_config(&ws, &moto, &mesh, COST_C1);
        timer.step("apply new tags", || apply_mesh(&ws));
        let retagged = tags_of(&check, &applied.vpcs["alpha"].subnets["private"].id);
        assert_eq!(retagged.get("cost").map(String::as_str), Some("c1"));
        assert_eq!(
            retagged.get("team"),
            None,
            "the mesh's own subnet re-tagged"
        );
        untouched("after apply");
        timer.step("refresh", || refresh(&ws));
        untouched("after refresh");
        timer.step("plan", || assert_plan_empty(&ws.plan_detailed()));

        timer.step("destroy", || {
            ws.destroy().expect_success();
        });
        untouched("after destroy");
        let ec2 = check.snapshot();
        for vpc in applied.vpcs.values() {
            assert!(ec2.vpc(&vpc.vpc_id).is_none(), "the mesh's VPCs are gone");
        }
    });
}

#[test]
fn tags_users_add_survive_apply_and_refresh() {
    let test = "user_tags";
    for_each_terraform(test, |tf| {
        let Some(moto) = MotoServer::require(test) else {
            return;
        };
        let timer = ScenarioTimer::start(test, tf);
        let mesh = spec(small_vpcs(2), TopologySpec::FullMesh);
        let ws = mesh_workspace(test, tf, &moto, &mesh);
        write_config(&ws, &moto, &mesh, TEAM_NET);
        ws.init().expect_success();
        timer.step("apply", || apply_mesh(&ws));
        let applied = MeshOutputs::parse(ws.output_json().expect_success());
        let check = Ec2Check::new(&moto.endpoint(), REGION);
        let objects = [
            applied.vpcs["alpha"].vpc_id.clone(),
            applied.vpcs["alpha"].subnets["private"].id.clone(),
            applied.peerings["alpha:beta"].id.clone(),
        ];
        let owner = tags(&[("owner", "netops")]);
        for id in &objects {
            assert_eq!(
                tags_of(&check, id).get("team").map(String::as_str),
                Some("net")
            );
            check.add_tags(id, &owner);
        }
        let kept = |when: &str, team: Option<&str>, cost: Option<&str>| {
            for id in &objects {
                let now = tags_of(&check, id);
                assert_eq!(
                    now.get("owner").map(String::as_str),
                    Some("netops"),
                    "{when}: the user's tag on {id} is kept: {now:?}"
                );
                assert_eq!(now.get("team").map(String::as_str), team, "{when}: {id}");
                assert_eq!(now.get("cost").map(String::as_str), cost, "{when}: {id}");
                assert_eq!(now.get(TAG_MESH), Some(&applied.id), "{when}: {id}");
            }
        };

        timer.step("plan", || assert_plan_empty(&ws.plan_detailed()));
        kept("after plan", Some("net"), None);
        // The mesh's tags change: it removes the key it set before, keeps the user's.
        write_config(&ws, &moto, &mesh, COST_C1);
        timer.step("apply new tags", || apply_mesh(&ws));
        kept("after apply", None, Some("c1"));
        timer.step("refresh", || refresh(&ws));
        kept("after refresh", None, Some("c1"));
        timer.step("plan", || assert_plan_empty(&ws.plan_detailed()));
        timer.step("apply again", || apply_mesh(&ws));
        kept("after a second apply", None, Some("c1"));
    });
}
