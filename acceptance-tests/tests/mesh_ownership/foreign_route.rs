//! Routes of others: a route at a destination the mesh needs, with a target that is not
//! the mesh's, blocks the mesh's route (in an adopted VPC's main table: another team's
//! peering; in a table of the mesh's own VPC: a VPN gateway) and stays; a blackholed
//! route of someone else's in an adopted VPC's main table survives apply and destroy.

use acceptance_tests::ec2check::{RouteTo, Tags};
use acceptance_tests::mesh_fixture::{
    apply_mesh, assert_plan_empty, mesh_workspace, MeshOutputs, ScenarioTimer, TopologySpec,
    VpcSpec, REGION,
};
use acceptance_tests::{for_each_terraform, Ec2Check, MotoServer, Workspace};

use super::{assert_fails_naming, spec};

const ALPHA_CIDR: &str = "10.61.0.0/16";
/// The VPC the test makes and the mesh adopts as `beta`.
const ADOPTED_CIDR: &str = "10.64.0.0/16";
/// Another team's VPCs, peered with the adopted one by hand.
const FAR_CIDR: &str = "10.65.0.0/16";
const GONE_CIDR: &str = "10.66.0.0/16";

/// Two VPCs without subnets (peer routes in their main tables): alpha, created by the
/// mesh, and beta, the existing VPC `adopted`.
fn write_adopting(ws: &Workspace, moto: &MotoServer, adopted: &str) {
    let vpc = |name: &str, cidr: &str| VpcSpec {
        name: name.into(),
        cidr: cidr.into(),
        subnets: Vec::new(),
    };
    let mesh = spec(
        vec![vpc("alpha", ALPHA_CIDR), vpc("beta", ADOPTED_CIDR)],
        TopologySpec::FullMesh,
    );
    let beta = format!("    beta = {{\n      cidr_block = \"{ADOPTED_CIDR}\"\n");
    let main = mesh.render(&moto.endpoint());
    assert!(main.contains(&beta), "the fixture renders {beta}");
    let adopting = format!("{beta}      vpc_id     = \"{adopted}\"\n");
    // `subnets` left out rather than empty: Terraform 1.0.3 crashes on an empty map
    // of nested attributes here ("value is not an object").
    let empty = "      subnets = {\n      }\n";
    assert!(main.contains(empty), "the fixture renders {empty}");
    ws.write_main(&main.replacen(&beta, &adopting, 1).replace(empty, ""));
}

/// The main route table of `vpc_id`.
fn main_table(check: &Ec2Check, vpc_id: &str) -> String {
    let ec2 = check.snapshot();
    let table = ec2
        .route_tables
        .iter()
        .find(|t| t.vpc_id == vpc_id && t.main)
        .unwrap_or_else(|| panic!("no main route table in {vpc_id}"));
    table.id.clone()
}

/// (peering id, gateway id) of the route to `destination` in `table`, if any.
fn route(check: &Ec2Check, table: &str, destination: &str) -> Option<(Option<String>, Option<String>)> {
    let ec2 = check.snapshot();
    let t = ec2.route_table(table).expect("the route table");
    t.route_to(destination)
        .map(|r| (r.peering_id.clone(), r.gateway_id.clone()))
}

fn via_peering(id: &str) -> Option<(Option<String>, Option<String>)> {
    Some((Some(id.to_string()), None))
}

#[test]
fn foreign_routes_block_and_are_left_alone() {
    let test = "foreign_route";
    for_each_terraform(test, |tf| {
        let Some(moto) = MotoServer::require(test) else {
            return;
        };
        let timer = ScenarioTimer::start(test, tf);
        let check = Ec2Check::new(&moto.endpoint(), REGION);
        let none = Tags::new();
        let adopted = check.create_vpc(ADOPTED_CIDR, &none);
        let far = check.create_vpc(FAR_CIDR, &none);
        let gone = check.create_vpc(GONE_CIDR, &none);
        let to_far = check.create_untagged_peering(&adopted, &far);
        let to_gone = check.create_untagged_peering(&adopted, &gone);
        let adopted_main = main_table(&check, &adopted);
        // Another team sends alpha's block (which the mesh will need) to their peering,
        // and has a route left through a peering they deleted since (a blackhole).
        check.put_route(&adopted_main, ALPHA_CIDR, &RouteTo::Peering(to_far.clone()), false);
        check.put_route(&adopted_main, GONE_CIDR, &RouteTo::Peering(to_gone.clone()), false);
        check.delete_peering(&to_gone);
        let others_kept = |when: &str| {
            assert_eq!(
                route(&check, &adopted_main, GONE_CIDR),
                via_peering(&to_gone),
                "{when}: the blackholed route of someone else's stays"
            );
            let ec2 = check.snapshot();
            let p = ec2.peering(&to_far).expect("the other team's peering");
            assert_eq!(p.status, "active", "{when}: their peering stays active");
            assert!(p.tags.is_empty(), "{when}: and untagged: {p:#?}");
        };

        let ws = mesh_workspace(test, tf, &moto, &spec(Vec::new(), TopologySpec::FullMesh));
        write_adopting(&ws, &moto, &adopted);
        ws.init().expect_success();
        let blocked = timer.step("apply blocked by a route", || ws.apply());
        assert_fails_naming(
            &blocked,
            &[
                &format!("Mesh component rtb/beta>{ALPHA_CIDR} is blocked"),
                &adopted_main,
                &to_far,
            ],
        );
        assert_eq!(
            route(&check, &adopted_main, ALPHA_CIDR),
            via_peering(&to_far),
            "the route of someone else's is not replaced"
        );
        others_kept("after the blocked apply");

        check.delete_route(&adopted_main, ALPHA_CIDR);
        timer.step("apply once the route is gone", || apply_mesh(&ws));
        let applied = MeshOutputs::parse(ws.output_json().expect_success());
        let mesh_pcx = applied.peerings["alpha:beta"].id.clone();
        assert_eq!(
            route(&check, &adopted_main, ALPHA_CIDR),
            via_peering(&mesh_pcx),
            "the mesh's route is in place"
        );
        others_kept("after apply");
        timer.step("plan", || assert_plan_empty(&ws.plan_detailed()));

        // In the main table of the mesh's own VPC, someone sends the adopted VPC's
        // block to a VPN gateway instead of the mesh's peering.
        let alpha_vpc = applied.vpcs["alpha"].vpc_id.clone();
        let alpha_main = main_table(&check, &alpha_vpc);
        let vgw = check.create_vpn_gateway(&alpha_vpc);
        check.put_route(&alpha_main, ADOPTED_CIDR, &RouteTo::Gateway(vgw.clone()), true);
        let blocked = timer.step("plan blocked by a gateway route", || ws.plan());
        assert_fails_naming(
            &blocked,
            &[
                &format!("Mesh component rtb/alpha>{ADOPTED_CIDR} is blocked"),
                &alpha_main,
                &vgw,
            ],
        );
        assert_eq!(
            route(&check, &alpha_main, ADOPTED_CIDR),
            Some((None, Some(vgw.clone()))),
            "the gateway route is not replaced"
        );
        check.delete_route(&alpha_main, ADOPTED_CIDR);
        check.detach_vpn_gateway(&vgw, &alpha_vpc);

        timer.step("destroy", || {
            ws.destroy().expect_success();
        });
        let ec2 = check.snapshot();
        assert!(ec2.vpc(&adopted).is_some(), "the adopted VPC stays");
        assert!(ec2.vpc(&alpha_vpc).is_none(), "the mesh's VPC is gone");
        assert_eq!(
            route(&check, &adopted_main, ALPHA_CIDR),
            None,
            "the mesh's route left the adopted VPC"
        );
        others_kept("after destroy");
    });
}
