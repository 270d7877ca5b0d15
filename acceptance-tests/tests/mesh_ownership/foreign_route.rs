//! Routes of others: a route at a destination the mesh needs, with a target that is not
//! the mesh's, blocks the mesh's route (in an adopted VPC's main table: another team's
//! peering; in a table of the mesh's own VPC: a VPN gateway) and stays; a blackholed
//! route of someone else's in an adopted VPC's main table survives apply and destroy.
//!
//! Terraform 1.0.0-1.0.5 crash on a mesh whose VPCs have no subnets (a nested-attribute
//! bug of theirs, see docs/resources/mesh.md), and only subnet-less VPCs put peer routes
//! in the main table: there the VPCs get a subnet each, and the blocking route is the
//! gateway one in the mesh's subnet table.

use acceptance_tests::ec2check::{RouteTo, Tags};
use acceptance_tests::mesh_fixture::{
    apply_mesh, assert_plan_empty, ids_after_refresh, mesh_workspace, ScenarioTimer, TopologySpec,
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

/// Two VPCs: alpha, created by the mesh, and beta, the existing VPC `adopted`. Without
/// subnets (peer routes in their main tables) unless `with_subnets`.
fn write_adopting(ws: &Workspace, moto: &MotoServer, adopted: &str, with_subnets: bool) {
    let vpc = |name: &str, cidr: &str, subnet: &str| {
        let mut v = VpcSpec::private(name, cidr, subnet);
        if !with_subnets {
            v.subnets.clear();
        }
        v
    };
    let mesh = spec(
        vec![
            vpc("alpha", ALPHA_CIDR, "10.61.1.0/24"),
            vpc("beta", ADOPTED_CIDR, "10.64.1.0/24"),
        ],
        TopologySpec::FullMesh,
    );
    let beta = format!("    beta = {{\n      cidr_block = \"{ADOPTED_CIDR}\"\n");
    let main = mesh.render(&moto.endpoint());
    assert!(main.contains(&beta), "the fixture renders {beta}");
    let adopting = format!("{beta}      vpc_id     = \"{adopted}\"\n");
    // `subnets` left out rather than written empty.
    let empty = "      subnets = {\n      }\n";
    ws.write_main(&main.replacen(&beta, &adopting, 1).replace(empty, ""));
}

/// What the scenario needs from the outputs (read by hand: a VPC without subnets has
/// `subnets = null`, which [`acceptance_tests::mesh_fixture::MeshOutputs`] does not take).
struct Applied {
    alpha_vpc: String,
    /// alpha's first table holding peer routes (its subnet's, or its main table).
    alpha_table: String,
    peering: String,
}

fn applied(ws: &Workspace) -> Applied {
    let out = ws.output_json().expect_success().json();
    let text = |v: &serde_json::Value| {
        v.as_str()
            .unwrap_or_else(|| panic!("a string in the outputs: {out:#}"))
            .to_string()
    };
    let alpha = &out["vpcs"]["value"]["alpha"];
    Applied {
        alpha_vpc: text(&alpha["vpc_id"]),
        alpha_table: text(&alpha["route_table_ids"][0]),
        peering: text(&out["peerings"]["value"]["alpha:beta"]["id"]),
    }
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
fn route(
    check: &Ec2Check,
    table: &str,
    destination: &str,
) -> Option<(Option<String>, Option<String>)> {
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
        check.put_route(
            &adopted_main,
            ALPHA_CIDR,
            &RouteTo::Peering(to_far.clone()),
            false,
        );
        check.put_route(
            &adopted_main,
            GONE_CIDR,
            &RouteTo::Peering(to_gone.clone()),
            false,
        );
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

        let legacy = ids_after_refresh(tf);
        let ws = mesh_workspace(test, tf, &moto, &spec(Vec::new(), TopologySpec::FullMesh));
        write_adopting(&ws, &moto, &adopted, legacy);
        ws.init().expect_success();
        if legacy {
            // Subnet tables hold the peer routes: the adopted main table needs none.
            check.delete_route(&adopted_main, ALPHA_CIDR);
        } else {
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
        }

        timer.step("apply once the route is gone", || apply_mesh(&ws));
        let applied = applied(&ws);
        if !legacy {
            assert_eq!(
                route(&check, &adopted_main, ALPHA_CIDR),
                via_peering(&applied.peering),
                "the mesh's route is in place"
            );
        }
        others_kept("after apply");
        timer.step("plan", || assert_plan_empty(&ws.plan_detailed()));

        // In a table of the mesh's own VPC, someone sends the adopted VPC's block to a
        // VPN gateway instead of the mesh's peering.
        let (alpha_vpc, alpha_table) = (&applied.alpha_vpc, &applied.alpha_table);
        let component = if legacy {
            "rtb/alpha/private"
        } else {
            "rtb/alpha"
        };
        let vgw = check.create_vpn_gateway(alpha_vpc);
        check.put_route(
            alpha_table,
            ADOPTED_CIDR,
            &RouteTo::Gateway(vgw.clone()),
            true,
        );
        let blocked = timer.step("plan blocked by a gateway route", || ws.plan());
        assert_fails_naming(
            &blocked,
            &[
                &format!("Mesh component {component}>{ADOPTED_CIDR} is blocked"),
                alpha_table,
                &vgw,
            ],
        );
        assert_eq!(
            route(&check, alpha_table, ADOPTED_CIDR),
            Some((None, Some(vgw.clone()))),
            "the gateway route is not replaced"
        );
        check.delete_route(alpha_table, ADOPTED_CIDR);
        check.detach_vpn_gateway(&vgw, alpha_vpc);

        timer.step("destroy", || {
            ws.destroy().expect_success();
        });
        let ec2 = check.snapshot();
        assert!(ec2.vpc(&adopted).is_some(), "the adopted VPC stays");
        assert!(ec2.vpc(alpha_vpc).is_none(), "the mesh's VPC is gone");
        assert_eq!(
            route(&check, &adopted_main, ALPHA_CIDR),
            None,
            "the mesh's route left the adopted VPC"
        );
        others_kept("after destroy");
    });
}
