//! Without EC2 facts: causes from the results alone, an empty diagnosis, no AWS names.

use super::*;

fn explain_alone(results: &[PairResult], expectations: &Expectations) -> Explanation {
    let e = run(results, expectations, None);
    assert!(e.diagnosis.is_empty(), "no snapshot, no diagnosis");
    for cause in e.causes.iter().flatten() {
        for aws in ["pcx-", "rtb-", "sg-", "i-", "vpc-"] {
            assert!(!cause.contains(aws), "{cause:?} names an AWS object");
        }
    }
    e
}

#[test]
fn nothing_failed_nothing_to_explain() {
    let e = explain_alone(&matrix(&[]), &full_mesh());
    assert!(e.causes.iter().all(Option::is_none));
    assert_eq!(e.causes.len(), 12);
}

#[test]
fn host_nobody_reaches_is_named_for_every_probe_to_it() {
    let failing = [
        ("production", "shared"),
        ("development", "shared"),
        ("testing", "shared"),
    ];
    let results = matrix(&failing);
    let e = explain_alone(&results, &full_mesh());
    let expected = "shared is unreachable from every source: the host is likely down or drops ICMP";
    for (from, to) in failing {
        assert_eq!(cause_of(&results, &e, from, to).as_deref(), Some(expected));
    }
    assert_eq!(with_cause(&results, &e).len(), 3);
}

#[test]
fn pair_failing_both_ways_points_at_the_path_between_their_vpcs() {
    let results = matrix(&[("testing", "shared"), ("shared", "testing")]);
    let e = explain_alone(&results, &full_mesh());
    assert_eq!(
        cause_of(&results, &e, "testing", "shared").as_deref(),
        Some("testing and shared cannot reach each other while both answer other hosts: the path between VPC testing and VPC shared (peering or routes) is likely broken")
    );
}

#[test]
fn pair_failing_both_ways_without_vpcs_says_less() {
    let results = matrix(&[("testing", "shared"), ("shared", "testing")]);
    let e = explain_alone(&results, &Expectations::default());
    assert_eq!(
        cause_of(&results, &e, "shared", "testing").as_deref(),
        Some("shared and testing cannot reach each other while both answer other hosts: the path between them is likely broken")
    );
}

#[test]
fn one_way_failure_points_at_the_target_ingress() {
    let results = matrix(&[("testing", "shared")]);
    let e = explain_alone(&results, &full_mesh());
    let cause = cause_of(&results, &e, "testing", "shared").unwrap();
    assert!(
        cause.starts_with("testing cannot reach shared although shared reaches testing"),
        "{cause}"
    );
}

#[test]
fn single_local_failure_has_no_cause() {
    let results = [result("local", "a", false), result("local", "b", true)];
    let e = explain_alone(&results, &Expectations::default());
    assert_eq!(e.causes, [None, None]);
}

#[test]
fn local_reaching_nothing_is_the_runner() {
    let results = [result("local", "a", false), result("local", "b", false)];
    let e = explain_alone(&results, &Expectations::default());
    let cause = e.causes[0].as_deref().unwrap();
    assert!(cause.starts_with("the machine running Terraform reached none of the 2 hosts"));
    assert_eq!(e.causes[0], e.causes[1]);
}

#[test]
fn unexpectedly_reachable_cites_non_transitive_peering() {
    let results = matrix(&[]);
    let e = explain_alone(&results, &hub_and_spoke());
    assert_eq!(
        cause_of(&results, &e, "testing", "production").as_deref(),
        Some("reached although VPC testing is not expected to reach VPC production: peering is not transitive, so a path outside the expected mesh carries the traffic")
    );
    assert_eq!(cause_of(&results, &e, "testing", "shared"), None);
}
