//! Facts the snapshot lacks or cannot model: the diagnosis says which one and blames
//! nothing; and a security group that blocks several pairs is one sentence.

use super::*;

#[test]
fn host_missing_from_the_snapshot_is_said_not_guessed() {
    let mut s = lab();
    s.hosts.retain(|h| h.name != "shared");
    let results = matrix(&[("testing", "shared")]);
    let e = run(&results, &full_mesh(), Some(&s));
    assert_eq!(e.diagnosis.len(), 1);
    assert!(e.diagnosis[0].starts_with("no EC2 facts for host shared"));
    let cause = cause_of(&results, &e, "testing", "shared").unwrap();
    assert!(
        cause.starts_with("testing cannot reach shared although shared reaches testing"),
        "{cause}"
    );
}

#[test]
fn group_with_rules_it_cannot_read_blames_nothing() {
    let mut s = lab();
    let sg = group_mut(&mut s, "sg-4");
    sg.ingress.retain(|r| r.source != cidr(3));
    sg.opaque_rules = 1;
    let results = matrix(&[("testing", "shared")]);
    let e = run(&results, &full_mesh(), Some(&s));
    assert_eq!(e.diagnosis.len(), 1, "{:?}", e.diagnosis);
    let start =
        "no EC2 facts for host shared: security group sg-4 has rules this check cannot read";
    assert!(e.diagnosis[0].starts_with(start), "{:?}", e.diagnosis);
}

#[test]
fn instance_without_groups_is_unknown_never_blamed() {
    let mut s = lab();
    host_mut(&mut s, "shared").security_group_ids.clear();
    let results = matrix(&[("testing", "shared")]);
    let e = run(&results, &full_mesh(), Some(&s));
    assert!(
        e.diagnosis.iter().all(|d| !d.starts_with("security group")),
        "{:?}",
        e.diagnosis
    );
    assert_eq!(
        e.diagnosis,
        ["no EC2 facts for host shared: EC2 listed no security group for instance i-4, so whether ICMP echo reaches it cannot be checked"]
    );
}

#[test]
fn instance_without_groups_leaves_only_the_broken_route() {
    let mut s = lab();
    host_mut(&mut s, "shared").security_group_ids.clear();
    host_mut(&mut s, "testing").security_group_ids.clear();
    table_mut(&mut s, "rtb-3")
        .routes
        .retain(|r| r.destination != cidr(4));
    let results = matrix(&[("testing", "shared"), ("shared", "testing")]);
    let e = run(&results, &full_mesh(), Some(&s));
    assert_eq!(
        e.diagnosis,
        ["route table rtb-3 (rtb/testing/private) has no route to 10.4.0.0/16 (VPC shared) through peering pcx-34 (pcx/shared:testing)"]
    );
}

#[test]
fn group_not_read_is_named_and_not_blamed() {
    let mut s = lab();
    s.security_groups.retain(|g| g.id != "sg-4");
    let results = matrix(&[("testing", "shared")]);
    let e = run(&results, &full_mesh(), Some(&s));
    assert_eq!(
        e.diagnosis,
        ["no EC2 facts for host shared: security group sg-4 was not read, so whether ICMP echo reaches it cannot be checked"]
    );
}

#[test]
fn group_blocking_two_vpcs_is_one_sentence_naming_both() {
    let mut s = lab();
    let sg = group_mut(&mut s, "sg-4");
    sg.ingress
        .retain(|r| r.source != cidr(3) && r.source != cidr(1));
    let failing = [("testing", "shared"), ("production", "shared")];
    let results = matrix(&failing);
    let e = run(&results, &full_mesh(), Some(&s));
    assert_eq!(
        e.diagnosis,
        ["security group sg-4 (sg/shared) of VPC shared (host shared) has no inbound rule for ICMP echo from 10.1.2.249 (VPC production, 10.1.0.0/16), nor from 10.3.1.129 (VPC testing, 10.3.0.0/16)"]
    );
    let cause = cause_of(&results, &e, "testing", "shared").unwrap();
    assert!(cause.contains("from 10.3.1.129 (VPC testing"), "{cause}");
    assert!(!cause.contains("production"), "{cause}");
}
