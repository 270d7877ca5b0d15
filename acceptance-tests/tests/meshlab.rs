//! The EC2-mirroring lab against AWS semantics: for hand-built specs, the
//! set of (from, to) host pairs whose `ping -c 1 -W 1` is answered is
//! exactly what AWS would deliver; SSH works with the lab's key; nothing is
//! left behind. Root is needed (skipped otherwise, failed under CI=true).

mod meshlab_support;

use std::collections::BTreeSet;

use acceptance_tests::netns::list_namespaces;
use meshlab::{icmp_from, tcp_from, InstanceState, LabSpec, MeshLab, RouteTarget};
use meshlab_support::{all_pairs, assert_matrix, without};

const HOSTS: [&str; 4] = ["a1", "a2", "b1", "c1"];

/// Three VPCs; A has two subnets. Every host allows ICMP and SSH from 10/8.
fn three_vpcs() -> LabSpec {
    let mut spec = LabSpec::default();
    spec.add_vpc("vpc-a", "10.1.0.0/16")
        .add_vpc("vpc-b", "10.2.0.0/16")
        .add_vpc("vpc-c", "10.3.0.0/16")
        .add_subnet("subnet-a1", "vpc-a", "10.1.1.0/24")
        .add_subnet("subnet-a2", "vpc-a", "10.1.2.0/24")
        .add_subnet("subnet-b1", "vpc-b", "10.2.1.0/24")
        .add_subnet("subnet-c1", "vpc-c", "10.3.1.0/24")
        .add_group(
            "sg-mesh",
            vec![icmp_from("10.0.0.0/8"), tcp_from(22, "10.0.0.0/8")],
        )
        .add_instance("a1", "subnet-a1", "10.1.1.10", &["sg-mesh"])
        .add_instance("a2", "subnet-a2", "10.1.2.20", &["sg-mesh"])
        .add_instance("b1", "subnet-b1", "10.2.1.10", &["sg-mesh"])
        .add_instance("c1", "subnet-c1", "10.3.1.10", &["sg-mesh"]);
    spec
}

fn full_mesh() -> LabSpec {
    let mut spec = three_vpcs();
    spec.peer("pcx-ab", "vpc-a", "vpc-b")
        .peer("pcx-ac", "vpc-a", "vpc-c")
        .peer("pcx-bc", "vpc-b", "vpc-c");
    spec
}

#[test]
fn full_mesh_of_three_vpcs_reaches_everything() {
    let Some(lab) = MeshLab::require("full_mesh_of_three_vpcs_reaches_everything", full_mesh())
    else {
        return;
    };
    assert_matrix(&lab, &all_pairs(&HOSTS));
}

#[test]
fn deleted_peering_cuts_exactly_its_pairs_and_sync_keeps_hosts() {
    let Some(mut lab) = MeshLab::require("deleted_peering_cuts_exactly_its_pairs", full_mesh())
    else {
        return;
    };
    let sshd_before = lab.state().sshd.clone();
    let mut spec = full_mesh();
    spec.set_peering_status("pcx-bc", "deleted");
    lab.sync(spec).expect("sync");
    assert_matrix(
        &lab,
        &without(&all_pairs(&HOSTS), &[("b1", "c1"), ("c1", "b1")]),
    );
    assert_eq!(lab.state().sshd, sshd_before, "sync restarted sshd");
    lab.sync(full_mesh()).expect("sync back");
    assert_matrix(&lab, &all_pairs(&HOSTS));
}

#[test]
fn route_into_a_vanished_peering_is_a_blackhole() {
    let mut spec = full_mesh();
    // The peering is gone from EC2; both tables keep their routes into it.
    spec.peerings.retain(|p| p.id != "pcx-ac");
    let Some(lab) = MeshLab::require("route_into_a_vanished_peering_is_a_blackhole", spec) else {
        return;
    };
    let cut = [("a1", "c1"), ("a2", "c1"), ("c1", "a1"), ("c1", "a2")];
    assert_matrix(&lab, &without(&all_pairs(&HOSTS), &cut));
}

#[test]
fn removed_route_cuts_one_direction_of_replies() {
    let Some(mut lab) =
        MeshLab::require("removed_route_cuts_one_direction_of_replies", full_mesh())
    else {
        return;
    };
    let mut spec = full_mesh();
    // C can no longer route to B: B's echo requests get no reply, and C's
    // requests do not leave. Both directions fail, as in AWS.
    spec.remove_route(&LabSpec::main_table_id("vpc-c"), "10.2.0.0/16");
    lab.sync(spec).expect("sync");
    assert_matrix(
        &lab,
        &without(&all_pairs(&HOSTS), &[("b1", "c1"), ("c1", "b1")]),
    );
}

#[test]
fn hub_and_spoke_does_not_carry_spoke_to_spoke_traffic() {
    let mut spec = three_vpcs();
    spec.peer("pcx-ab", "vpc-a", "vpc-b")
        .peer("pcx-ac", "vpc-a", "vpc-c");
    // Each spoke routes the other spoke's CIDR into its peering with the hub,
    // and the hub routes both: peering is still not transitive.
    spec.add_route(
        &LabSpec::main_table_id("vpc-b"),
        "10.3.0.0/16",
        RouteTarget::Peering("pcx-ab".into()),
    );
    spec.add_route(
        &LabSpec::main_table_id("vpc-c"),
        "10.2.0.0/16",
        RouteTarget::Peering("pcx-ac".into()),
    );
    let Some(lab) = MeshLab::require("hub_and_spoke_does_not_carry_spoke_to_spoke_traffic", spec)
    else {
        return;
    };
    assert_matrix(
        &lab,
        &without(&all_pairs(&HOSTS), &[("b1", "c1"), ("c1", "b1")]),
    );
}

#[test]
fn security_group_without_icmp_from_a_source_blocks_only_that_source() {
    let mut spec = full_mesh();
    spec.add_group("sg-only-a", vec![icmp_from("10.1.0.0/16")]);
    spec.instance_mut("c1").security_group_ids = vec!["sg-only-a".into()];
    let Some(lab) = MeshLab::require("security_group_without_icmp_from_a_source", spec) else {
        return;
    };
    // c1 still reaches b1: the reply is part of a connection c1 opened.
    assert_matrix(&lab, &without(&all_pairs(&HOSTS), &[("b1", "c1")]));
}

#[test]
fn stopped_instance_answers_nobody_until_started() {
    let Some(mut lab) = MeshLab::require("stopped_instance_answers_nobody", full_mesh()) else {
        return;
    };
    let mut spec = full_mesh();
    spec.set_state("b1", InstanceState::Stopped);
    lab.sync(spec).expect("sync");
    let with_b1: Vec<(&str, &str)> = HOSTS
        .iter()
        .flat_map(|h| [("b1", *h), (*h, "b1")])
        .collect();
    assert_matrix(&lab, &without(&all_pairs(&HOSTS), &with_b1));
    lab.sync(full_mesh()).expect("sync");
    assert_matrix(&lab, &all_pairs(&HOSTS));
}

/// VPCs B and C peered, without A.
fn b_and_c() -> LabSpec {
    let mut spec = LabSpec::default();
    spec.add_vpc("vpc-b", "10.2.0.0/16")
        .add_vpc("vpc-c", "10.3.0.0/16")
        .add_subnet("subnet-b1", "vpc-b", "10.2.1.0/24")
        .add_subnet("subnet-c1", "vpc-c", "10.3.1.0/24")
        .add_group("sg-mesh", vec![icmp_from("10.0.0.0/8")])
        .add_instance("b1", "subnet-b1", "10.2.1.10", &["sg-mesh"])
        .add_instance("c1", "subnet-c1", "10.3.1.10", &["sg-mesh"])
        .peer("pcx-bc", "vpc-b", "vpc-c");
    spec
}

#[test]
fn sync_adds_a_vpc_and_removes_a_terminated_instance() {
    let Some(mut lab) = MeshLab::require("sync_adds_a_vpc", b_and_c()) else {
        return;
    };
    assert_matrix(&lab, &all_pairs(&["b1", "c1"]));
    // vpc-a sorts first: every router's link address moves.
    lab.sync(full_mesh()).expect("sync adding vpc-a");
    assert_matrix(&lab, &all_pairs(&HOSTS));
    let c1 = lab.host("c1").namespace.clone();
    let mut spec = full_mesh();
    spec.instances.retain(|i| i.name != "c1");
    lab.sync(spec).expect("sync without c1");
    assert!(!list_namespaces().contains(&c1), "{c1} is left");
    assert_matrix(&lab, &all_pairs(&["a1", "a2", "b1"]));
}

/// A bastion in A's public subnet (its own table: 0.0.0.0/0 to the gateway),
/// a2 in A's private subnet with a public IP the gateway does not map, and
/// b1 accepting SSH only from the public subnet.
fn bastion_spec() -> LabSpec {
    let mut spec = LabSpec::default();
    spec.add_vpc("vpc-a", "10.1.0.0/16")
        .add_vpc("vpc-b", "10.2.0.0/16")
        .add_subnet("subnet-pub", "vpc-a", "10.1.1.0/24")
        .add_subnet("subnet-a2", "vpc-a", "10.1.2.0/24")
        .add_subnet("subnet-b1", "vpc-b", "10.2.1.0/24")
        .add_route_table("rtb-pub", "subnet-pub")
        .add_gateway("igw-a", "vpc-a")
        .add_route(
            "rtb-pub",
            "0.0.0.0/0",
            RouteTarget::InternetGateway("igw-a".into()),
        )
        .peer("pcx-ab", "vpc-a", "vpc-b")
        .add_route(
            "rtb-pub",
            "10.2.0.0/16",
            RouteTarget::Peering("pcx-ab".into()),
        )
        .add_group(
            "sg-bastion",
            vec![tcp_from(22, "0.0.0.0/0"), icmp_from("10.0.0.0/8")],
        )
        .add_group(
            "sg-private",
            vec![tcp_from(22, "10.1.1.0/24"), icmp_from("10.0.0.0/8")],
        )
        .add_instance("bastion", "subnet-pub", "10.1.1.249", &["sg-bastion"])
        .add_instance("a2", "subnet-a2", "10.1.2.20", &["sg-private"])
        .add_instance("b1", "subnet-b1", "10.2.1.10", &["sg-private"])
        .set_public_ip("bastion", "203.0.113.10".parse().unwrap())
        .set_public_ip("a2", "203.0.113.20".parse().unwrap());
    spec
}

#[test]
fn ssh_with_the_lab_key_between_hosts_and_from_the_runner_to_the_bastion() {
    let Some(lab) = MeshLab::require("ssh_with_the_lab_key", bastion_spec()) else {
        return;
    };
    let bastion = lab.host("bastion").clone();
    let b1 = lab.host("b1").private_ip;
    lab.ssh_from(&bastion.namespace, b1, &["true"])
        .expect_success();
    // b1 takes SSH from the public subnet only.
    lab.ssh_from(&lab.host("a2").namespace, b1, &["true"])
        .expect_failure();
    let public = bastion
        .public_ip
        .expect("the bastion is reachable through the gateway");
    let out = lab.ssh_from(lab.runner(), public, &["hostname", "-I"]);
    assert_eq!(
        out.expect_success().stdout.trim(),
        "10.1.1.249",
        "1:1 NAT lands on the bastion"
    );
    // The runner reaches the bastion's public IP and nothing else.
    assert_eq!(
        lab.host("a2").public_ip,
        None,
        "a2's subnet has no route to the gateway"
    );
    for target in ["203.0.113.20", "10.1.1.249", "10.1.2.20", "10.2.1.10"] {
        assert!(
            !lab.ping_from(lab.runner(), target.parse().unwrap()),
            "runner reached {target}"
        );
    }
    let known_hosts = std::fs::read_to_string(lab.known_hosts()).unwrap();
    for address in ["10.1.1.249", "10.1.2.20", "10.2.1.10", "203.0.113.10"] {
        assert!(
            known_hosts
                .lines()
                .any(|l| l.starts_with(&format!("{address} "))),
            "{address} in {known_hosts}"
        );
    }
}

#[test]
fn down_leaves_no_namespace_process_or_file() {
    let Some(lab) = MeshLab::require("down_leaves_no_namespace", bastion_spec()) else {
        return;
    };
    let id = lab.state().id.clone();
    let dir = lab.state().dir.clone();
    let sshd: BTreeSet<u32> = lab.state().sshd.values().copied().collect();
    assert_eq!(sshd.len(), 3);
    lab.down();
    let left: Vec<String> = list_namespaces()
        .into_iter()
        .filter(|ns| ns.starts_with(&format!("{id}-")))
        .collect();
    assert!(left.is_empty(), "namespaces left: {left:?}");
    assert!(!dir.exists(), "{} left", dir.display());
    for pid in sshd {
        let alive =
            std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|s| !s.contains(") Z "));
        assert!(!alive, "sshd {pid} still runs");
    }
}
