//! The executor against the fake EC2: applying, adding a VPC, destroying, adopting,
//! cancelling. Faults and drift are in the sibling test files.

mod accounts;
mod dependency;
mod drift;
mod ec2_states;
mod faults;
mod ipv6;
mod ownership;

use std::collections::BTreeSet;
use std::time::Duration;

use super::*;
use crate::ec2::types::{IngressRule, Protocol, RouteTarget};
use crate::ec2::Action;
use crate::ec2::FakeEc2;
use crate::mesh::desired::Desired;
use crate::mesh::fixtures::{
    assert_snapshot, desired_of, desired_with, net, seed_mesh, seed_mesh_plus_fifth, MESH_ID,
    REGION,
};
use crate::mesh::key::RouteVia;
use crate::mesh::plan::{render, Op};
use crate::mesh::testkit::{apply, converge, options, picture, plan_now, read};

#[tokio::test]
async fn the_seed_mesh_applies_in_one_run_and_then_plans_nothing() {
    let fake = FakeEc2::new();
    let desired = desired_of(&seed_mesh());
    let (plan, outcome) = apply(&fake, &desired).await;
    assert!(
        outcome.is_complete() && outcome.errors.is_empty(),
        "{:?}",
        outcome.errors
    );
    assert_eq!(outcome.steps.len(), plan.steps.len());
    assert_eq!(fake.count(Action::CreateVpcPeeringConnection), 6);
    assert_eq!(outcome.peering_status.len(), 6);
    assert!(outcome
        .peering_status
        .values()
        .all(|s| *s == PeeringStatus::Active));
    // Every desired component has an id.
    for key in [
        "vpc/production",
        "subnet/production/public",
        "rtb/production/public",
        "rtbassoc/production/public",
        "igw/production",
        "sg/shared",
        "pcx/development:production",
    ] {
        assert!(
            outcome.ids.keys().any(|k| k.to_string() == key),
            "{key} has no id"
        );
    }
    let again = plan_now(&fake, &desired).await;
    assert!(again.is_empty(), "{}", render(&again));
    let inv = read(&fake, &desired).await;
    let lines = picture(&inv, MESH_ID);
    let public = lines
        .iter()
        .find(|l| l.starts_with("rtb/production/public "))
        .expect("table");
    for route in [
        "0.0.0.0/0->igw/production(active)",
        "10.2.0.0/16->pcx/development:production(active)",
        "10.4.0.0/16->pcx/production:shared(active)",
    ] {
        assert!(public.contains(route), "{public}");
    }
}

#[tokio::test]
async fn adding_a_fifth_vpc_touches_only_it_and_its_peerings() {
    let fake = FakeEc2::new();
    converge(&fake, &desired_of(&seed_mesh()), 1).await;
    let desired = desired_of(&seed_mesh_plus_fifth());
    let plan = plan_now(&fake, &desired).await;
    assert_snapshot("seed_add_fifth_vpc.txt", &render(&plan));
    let fifth = net("10.5.0.0/16");
    for step in &plan.steps {
        let about_staging = step.op.component().contains("staging");
        let ok = match &step.op {
            Op::PutRoute {
                destination,
                via: RouteVia::Peering(pair),
                ..
            } => {
                about_staging
                    || (*destination == ipnet::IpNet::V4(fifth)
                        && (pair.a == "staging" || pair.b == "staging"))
            }
            Op::AuthorizeIngress { rules, .. } => {
                about_staging
                    || rules
                        == &[IngressRule {
                            protocol: Protocol::Icmp,
                            cidr: ipnet::IpNet::V4(fifth),
                        }]
            }
            _ => about_staging,
        };
        assert!(ok, "touches something else: {step:?}");
    }
    assert_eq!(
        plan.steps
            .iter()
            .filter(|s| matches!(s.op, Op::CreatePeering { .. }))
            .count(),
        4
    );
    // 4 peer routes into staging's table, one into each of the 5 tables of the others.
    assert_eq!(
        plan.steps
            .iter()
            .filter(|s| matches!(s.op, Op::PutRoute { .. }))
            .count(),
        9
    );
    converge(&fake, &desired, 1).await;
}

#[tokio::test]
async fn destroy_leaves_nothing_tagged() {
    let fake = FakeEc2::new();
    converge(&fake, &desired_of(&seed_mesh()), 1).await;
    let nothing = Desired::nothing(MESH_ID, BTreeSet::new());
    let (plan, outcome) = apply(&fake, &nothing).await;
    assert!(
        outcome.is_complete(),
        "{:?}\n{}",
        outcome.errors,
        render(&plan)
    );
    assert!(
        fake.tagged_ids(MESH_ID).is_empty(),
        "{:?}",
        fake.tagged_ids(MESH_ID)
    );
    assert!(fake.live_ids().is_empty(), "{:?}", fake.live_ids());
    assert!(plan_now(&fake, &nothing).await.is_empty());
}

#[tokio::test]
async fn adopted_vpcs_are_used_but_never_deleted() {
    let fake = FakeEc2::new();
    let adopted = fake.add_vpc(REGION, net("10.4.0.0/16"), &Default::default());
    let mut mesh = seed_mesh();
    let shared = mesh.vpcs.get_mut("shared").unwrap();
    shared.vpc_id = Some(adopted.clone());
    shared.cidr = None;
    shared.subnets.clear();
    // An owned VPC without subnets: its main table is looked up after creation.
    mesh.vpcs.get_mut("testing").unwrap().subnets.clear();
    let cidrs = [("shared".to_string(), net("10.4.0.0/16"))].into();
    let desired = desired_with(&mesh, &cidrs);
    let (plan, outcome) = apply(&fake, &desired).await;
    assert!(outcome.is_complete(), "{:?}", outcome.errors);
    assert!(plan
        .steps
        .iter()
        .any(|s| matches!(&s.op, Op::FindMainRouteTable { vpc, .. } if vpc == "testing")));
    assert!(plan
        .steps
        .iter()
        .all(|s| !matches!(&s.op, Op::CreateVpc { vpc, .. } if vpc == "shared")));
    let inv = read(&fake, &desired).await;
    let main = inv
        .route_tables
        .iter()
        .find(|t| t.main && t.vpc_id == adopted)
        .expect("main table of the adopted VPC");
    assert_eq!(
        main.routes
            .iter()
            .filter(|r| matches!(r.target, RouteTarget::Peering(_)))
            .count(),
        3
    );
    assert!(plan_now(&fake, &desired).await.is_empty());

    let nothing = Desired::nothing(MESH_ID, BTreeSet::from([adopted.clone()]));
    let (plan, outcome) = apply(&fake, &nothing).await;
    assert!(
        outcome.is_complete(),
        "{:?}\n{}",
        outcome.errors,
        render(&plan)
    );
    assert_eq!(
        fake.live_ids(),
        BTreeSet::from([adopted.clone()]),
        "only the adopted VPC is left"
    );
    assert!(fake.tagged_ids(MESH_ID).is_empty());
    let inv = read(&fake, &nothing).await;
    let main = inv
        .route_tables
        .iter()
        .find(|t| t.main && t.vpc_id == adopted)
        .expect("main table");
    assert!(
        main.routes.iter().all(|r| r.target == RouteTarget::Local),
        "the mesh's routes are gone: {:?}",
        main.routes
    );
    assert_eq!(fake.count(Action::DeleteVpc), 3);
}

#[tokio::test]
async fn a_cancelled_run_starts_nothing() {
    let fake = FakeEc2::new();
    let desired = desired_of(&seed_mesh());
    let plan = plan_now(&fake, &desired).await;
    fake.clear_calls();
    let opts = options();
    opts.cancel.cancel();
    let outcome = execute(&fake, &plan, &opts).await;
    assert!(outcome.cancelled);
    assert!(fake.calls().is_empty());
    assert!(outcome.steps.iter().all(|s| *s == StepStatus::Cancelled));
}

#[tokio::test]
async fn cancelling_mid_run_stops_and_a_new_plan_finishes_the_job() {
    let reference = FakeEc2::new();
    let desired = desired_of(&seed_mesh());
    converge(&reference, &desired, 1).await;
    let want = picture(&read(&reference, &desired).await, MESH_ID);

    let fake = FakeEc2::new();
    let plan = plan_now(&fake, &desired).await;
    fake.set_latency(Duration::from_millis(5));
    let opts = ExecuteOptions {
        max_concurrency: 1,
        ..options()
    };
    let cancel = opts.cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(40)).await;
        cancel.cancel();
    });
    let outcome = execute(&fake, &plan, &opts).await;
    assert!(outcome.cancelled);
    assert!(
        outcome.errors.is_empty(),
        "cancellation is not a failure: {:?}",
        outcome.errors
    );
    assert!(outcome.steps.contains(&StepStatus::Cancelled));
    assert!(!outcome.steps.contains(&StepStatus::Failed));

    fake.set_latency(Duration::ZERO);
    converge(&fake, &desired, 2).await;
    assert_eq!(picture(&read(&fake, &desired).await, MESH_ID), want);
    assert_eq!(
        fake.tagged_ids(MESH_ID).len(),
        reference.tagged_ids(MESH_ID).len()
    );
}

#[tokio::test]
async fn concurrency_stays_within_the_bound() {
    let fake = FakeEc2::new();
    let desired = desired_of(&seed_mesh());
    let plan = plan_now(&fake, &desired).await;
    fake.set_latency(Duration::from_millis(2));
    let opts = ExecuteOptions {
        max_concurrency: 3,
        ..options()
    };
    let outcome = execute(&fake, &plan, &opts).await;
    assert!(outcome.is_complete());
    assert_eq!(
        fake.max_in_flight(),
        3,
        "independent steps run side by side, never more than the bound"
    );
}

#[tokio::test]
async fn a_cross_region_mesh_accepts_and_sets_dns_on_each_side() {
    let fake = FakeEc2::new();
    let mut mesh = seed_mesh();
    mesh.dns_resolution = true;
    let shared = mesh.vpcs.get_mut("shared").unwrap();
    shared.region = Some("us-east-1".into());
    shared.subnets.get_mut("private").unwrap().availability_zone = Some("us-east-1b".into());
    let desired = desired_of(&mesh);
    let (plan, outcome) = apply(&fake, &desired).await;
    assert!(outcome.is_complete(), "{:?}", outcome.errors);
    let accept = plan.steps.iter().find_map(|s| match &s.op {
        Op::AcceptPeering {
            pair,
            accepter_region,
            ..
        } if pair.key() == "production:shared" => Some(accepter_region.clone()),
        _ => None,
    });
    assert_eq!(accept.as_deref(), Some("us-east-1"));
    let inv = read(&fake, &desired).await;
    assert!(inv
        .peerings
        .iter()
        .all(|p| p.status == PeeringStatus::Active && p.requester_dns && p.accepter_dns));
    assert!(plan_now(&fake, &desired).await.is_empty());
}

#[tokio::test]
async fn a_failed_step_names_its_component_and_what_it_was_doing() {
    let fake = FakeEc2::new();
    let desired = desired_of(&seed_mesh());
    let plan = plan_now(&fake, &desired).await;
    // The first peering's first look: before accepting it.
    let nth = fake.count(Action::DescribeVpcPeeringConnections) + 1;
    fake.fail_on(
        Action::DescribeVpcPeeringConnections,
        nth,
        crate::mesh::testkit::injected(),
    );
    let outcome = execute(&fake, &plan, &options()).await;
    assert_eq!(outcome.errors.len(), 1);
    let e = &outcome.errors[0];
    assert_eq!(e.component, "pcx/development:production");
    assert_eq!(
        e.message,
        "creating EC2 VPC Peering Connection (development:production): waiting for pending-acceptance: InjectedFault: injected fault. The next apply looks at the peering again and completes it."
    );
    // Its wait and its three routes are skipped; everything else ran.
    assert_eq!(
        outcome
            .steps
            .iter()
            .filter(|s| **s == StepStatus::Skipped)
            .count(),
        4
    );
    assert_eq!(
        outcome
            .steps
            .iter()
            .filter(|s| **s == StepStatus::Done)
            .count(),
        plan.steps.len() - 5
    );
}
