mod topology_and_quotas;

use super::*;
use crate::mesh::fixtures::{net, seed_mesh, subnet, vpc};
use crate::mesh::model::Topology;

fn errors(mesh: &Mesh) -> Problems {
    validate(mesh, &Quotas::default())
}

/// The single problem at `path`; fails when there is none or more than one.
fn only_error(d: &Problems, path: &str) -> String {
    assert_eq!(d.0.len(), 1, "expected one problem, got:\n{d}");
    let e = &d.0[0];
    assert_eq!(e.path.to_string(), path, "{e}");
    e.detail.clone()
}

/// The paths of all problems, in order.
fn paths(d: &Problems) -> Vec<String> {
    d.0.iter().map(|e| e.path.to_string()).collect()
}

#[test]
fn the_seed_mesh_is_valid() {
    let d = errors(&seed_mesh());
    assert!(d.is_empty(), "{d}");
}

#[test]
fn overlapping_peered_vpcs_name_both_and_the_range() {
    let mut mesh = seed_mesh();
    mesh.vpcs.get_mut("testing").unwrap().cidr = Some(net("10.1.0.0/20"));
    mesh.vpcs
        .get_mut("testing")
        .unwrap()
        .subnets
        .get_mut("private")
        .unwrap()
        .cidr = net("10.1.3.0/24");
    let detail = only_error(&errors(&mesh), r#"vpcs["testing"].cidr_block"#);
    assert!(
        detail.contains(r#"VPC "production" (10.1.0.0/16)"#),
        "{detail}"
    );
    assert!(
        detail.contains(r#"VPC "testing" (10.1.0.0/20)"#),
        "{detail}"
    );
    assert!(detail.contains("overlap in 10.1.0.0/20"), "{detail}");
}

#[test]
fn overlap_between_unpeered_vpcs_is_allowed() {
    let mut mesh = seed_mesh();
    mesh.vpcs.get_mut("testing").unwrap().cidr = Some(net("10.2.0.0/16"));
    mesh.vpcs
        .get_mut("testing")
        .unwrap()
        .subnets
        .get_mut("private")
        .unwrap()
        .cidr = net("10.2.9.0/24");
    mesh.topology = Topology::HubAndSpoke {
        hub: "shared".into(),
    };
    assert!(errors(&mesh).is_empty());
    mesh.topology = Topology::FullMesh;
    let detail = only_error(&errors(&mesh), r#"vpcs["testing"].cidr_block"#);
    assert!(
        detail.contains("development") && detail.contains("overlap in 10.2.0.0/16"),
        "{detail}"
    );
}

#[test]
fn vpc_blocks_must_be_16_to_28() {
    let mut mesh = seed_mesh();
    mesh.vpcs.get_mut("shared").unwrap().cidr = Some(net("10.0.0.0/8"));
    let d = errors(&mesh);
    let detail =
        d.0.iter()
            .find(|e| e.path == vpc_path("shared").attr("cidr_block"))
            .expect("prefix error")
            .detail
            .clone();
    assert!(
        detail.contains("10.0.0.0/8") && detail.contains("/16 to /28"),
        "{detail}"
    );
}

#[test]
fn host_bits_are_rejected_with_the_network_address() {
    let mut mesh = seed_mesh();
    mesh.vpcs
        .get_mut("production")
        .unwrap()
        .subnets
        .get_mut("private")
        .unwrap()
        .cidr = net("10.1.2.7/24");
    let detail = only_error(
        &errors(&mesh),
        r#"vpcs["production"].subnets["private"].cidr_block"#,
    );
    assert!(
        detail.contains("10.1.2.7/24") && detail.contains("10.1.2.0/24"),
        "{detail}"
    );
}

#[test]
fn subnet_outside_its_vpc() {
    let mut mesh = seed_mesh();
    mesh.vpcs
        .get_mut("development")
        .unwrap()
        .subnets
        .get_mut("private")
        .unwrap()
        .cidr = net("10.9.1.0/24");
    let detail = only_error(
        &errors(&mesh),
        r#"vpcs["development"].subnets["private"].cidr_block"#,
    );
    assert!(
        detail.contains("10.9.1.0/24") && detail.contains("10.2.0.0/16"),
        "{detail}"
    );
}

#[test]
fn sibling_subnets_must_not_overlap() {
    let mut mesh = seed_mesh();
    mesh.vpcs
        .get_mut("production")
        .unwrap()
        .subnets
        .insert("wide".into(), subnet("10.1.0.0/22", false));
    let d = errors(&mesh);
    let paths = paths(&d);
    // Checked in name order: private, public, wide; `wide` overlaps both.
    assert_eq!(
        paths,
        vec![r#"vpcs["production"].subnets["wide"].cidr_block"#; 2],
        "{d}"
    );
    assert!(d.0[0].detail.contains("overlap in 10.1.2.0/24"), "{d}");
    assert!(d.0[1].detail.contains("overlap in 10.1.1.0/24"), "{d}");
}

#[test]
fn names_are_checked() {
    let mut mesh = seed_mesh();
    mesh.name = "seed lab".into();
    let spec = mesh.vpcs.remove("shared").unwrap();
    mesh.vpcs.insert("Shared:1".into(), spec);
    let d = errors(&mesh);
    let paths = paths(&d);
    assert_eq!(
        paths,
        vec!["name".to_string(), r#"vpcs["Shared:1"]"#.to_string()],
        "{d}"
    );
    assert!(
        d.0[1].detail.contains("\"shared-1\""),
        "suggests a valid name: {d}"
    );
}

#[test]
fn a_mesh_needs_two_vpcs() {
    let mut mesh = seed_mesh();
    mesh.vpcs.retain(|n, _| n == "production");
    let detail = only_error(&errors(&mesh), "vpcs");
    assert!(
        detail.contains("has 1 entries") && detail.contains("at least 2"),
        "{detail}"
    );
}

#[test]
fn adopted_vpcs_need_no_cidr_but_others_do() {
    let mut mesh = seed_mesh();
    let shared = mesh.vpcs.get_mut("shared").unwrap();
    shared.cidr = None;
    shared.vpc_id = Some("vpc-0abc123".into());
    assert!(errors(&mesh).is_empty());
    mesh.vpcs.get_mut("shared").unwrap().vpc_id = None;
    let detail = only_error(&errors(&mesh), r#"vpcs["shared"].cidr_block"#);
    assert!(detail.contains("vpc_id"), "{detail}");
}

#[test]
fn the_same_vpc_cannot_be_adopted_twice() {
    let mut mesh = seed_mesh();
    for name in ["testing", "shared"] {
        mesh.vpcs.get_mut(name).unwrap().vpc_id = Some("vpc-0abc".into());
        mesh.vpcs.get_mut(name).unwrap().cidr = None;
    }
    let detail = only_error(&errors(&mesh), r#"vpcs["testing"].vpc_id"#);
    assert!(
        detail.contains("shared") && detail.contains("testing"),
        "{detail}"
    );
}

#[test]
fn reserved_tags_and_bad_ssh_cidrs() {
    let mut mesh = seed_mesh();
    mesh.tags.insert("peering:mesh".into(), "x".into());
    mesh.ssh_ingress_cidrs = ["10.1.1.0/24", "10.1.1.0/24", "10.1.1.9/24"]
        .iter()
        .map(|c| c.parse().unwrap())
        .collect();
    let d = errors(&mesh);
    let paths = paths(&d);
    assert_eq!(
        paths,
        [
            "ssh_ingress_cidrs[1]",
            "ssh_ingress_cidrs[2]",
            r#"tags["peering:mesh"]"#
        ],
        "{d}"
    );
}

#[test]
fn zones_must_be_in_the_vpcs_region() {
    let mut mesh = seed_mesh();
    let mut spec = vpc("10.5.0.0/16", &[("private", subnet("10.5.1.0/24", false))]);
    spec.region = Some("us-east-1".into());
    mesh.vpcs.insert("remote".into(), spec);
    let detail = only_error(
        &errors(&mesh),
        r#"vpcs["remote"].subnets["private"].availability_zone"#,
    );
    assert!(
        detail.contains("eu-west-2a") && detail.contains("us-east-1a"),
        "{detail}"
    );
}

#[test]
fn names_are_quoted_as_hcl_writes_them_not_as_rust_debug() {
    let mut mesh = seed_mesh();
    mesh.tags.insert("aws:bell\u{7}".into(), "x".into());
    let detail = only_error(&errors(&mesh), r#"tags["aws:bell\u0007"]"#);
    assert!(
        detail.starts_with(r#"tag "aws:bell\u0007" is reserved"#),
        "{detail}"
    );
    assert!(!detail.contains(r"\u{7}"), "{detail}");
}
