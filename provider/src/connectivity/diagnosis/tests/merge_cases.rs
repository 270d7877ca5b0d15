//! One sentence per broken component: a route table with several wrong routes is one
//! sentence listing each destination and peering, and a security group is named by its
//! id and, when it has one, its mesh key.

use super::*;

const BOTH_WAYS_3_4: [(&str, &str); 2] = [("testing", "shared"), ("shared", "testing")];

#[test]
fn table_with_several_wrong_routes_is_one_sentence() {
    let mut s = lab();
    let table = table_mut(&mut s, "rtb-3");
    table
        .routes
        .retain(|r| r.destination != cidr(1) && r.destination != cidr(4));
    for r in &mut table.routes {
        if r.destination == cidr(2) {
            r.target = RouteTarget::Peering(pcx(1, 3));
        }
    }
    let failing: Vec<(&str, &str)> = ["production", "development", "shared"]
        .into_iter()
        .flat_map(|h| [(h, "testing"), ("testing", h)])
        .collect();
    let results = matrix(&failing);
    let e = run(&results, &full_mesh(), Some(&s));
    assert_eq!(
        e.diagnosis,
        ["route table rtb-3 (rtb/testing/private) has no route to 10.1.0.0/16 (VPC production) through peering pcx-13 (pcx/production:testing), nor to 10.4.0.0/16 (VPC shared) through peering pcx-34 (pcx/shared:testing); it sends 10.2.0.0/16 (VPC development) to peering pcx-13 (pcx/production:testing), which does not connect to VPC development"]
    );
    let cause = cause_of(&results, &e, "shared", "testing").unwrap();
    assert_eq!(
        cause,
        "route table rtb-3 (rtb/testing/private) has no route to 10.4.0.0/16 (VPC shared) through peering pcx-34 (pcx/shared:testing)",
        "a result's cause names only its own route"
    );
}

#[test]
fn routes_of_two_tables_are_two_sentences() {
    let mut s = lab();
    for (table, peer) in [("rtb-3", 4), ("rtb-4", 3)] {
        table_mut(&mut s, table)
            .routes
            .retain(|r| r.destination != cidr(peer));
    }
    let e = run(&matrix(&BOTH_WAYS_3_4), &full_mesh(), Some(&s));
    assert_eq!(e.diagnosis.len(), 2, "{:?}", e.diagnosis);
    assert!(e.diagnosis[0]
        .starts_with("route table rtb-3 (rtb/testing/private) has no route to 10.4.0.0/16"));
    assert!(e.diagnosis[1]
        .starts_with("route table rtb-4 (rtb/shared/private) has no route to 10.3.0.0/16"));
}

#[test]
fn group_without_a_mesh_key_is_named_by_id_alone() {
    let mut s = lab();
    host_mut(&mut s, "shared").security_group_ids = vec!["sg-4".into(), "sg-ops".into()];
    s.security_groups.push(SecurityGroup {
        id: "sg-ops".into(),
        key: None,
        ingress: Vec::new(),
        opaque_rules: 0,
    });
    group_mut(&mut s, "sg-4")
        .ingress
        .retain(|r| r.source != cidr(3));
    let e = run(&matrix(&[("testing", "shared")]), &full_mesh(), Some(&s));
    assert_eq!(
        e.diagnosis,
        ["security groups sg-4 (sg/shared), sg-ops of VPC shared (host shared) have no inbound rule for ICMP echo from 10.3.1.129 (VPC testing, 10.3.0.0/16)"]
    );
}
