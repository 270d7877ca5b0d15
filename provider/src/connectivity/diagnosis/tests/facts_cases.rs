//! One broken component per case, found through EC2 facts.

use super::*;

const BOTH_WAYS_3_4: [(&str, &str); 2] = [("testing", "shared"), ("shared", "testing")];

fn pair(a: &str, b: &str) -> (String, String) {
    (a.to_string(), b.to_string())
}

/// The lab with host shared stopped, and every pair to or from it.
fn shared_stopped() -> (Snapshot, Vec<(&'static str, &'static str)>) {
    let mut s = lab();
    host_mut(&mut s, "shared").state = InstanceState::Stopped;
    let failing = LAB
        .iter()
        .filter(|(n, _)| *n != "shared")
        .flat_map(|(n, _)| [(*n, "shared"), ("shared", *n)])
        .collect();
    (s, failing)
}

#[test]
fn stopped_target_is_one_sentence_and_nothing_else() {
    let (s, failing) = shared_stopped();
    let results = matrix(&failing);
    let e = run(&results, &full_mesh(), Some(&s));
    let stopped = "instance i-4 (host shared) is stopped";
    assert_eq!(e.diagnosis, [stopped]);
    for (from, to) in &failing {
        assert_eq!(cause_of(&results, &e, from, to).as_deref(), Some(stopped));
    }
    assert_eq!(with_cause(&results, &e).len(), failing.len());
}

#[test]
fn stopped_source_that_could_not_be_probed_from_is_the_same_one_sentence() {
    let (s, failing) = shared_stopped();
    let results = matrix(&failing);
    let e = run_unprobed(&results, &full_mesh(), Some(&s), &["shared"]);
    let stopped = "instance i-4 (host shared) is stopped";
    assert_eq!(e.diagnosis, [stopped]);
    for (from, to) in &failing {
        assert_eq!(cause_of(&results, &e, from, to).as_deref(), Some(stopped));
    }
}

#[test]
fn running_source_that_could_not_be_probed_from_blames_nothing() {
    let failing: Vec<(&str, &str)> = LAB
        .iter()
        .filter(|(n, _)| *n != "shared")
        .map(|(n, _)| ("shared", *n))
        .collect();
    let results = matrix(&failing);
    let e = run_unprobed(&results, &full_mesh(), Some(&lab()), &["shared"]);
    assert!(e.diagnosis.is_empty(), "{:?}", e.diagnosis);
    assert!(with_cause(&results, &e).is_empty());
}

#[test]
fn deleted_peering_failing_both_ways_is_one_sentence() {
    let mut s = lab();
    peering_mut(&mut s, "pcx-34").status = PeeringStatus::Deleted;
    for rtb in ["rtb-3", "rtb-4"] {
        for r in &mut table_mut(&mut s, rtb).routes {
            r.blackhole |= r.target == RouteTarget::Peering("pcx-34".into());
        }
    }
    let results = matrix(&BOTH_WAYS_3_4);
    let e = run(&results, &full_mesh(), Some(&s));
    let sentence = "peering pcx-34 (pcx/shared:testing) between VPC shared and VPC testing is deleted, not active";
    assert_eq!(e.diagnosis, [sentence]);
    assert_eq!(
        cause_of(&results, &e, "shared", "testing").as_deref(),
        Some(sentence)
    );
    assert_eq!(
        with_cause(&results, &e),
        [pair("testing", "shared"), pair("shared", "testing")]
    );
}

#[test]
fn peering_gone_from_ec2_names_both_vpcs_and_the_peering_routes_lead_to() {
    let mut s = lab();
    s.peerings.retain(|p| p.id != "pcx-34");
    let e = run(&matrix(&BOTH_WAYS_3_4), &full_mesh(), Some(&s));
    assert_eq!(
        e.diagnosis,
        ["peering shared:testing is missing: no peering connection between VPC shared (vpc-4) and VPC testing (vpc-3); their routes still lead to peering pcx-34, which EC2 no longer lists: it was deleted (or rejected, failed, expired)"]
    );
    for rtb in ["rtb-3", "rtb-4"] {
        let table = table_mut(&mut s, rtb);
        table
            .routes
            .retain(|r| r.target != RouteTarget::Peering("pcx-34".into()));
    }
    let e = run(&matrix(&BOTH_WAYS_3_4), &full_mesh(), Some(&s));
    assert_eq!(
        e.diagnosis,
        ["peering shared:testing is missing: no peering connection between VPC shared (vpc-4) and VPC testing (vpc-3)"]
    );
}

#[test]
fn pending_peering_names_its_status() {
    let mut s = lab();
    peering_mut(&mut s, "pcx-34").status = PeeringStatus::PendingAcceptance;
    let e = run(&matrix(&BOTH_WAYS_3_4), &full_mesh(), Some(&s));
    assert_eq!(
        e.diagnosis,
        ["peering pcx-34 (pcx/shared:testing) between VPC shared and VPC testing is pending-acceptance, not active"]
    );
}

#[test]
fn missing_route_names_table_and_destination() {
    let mut s = lab();
    table_mut(&mut s, "rtb-3")
        .routes
        .retain(|r| r.destination != cidr(4));
    let results = matrix(&BOTH_WAYS_3_4);
    let e = run(&results, &full_mesh(), Some(&s));
    let sentence =
        "route table rtb-3 (rtb/testing/private) has no route to 10.4.0.0/16 (VPC shared) through peering pcx-34 (pcx/shared:testing)";
    assert_eq!(e.diagnosis, [sentence]);
    assert_eq!(
        cause_of(&results, &e, "shared", "testing").as_deref(),
        Some(sentence),
        "the reply from testing needs the same route"
    );
}

#[test]
fn default_route_to_the_internet_is_not_a_route_to_the_peer() {
    let mut s = lab();
    let table = table_mut(&mut s, "rtb-3");
    table.routes.retain(|r| r.destination != cidr(4));
    table.routes.push(route(
        "0.0.0.0/0".parse().unwrap(),
        RouteTarget::Gateway("igw-3".into()),
    ));
    let e = run(&matrix(&BOTH_WAYS_3_4), &full_mesh(), Some(&s));
    assert_eq!(
        e.diagnosis,
        ["route table rtb-3 (rtb/testing/private) has no route to 10.4.0.0/16 (VPC shared) through peering pcx-34 (pcx/shared:testing)"]
    );
}

#[test]
fn route_to_a_deleted_peering_is_a_blackhole() {
    let mut s = lab();
    peering_mut(&mut s, "pcx-34").status = PeeringStatus::Deleted;
    s.peerings.push(Peering {
        id: "pcx-34b".into(),
        key: None,
        vpc_ids: ["vpc-3".into(), "vpc-4".into()],
        status: PeeringStatus::Active,
    });
    for r in &mut table_mut(&mut s, "rtb-3").routes {
        if r.destination == cidr(4) {
            r.target = RouteTarget::Peering("pcx-34b".into());
        }
    }
    for r in &mut table_mut(&mut s, "rtb-4").routes {
        r.blackhole |= r.destination == cidr(3);
    }
    let e = run(&matrix(&BOTH_WAYS_3_4), &full_mesh(), Some(&s));
    assert_eq!(
        e.diagnosis,
        ["route table rtb-4 (rtb/shared/private) sends 10.3.0.0/16 (VPC testing) to peering pcx-34 (pcx/shared:testing), which is deleted: a blackhole"]
    );
}

#[test]
fn security_group_without_icmp_names_the_group() {
    let mut s = lab();
    let sg = group_mut(&mut s, "sg-4");
    sg.ingress.retain(|r| r.source != cidr(3));
    sg.ingress.push(IngressRule {
        traffic: Traffic::Tcp {
            from_port: 22,
            to_port: 22,
        },
        source: cidr(3),
    });
    let results = matrix(&[("testing", "shared")]);
    let e = run(&results, &full_mesh(), Some(&s));
    let sentence =
        "security group sg-4 (sg/shared) of VPC shared (host shared) has no inbound rule for ICMP echo from 10.3.1.129 (VPC testing, 10.3.0.0/16)";
    assert_eq!(e.diagnosis, [sentence]);
    assert_eq!(with_cause(&results, &e), [pair("testing", "shared")]);
}

#[test]
fn spoke_to_spoke_unreachable_is_as_expected() {
    let mut s = lab();
    s.peerings
        .retain(|p| p.vpc_ids.iter().any(|v| v == "vpc-4"));
    let spokes = [
        ("production", "development"),
        ("production", "testing"),
        ("development", "production"),
        ("development", "testing"),
        ("testing", "production"),
        ("testing", "development"),
    ];
    let results = matrix(&spokes);
    let e = run(&results, &hub_and_spoke(), Some(&s));
    assert!(e.diagnosis.is_empty(), "{:?}", e.diagnosis);
    assert!(e.causes.iter().all(Option::is_none));
}

#[test]
fn spoke_reaching_spoke_is_explained_by_the_missing_peering() {
    let mut s = lab();
    s.peerings
        .retain(|p| p.vpc_ids.iter().any(|v| v == "vpc-4"));
    let results = matrix(&[("development", "testing"), ("testing", "development")]);
    let e = run(&results, &hub_and_spoke(), Some(&s));
    let cause = cause_of(&results, &e, "production", "development").unwrap();
    assert!(
        cause.starts_with(
            "traffic flows between VPC development and VPC production with no active peering"
        ),
        "{cause}"
    );
    assert_eq!(
        e.diagnosis.len(),
        2,
        "one per pair of spoke VPCs that reach each other: {:?}",
        e.diagnosis
    );
}

#[test]
fn reaching_over_a_peering_expect_does_not_list_names_it() {
    let results = matrix(&[]);
    let e = run(&results, &hub_and_spoke(), Some(&lab()));
    let cause = cause_of(&results, &e, "development", "production").unwrap();
    assert!(cause.contains("active peering pcx-12"), "{cause}");
}

#[test]
fn all_right_but_failing_is_a_data_plane_problem() {
    let results = matrix(&BOTH_WAYS_3_4);
    let e = run(&results, &full_mesh(), Some(&lab()));
    assert_eq!(
        e.diagnosis,
        ["control plane looks right between hosts shared and testing: a data-plane problem (host firewall, network ACL or the network itself)"]
    );
}

#[test]
fn running_host_nobody_reaches_is_one_fault() {
    let failing: Vec<(&str, &str)> = ["production", "development", "testing"]
        .into_iter()
        .map(|n| (n, "shared"))
        .collect();
    let e = run(&matrix(&failing), &full_mesh(), Some(&lab()));
    assert_eq!(e.diagnosis.len(), 1, "{:?}", e.diagnosis);
    assert!(
        e.diagnosis[0]
            .starts_with("host shared answers no source although instance i-4 is running"),
        "{:?}",
        e.diagnosis
    );
}

#[test]
fn local_source_gets_only_target_facts() {
    let mut s = lab();
    host_mut(&mut s, "shared").state = InstanceState::Stopped;
    let results = [
        result("local", "shared", false),
        result("local", "testing", false),
    ];
    let e = run(&results, &full_mesh(), Some(&s));
    assert_eq!(e.diagnosis, ["instance i-4 (host shared) is stopped"]);
    assert_eq!(
        cause_of(&results, &e, "local", "testing").as_deref(),
        Some("the machine running Terraform reached none of the 2 hosts: it likely has no route to them")
    );
}

#[test]
fn instance_not_yet_running_names_its_state() {
    let mut s = lab();
    host_mut(&mut s, "shared").state = InstanceState::Pending;
    let e = run(&[result("local", "shared", false)], &full_mesh(), Some(&s));
    assert_eq!(e.diagnosis, ["instance i-4 (host shared) is pending"]);
}
