//! Planner properties on empty inventories; plans against real inventories (drift,
//! duplicates, replacement) are tested with the fake EC2 in `execute/tests`.

use std::collections::BTreeSet;

use proptest::prelude::*;

use super::*;
use crate::mesh::fixtures::{assert_snapshot, desired_of, generated_mesh, seed_mesh};
use crate::mesh::model::Topology;

fn count(plan: &Plan, pred: impl Fn(&Op) -> bool) -> usize {
    plan.steps.iter().filter(|s| pred(&s.op)).count()
}

/// Dependencies point backwards and are listed once, in order; no component is
/// created twice.
pub(crate) fn assert_well_formed(plan: &Plan) {
    let mut created = BTreeSet::new();
    for (i, step) in plan.steps.iter().enumerate() {
        assert!(
            step.after.iter().all(|&d| d < i),
            "step {i} depends on a later step: {step:?}"
        );
        assert!(
            step.after.windows(2).all(|w| w[0] < w[1]),
            "step {i}: deps not sorted/unique"
        );
        let creates = matches!(
            step.op,
            Op::CreateVpc { .. }
                | Op::CreateSubnet { .. }
                | Op::CreateRouteTable { .. }
                | Op::AssociateRouteTable { .. }
                | Op::CreateInternetGateway { .. }
                | Op::CreateSecurityGroup { .. }
                | Op::CreatePeering { .. }
                | Op::PutRoute { .. }
        );
        if creates {
            assert!(
                created.insert(step.op.component()),
                "{} created twice",
                step.op.component()
            );
        }
    }
}

#[test]
fn seed_mesh_from_empty_renders_as_the_snapshot() {
    let plan = plan(&desired_of(&seed_mesh()), &Inventory::default());
    assert_well_formed(&plan);
    assert_snapshot("seed_from_empty.txt", &render(&plan));
}

#[test]
fn seed_mesh_from_empty_creates_each_component_once() {
    let plan = plan(&desired_of(&seed_mesh()), &Inventory::default());
    assert!(plan.known.is_empty());
    assert_eq!(count(&plan, |o| matches!(o, Op::CreateVpc { .. })), 4);
    assert_eq!(count(&plan, |o| matches!(o, Op::CreateSubnet { .. })), 5);
    assert_eq!(
        count(&plan, |o| matches!(o, Op::CreateRouteTable { .. })),
        5
    );
    assert_eq!(
        count(&plan, |o| matches!(o, Op::AssociateRouteTable { .. })),
        5
    );
    assert_eq!(
        count(&plan, |o| matches!(
            o,
            Op::CreateInternetGateway { .. } | Op::AttachInternetGateway { .. }
        )),
        2
    );
    assert_eq!(
        count(&plan, |o| matches!(
            o,
            Op::CreateSecurityGroup { .. } | Op::AuthorizeIngress { .. }
        )),
        8
    );
    assert_eq!(
        count(&plan, |o| matches!(
            o,
            Op::CreatePeering { .. } | Op::AcceptPeering { .. } | Op::WaitPeeringActive { .. }
        )),
        18
    );
    // 15 peer routes and the internet route of production/public.
    assert_eq!(count(&plan, |o| matches!(o, Op::PutRoute { .. })), 16);
    assert_eq!(
        count(&plan, |o| matches!(
            o,
            Op::SetPeeringDns { .. } | Op::FindMainRouteTable { .. }
        )),
        0
    );
    assert_eq!(plan.steps.len(), 4 + 15 + 2 + 8 + 18 + 16);
}

#[test]
fn peer_routes_wait_for_their_table_and_the_active_peering() {
    let plan = plan(&desired_of(&seed_mesh()), &Inventory::default());
    let index_of =
        |pred: &dyn Fn(&Op) -> bool| plan.steps.iter().position(|s| pred(&s.op)).expect("step");
    let pair = Pair::new("development", "production");
    let wait = index_of(&|o| matches!(o, Op::WaitPeeringActive { pair: p, .. } if *p == pair));
    let table = index_of(
        &|o| matches!(o, Op::CreateRouteTable { vpc, subnet, .. } if vpc == "production" && subnet == "public"),
    );
    let route = index_of(
        &|o| matches!(o, Op::PutRoute { table: Key::RouteTable(v, s), via: RouteVia::Peering(p), .. } if v == "production" && s == "public" && *p == pair),
    );
    assert_eq!(plan.steps[route].after, vec![table, wait]);
}

#[test]
fn dns_resolution_is_set_once_active_and_routes_follow() {
    let mut mesh = seed_mesh();
    mesh.dns_resolution = true;
    let plan = plan(&desired_of(&mesh), &Inventory::default());
    assert_eq!(
        count(&plan, |o| matches!(
            o,
            Op::SetPeeringDns { allow: true, .. }
        )),
        6
    );
    for (i, step) in plan.steps.iter().enumerate() {
        if let Op::SetPeeringDns { .. } = step.op {
            assert!(
                matches!(plan.steps[step.after[0]].op, Op::WaitPeeringActive { .. }),
                "step {i}"
            );
        }
    }
}

#[test]
fn a_vpc_without_subnets_routes_through_its_main_table() {
    let mut mesh = seed_mesh();
    mesh.vpcs.get_mut("shared").unwrap().subnets.clear();
    let plan = plan(&desired_of(&mesh), &Inventory::default());
    let find = plan
        .steps
        .iter()
        .position(|s| matches!(&s.op, Op::FindMainRouteTable { vpc, .. } if vpc == "shared"))
        .expect("find step");
    let routes: Vec<&Step> = plan.steps.iter().filter(|s| matches!(&s.op, Op::PutRoute { table: Key::MainRouteTable(v), .. } if v == "shared")).collect();
    assert_eq!(routes.len(), 3);
    assert!(routes.iter().all(|s| s.after.contains(&find)));
}

#[test]
fn nothing_desired_and_nothing_there_is_an_empty_plan() {
    let plan = plan(
        &Desired::nothing("m", BTreeSet::new()),
        &Inventory::default(),
    );
    assert!(plan.is_empty());
    assert_eq!(render(&plan), "plan for mesh m: 0 steps\n");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn full_mesh_plans(n in 2usize..16, subnets in 1usize..3) {
        let desired = desired_of(&generated_mesh(n, subnets, Topology::FullMesh));
        let first = plan(&desired, &Inventory::default());
        prop_assert_eq!(&first, &plan(&desired, &Inventory::default()), "planning twice gives the same plan");
        assert_well_formed(&first);
        let pairs = n * (n - 1) / 2;
        prop_assert_eq!(count(&first, |o| matches!(o, Op::CreatePeering { .. })), pairs);
        prop_assert_eq!(count(&first, |o| matches!(o, Op::AcceptPeering { .. })), pairs);
        // Two routes per peering per pair of route tables.
        prop_assert_eq!(count(&first, |o| matches!(o, Op::PutRoute { via: RouteVia::Peering(_), .. })), 2 * pairs * subnets);
    }

    #[test]
    fn hub_and_spoke_plans(n in 2usize..16) {
        let desired = desired_of(&generated_mesh(n, 1, Topology::HubAndSpoke { hub: "v000".into() }));
        let plan = plan(&desired, &Inventory::default());
        assert_well_formed(&plan);
        prop_assert_eq!(count(&plan, |o| matches!(o, Op::CreatePeering { .. })), n - 1);
        prop_assert_eq!(count(&plan, |o| matches!(o, Op::PutRoute { .. })), 2 * (n - 1));
    }
}
