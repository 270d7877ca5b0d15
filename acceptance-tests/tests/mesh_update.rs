//! Small changes stay small: a fifth VPC adds exactly its four peerings and
//! keeps every existing object; toggling `dns_resolution` changes the peering
//! options and nothing else. Checked by comparing EC2 before and after.

use std::collections::{BTreeMap, BTreeSet};

use acceptance_tests::ec2check::{Ec2Snapshot, Tagged};
use acceptance_tests::mesh_checks::assert_mesh_matches;
use acceptance_tests::mesh_fixture::{
    apply_mesh, assert_plan_empty, assert_plan_has_changes, mesh_workspace, write_spec,
    MeshOutputs, MeshSpec, ScenarioTimer, VpcSpec, REGION,
};
use acceptance_tests::{for_each_terraform, Ec2Check, MotoServer};

/// Live peering id -> component key (`pcx/A:B`).
fn live_peerings(ec2: &Ec2Snapshot) -> BTreeMap<String, String> {
    ec2.live_mesh_peerings()
        .iter()
        .map(|p| (p.id.clone(), p.component().unwrap_or("?").to_string()))
        .collect()
}

/// Every mesh object as "kind id component", for before/after comparisons.
fn object_ids(ec2: &Ec2Snapshot) -> BTreeSet<String> {
    ec2.mesh_objects()
        .into_iter()
        .map(|o| format!("{} {} {}", o.kind, o.id, o.component.unwrap_or_default()))
        .collect()
}

#[test]
fn fifth_vpc_adds_four_peerings_and_keeps_the_rest() {
    let test = "fifth_vpc_adds_four_peerings";
    for_each_terraform(test, |tf| {
        let Some(moto) = MotoServer::require(test) else {
            return;
        };
        let timer = ScenarioTimer::start(test, tf);
        let seed = MeshSpec::seed();
        let ws = mesh_workspace(test, tf, &moto, &seed);
        ws.init().expect_success();
        timer.step("seed apply", || {
            apply_mesh(&ws);
        });
        let check = Ec2Check::new(&moto.endpoint(), REGION);
        let before = check.snapshot();
        let outputs_before = MeshOutputs::parse(ws.output_json().expect_success());
        assert_mesh_matches(&before, &seed, &outputs_before);

        let mut five = seed.clone();
        five.vpcs
            .push(VpcSpec::private("edge", "10.5.0.0/16", "10.5.1.0/24"));
        write_spec(&ws, &moto, &five);
        let plan = timer.step("plan", || ws.plan_detailed());
        assert_plan_has_changes(&plan);
        assert!(
            plan.stdout.contains("0 to add, 1 to change, 0 to destroy"),
            "an in-place update of the one mesh, not a replacement:\n{plan}"
        );
        timer.step("update apply", || {
            apply_mesh(&ws);
        });
        let after = check.snapshot();
        let outputs_after = MeshOutputs::parse(ws.output_json().expect_success());
        assert_mesh_matches(&after, &five, &outputs_after);

        let old = live_peerings(&before);
        let new = live_peerings(&after);
        let added: BTreeMap<&String, &String> = new
            .iter()
            .filter(|(id, _)| !old.contains_key(*id))
            .collect();
        assert_eq!(added.len(), 4, "exactly four new peerings: {added:#?}");
        assert!(
            added.values().all(|component| component.contains("edge")),
            "every new peering involves edge: {added:#?}"
        );
        for (id, component) in &old {
            assert_eq!(
                new.get(id),
                Some(component),
                "existing peering {id} ({component}) kept"
            );
        }
        for (name, vpc) in &outputs_before.vpcs {
            assert_eq!(
                outputs_after.vpcs[name].vpc_id, vpc.vpc_id,
                "VPC {name} kept"
            );
        }
        // Not only peerings and VPCs: no existing object was replaced.
        let (earlier, kept) = (object_ids(&before), object_ids(&after));
        let replaced: Vec<&String> = earlier.difference(&kept).collect();
        assert!(
            replaced.is_empty(),
            "objects gone after the update: {replaced:#?}"
        );

        timer.step("plan after update", || {
            assert_plan_empty(&ws.plan_detailed())
        });
    });
}

/// Asserts every live mesh peering has AllowDnsResolutionFromRemoteVpc
/// `expected` on both sides (false also when EC2 reports no options at all).
#[track_caller]
fn assert_dns(ec2: &Ec2Snapshot, expected: bool) {
    let peerings = ec2.live_mesh_peerings();
    assert_eq!(peerings.len(), 6, "six peerings");
    for p in peerings {
        let side = |dns: Option<bool>| dns.unwrap_or(false);
        assert_eq!(
            (side(p.requester_dns), side(p.accepter_dns)),
            (expected, expected),
            "AllowDnsResolutionFromRemoteVpc on both sides of {}: {p:#?}",
            p.id
        );
        if expected {
            assert_eq!((p.requester_dns, p.accepter_dns), (Some(true), Some(true)));
        }
    }
}

/// Route tables' routes and groups' rules, by object id.
fn routes_and_rules(ec2: &Ec2Snapshot) -> BTreeMap<String, String> {
    let tables = ec2
        .route_tables
        .iter()
        .filter(|t| t.is_mesh_object())
        .map(|t| {
            let mut routes = t.routes.clone();
            routes.sort();
            (t.id.clone(), format!("{routes:?}"))
        });
    let groups = ec2
        .security_groups
        .iter()
        .filter(|g| g.is_mesh_object())
        .map(|g| (g.id.clone(), format!("{:?}", g.ingress)));
    tables.chain(groups).collect()
}

#[test]
fn dns_resolution_on_both_sides_and_toggled_off_alone() {
    let test = "dns_resolution_toggle";
    for_each_terraform(test, |tf| {
        let Some(moto) = MotoServer::require(test) else {
            return;
        };
        let timer = ScenarioTimer::start(test, tf);
        let mut spec = MeshSpec::seed();
        spec.dns_resolution = Some(true);
        let ws = mesh_workspace(test, tf, &moto, &spec);
        ws.init().expect_success();
        timer.step("apply with dns", || {
            apply_mesh(&ws);
        });
        let check = Ec2Check::new(&moto.endpoint(), REGION);
        let on = check.snapshot();
        let outputs = MeshOutputs::parse(ws.output_json().expect_success());
        assert_mesh_matches(&on, &spec, &outputs);
        assert_dns(&on, true);
        assert_plan_empty(&ws.plan_detailed());

        spec.dns_resolution = Some(false);
        write_spec(&ws, &moto, &spec);
        timer.step("apply without dns", || {
            apply_mesh(&ws);
        });
        let off = check.snapshot();
        assert_dns(&off, false);
        assert_eq!(object_ids(&off), object_ids(&on), "same objects");
        assert_eq!(
            routes_and_rules(&off),
            routes_and_rules(&on),
            "same routes and rules"
        );
        timer.step("plan after toggle", || {
            assert_plan_empty(&ws.plan_detailed())
        });
    });
}
