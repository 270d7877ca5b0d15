//! A mesh over three accounts and two regions with one dual-stack pair, against moto
//! (which models accounts behind assumed roles and cross-account peering): the provider
//! reaches the two other accounts through `accounts` (assumed roles), and every check
//! reads EC2 with each account's own credentials, as an operator of that account would.
//!
//! One scenario, on every supported Terraform version: apply; peerings active and
//! accepted by the accepter's account; IPv4 and IPv6 routes in every table; ICMP and
//! ICMPv6 rules; drift in the two other accounts (a deleted IPv6 route, a revoked rule)
//! planned and repaired; `terraform import` rebuilds the same state; destroy leaves
//! nothing in any account or region.

#[path = "mesh_accounts/world.rs"]
mod world;

use acceptance_tests::mesh_fixture::{
    all_text, apply_mesh, assert_no_resource_changes, assert_plan_empty, assert_plan_has_changes,
    use_dummy_credentials, MeshOutputs, ScenarioTimer, RESOURCE,
};
use acceptance_tests::{for_each_terraform, FaultProxy, Faults, MotoServer, Workspace};

use world::{World, DEV_ROLE, MEMBERS, OPS_ROLE, REFUSAL_MEMBERS};

#[test]
fn mesh_over_three_accounts_and_two_regions() {
    let test = "mesh_over_three_accounts";
    for_each_terraform(test, |tf| {
        let Some(moto) = MotoServer::require(test) else {
            return;
        };
        let timer = ScenarioTimer::start(test, tf);
        let mut ws = Workspace::new(test, tf);
        use_dummy_credentials(&mut ws);
        let endpoint = moto.endpoint();
        ws.write_main(&world::configuration(&endpoint, &endpoint, &MEMBERS));
        ws.init().expect_success();
        timer.step("apply", || apply_mesh(&ws));
        let applied = MeshOutputs::parse(ws.output_json().expect_success());
        let world = World::new(&moto.endpoint());

        timer.step("check every account", || world.assert_mesh(&applied));

        // Drift in the two other accounts, each made with that account's credentials.
        let removed_route = world.delete_ipv6_route(&applied, "dev", "hub");
        let revoked = world.revoke_icmp(&applied, "ops", "hub");
        let plan = timer.step("plan after drift", || ws.plan_detailed());
        assert_plan_has_changes(&plan);
        let text = all_text(&plan);
        assert!(
            text.contains(&removed_route),
            "the plan names the deleted route to {removed_route}:\n{text}"
        );
        assert!(
            text.contains(&revoked),
            "the plan names the revoked rule from {revoked}:\n{text}"
        );
        timer.step("repairing apply", || apply_mesh(&ws));
        let repaired = MeshOutputs::parse(ws.output_json().expect_success());
        assert_eq!(
            repaired.tracked_ids(),
            applied.tracked_ids(),
            "the repair changed rules and routes only"
        );
        world.assert_mesh(&repaired);
        timer.step("plan after repair", || {
            assert_plan_empty(&ws.plan_detailed())
        });

        // Import follows the mesh's peerings into the accounts of `accounts`.
        ws.run(&["state", "rm", "-no-color", RESOURCE])
            .expect_success();
        timer.step("import", || {
            ws.run(&["import", "-input=false", "-no-color", RESOURCE, &applied.id])
                .expect_success();
        });
        let imported = MeshOutputs::from_state(ws.show_json().expect_success());
        assert_eq!(
            imported.tracked_ids(),
            applied.tracked_ids(),
            "the imported state names the objects of all three accounts"
        );
        for (name, vpc) in &applied.vpcs {
            assert_eq!(
                imported.vpcs[name].ipv6_cidr_block, vpc.ipv6_cidr_block,
                "IPv6 block of {name} after import"
            );
        }
        timer.step("plan after import", || assert_no_resource_changes(&ws));

        timer.step("destroy", || {
            ws.destroy().expect_success();
        });
        world.assert_nothing_left(&applied.id);
        eprintln!("accounts checked through roles {DEV_ROLE} and {OPS_ROLE}");
    });
}

/// A role that cannot be assumed (STS answers `AccessDenied`, through a fault proxy:
/// moto never refuses) fails the components of its account only, naming the account's
/// key and the role; the provider's own account is built, and once the role may be
/// assumed the next apply finishes the mesh.
#[test]
fn a_role_that_cannot_be_assumed_fails_only_its_account() {
    let test = "role_cannot_be_assumed";
    for_each_terraform(test, |tf| {
        let Some(moto) = MotoServer::require(test) else {
            return;
        };
        let proxy =
            FaultProxy::start(moto.address(), Faults::none(11)).unwrap_or_else(|e| panic!("{e}"));
        proxy.refuse_roles(&[DEV_ROLE]);
        let timer = ScenarioTimer::start(test, tf);
        let mut ws = Workspace::new(test, tf);
        use_dummy_credentials(&mut ws);
        let config = world::configuration(&moto.endpoint(), &proxy.endpoint(), &REFUSAL_MEMBERS);
        ws.write_main(&config);
        ws.init().expect_success();
        let failed = timer.step("apply with the role refused", || ws.apply());
        let text = all_text(&failed);
        assert!(!failed.success(), "the apply fails:\n{text}");
        for needle in ["\"dev\"", DEV_ROLE, "AccessDenied"] {
            assert!(text.contains(needle), "the error names {needle}:\n{text}");
        }
        let world = World::new(&moto.endpoint());
        let [one, _, far] = &REFUSAL_MEMBERS;
        let mesh_id = {
            let state = ws.show_json().expect_success().json();
            state["values"]["root_module"]["resources"][0]["values"]["id"]
                .as_str()
                .map(str::to_string)
        };
        let own = world.components_in(one, mesh_id.as_deref().unwrap_or_default());
        for component in ["vpc/one", "vpc/two", "pcx/one:two"] {
            assert!(
                own.iter().any(|c| c == component),
                "{component} was built in the provider's account: {own:?}\n{text}"
            );
        }
        assert!(
            mesh_id.is_some(),
            "the failed apply kept what it built in the state"
        );
        assert!(
            world
                .components_in(far, mesh_id.as_deref().unwrap_or_default())
                .is_empty(),
            "nothing was made in the refused account"
        );

        proxy.refuse_roles(&[]);
        timer.step("apply once the role may be assumed", || apply_mesh(&ws));
        let applied = MeshOutputs::parse(ws.output_json().expect_success());
        assert_eq!(applied.peerings.len(), 3, "the whole mesh");
        let far_components = world.components_in(far, &applied.id);
        assert!(
            far_components.iter().any(|c| c == "vpc/far"),
            "the VPC of dev is in dev's account: {far_components:?}"
        );
        timer.step("destroy", || {
            ws.destroy().expect_success();
        });
        world.assert_nothing_left(&applied.id);
    });
}
