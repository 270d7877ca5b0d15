//! Meshes the tests share: the seed experiment (four VPCs 10.1-10.4/16, a public subnet
//! with the bastion's /24 in VPC 1) and generated full meshes.

use std::collections::BTreeMap;

use ipnet::Ipv4Net;

use super::desired::{desired, Desired, DesiredContext};
use super::model::{Mesh, SubnetSpec, Topology, VpcSpec};
use crate::ec2::types::Tags;

pub const REGION: &str = "eu-west-2";
pub const MESH_ID: &str = "123456789012/seed-lab";

pub fn net(s: &str) -> Ipv4Net {
    s.parse().expect("test CIDR")
}

pub fn subnet(cidr: &str, public: bool) -> SubnetSpec {
    SubnetSpec {
        cidr: net(cidr),
        availability_zone: Some(format!("{REGION}a")),
        public,
        ipv6_index: None,
    }
}

pub fn vpc(cidr: &str, subnets: &[(&str, SubnetSpec)]) -> VpcSpec {
    VpcSpec {
        cidr: Some(net(cidr)),
        vpc_id: None,
        region: None,
        account: None,
        subnets: subnets
            .iter()
            .map(|(n, s)| (n.to_string(), s.clone()))
            .collect(),
        ipv6: false,
    }
}

pub fn seed_mesh() -> Mesh {
    let vpcs = BTreeMap::from([
        (
            "production".to_string(),
            vpc(
                "10.1.0.0/16",
                &[
                    ("public", subnet("10.1.1.0/24", true)),
                    ("private", subnet("10.1.2.0/24", false)),
                ],
            ),
        ),
        (
            "development".to_string(),
            vpc("10.2.0.0/16", &[("private", subnet("10.2.1.0/24", false))]),
        ),
        (
            "testing".to_string(),
            vpc("10.3.0.0/16", &[("private", subnet("10.3.1.0/24", false))]),
        ),
        (
            "shared".to_string(),
            vpc("10.4.0.0/16", &[("private", subnet("10.4.1.0/24", false))]),
        ),
    ]);
    Mesh {
        name: "seed-lab".to_string(),
        vpcs,
        topology: Topology::FullMesh,
        allow_icmp: true,
        ssh_ingress_cidrs: vec![net("10.1.1.0/24").into()],
        dns_resolution: false,
        tags: BTreeMap::from([("team".to_string(), "net".to_string())]),
    }
}

/// The seed mesh plus a fifth VPC `staging` 10.5.0.0/16 with one private subnet.
pub fn seed_mesh_plus_fifth() -> Mesh {
    let mut mesh = seed_mesh();
    mesh.vpcs.insert(
        "staging".to_string(),
        vpc("10.5.0.0/16", &[("private", subnet("10.5.1.0/24", false))]),
    );
    mesh
}

/// `n` VPCs `v000`.. with CIDRs 10.i.0.0/16 (i < 256) and `subnets` private /24 each.
pub fn generated_mesh(n: usize, subnets: usize, topology: Topology) -> Mesh {
    let vpcs = (0..n)
        .map(|i| {
            let subs: Vec<(String, SubnetSpec)> = (0..subnets)
                .map(|s| (format!("s{s}"), subnet(&format!("10.{i}.{s}.0/24"), false)))
                .collect();
            let subs: Vec<(&str, SubnetSpec)> =
                subs.iter().map(|(n, s)| (n.as_str(), s.clone())).collect();
            (format!("v{i:03}"), vpc(&format!("10.{i}.0.0/16"), &subs))
        })
        .collect();
    Mesh {
        name: "gen".to_string(),
        vpcs,
        topology,
        allow_icmp: true,
        ssh_ingress_cidrs: vec![net("10.0.0.0/24").into()],
        dns_resolution: false,
        tags: BTreeMap::new(),
    }
}

pub fn desired_of(mesh: &Mesh) -> Desired {
    desired_with(mesh, &BTreeMap::new())
}

pub fn desired_with(mesh: &Mesh, adopted_cidrs: &BTreeMap<String, Ipv4Net>) -> Desired {
    let default_tags = Tags::from([("owner".to_string(), "platform".to_string())]);
    let ctx = DesiredContext {
        mesh_id: MESH_ID,
        default_region: REGION,
        adopted_cidrs,
        default_tags: &default_tags,
    };
    desired(mesh, &ctx).expect("valid test mesh")
}

/// Compares `actual` with `src/mesh/snapshots/NAME`; `UPDATE_SNAPSHOTS=1` rewrites it.
pub fn assert_snapshot(name: &str, actual: &str) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("src/mesh/snapshots")
        .join(name);
    if std::env::var("UPDATE_SNAPSHOTS").as_deref() == Ok("1") {
        std::fs::write(&path, actual).expect("write snapshot");
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "snapshot {}: {e}; run the test with UPDATE_SNAPSHOTS=1 to create it",
            path.display()
        )
    });
    if expected != actual {
        let first = expected
            .lines()
            .zip(actual.lines())
            .position(|(e, a)| e != a)
            .unwrap_or(expected.lines().count().min(actual.lines().count()));
        panic!(
            "snapshot {name} differs from line {}:\n--- expected\n{}\n--- actual\n{}\n(UPDATE_SNAPSHOTS=1 rewrites it after review)",
            first + 1,
            expected.lines().skip(first).take(5).collect::<Vec<_>>().join("\n"),
            actual.lines().skip(first).take(5).collect::<Vec<_>>().join("\n"),
        );
    }
}
