//! The seed experiment (examples/seed-experiment) built with aws-sdk-ec2 in
//! moto, mirrored into the mesh lab from the EC2 API: four VPCs in a full
//! mesh, a bastion behind an internet gateway, every server pings every
//! server; a stopped server answers nobody; a deleted peering cuts exactly
//! its two directions. And two accounts with a dual-stack peering
//! (`accounts_ipv6`). Needs root and moto (skipped otherwise, failed
//! under CI=true).

mod accounts_ipv6;
#[path = "../meshlab_support/mod.rs"]
mod meshlab_support;
mod query_world;
mod seed;

use acceptance_tests::ec2check::Ec2Check;
use acceptance_tests::{MeshLab, MotoServer};
use meshlab_support::{all_pairs, assert_matrix, without};
use seed::{build_seed, call};

const REGION: &str = "us-east-1";
const HOSTS: [&str; 5] = ["bastion", "production", "development", "testing", "shared"];

#[test]
fn seed_experiment_mirrored_from_moto() {
    const TEST: &str = "seed_experiment_mirrored_from_moto";
    if let Some(reason) = MeshLab::unavailable_reason() {
        return acceptance_tests::missing_prerequisite(TEST, &reason);
    }
    let Some(moto) = MotoServer::require(TEST) else {
        return;
    };
    let ec2 = Ec2Check::new(&moto.endpoint(), REGION);
    let seed = build_seed(&ec2);
    let read = || ec2.lab_spec();
    let mut lab = MeshLab::up(read()).unwrap_or_else(|e| panic!("{e}"));
    assert_matrix(&lab, &all_pairs(&HOSTS));

    let bastion = lab.host("bastion").clone();
    let public = bastion
        .public_ip
        .expect("moto gave the bastion a public IP behind the gateway");
    lab.ssh_from(lab.runner(), public, &["true"])
        .expect_success();
    lab.ssh_from(
        &bastion.namespace,
        lab.host("testing").private_ip,
        &["true"],
    )
    .expect_success();

    // (a) A stopped server answers nobody.
    call!(
        ec2,
        ec2.client()
            .stop_instances()
            .instance_ids(seed.instance("development"))
    );
    lab.sync(read()).expect("sync after stop");
    let with_dev: Vec<(&str, &str)> = HOSTS
        .iter()
        .flat_map(|h| [("development", *h), (*h, "development")])
        .collect();
    assert_matrix(&lab, &without(&all_pairs(&HOSTS), &with_dev));
    call!(
        ec2,
        ec2.client()
            .start_instances()
            .instance_ids(seed.instance("development"))
    );

    // (b) The 3-4 peering is deleted, and VPC 3's route into it. VPC 4 keeps
    // its route, which moto still calls active: the lab must blackhole it.
    let (_, pcx_34) = seed
        .peerings
        .iter()
        .find(|(pair, _)| *pair == (2, 3))
        .expect("3-4 peering");
    ec2.delete_peering(pcx_34);
    let (_, table_3) = seed
        .tables
        .iter()
        .find(|(n, _)| *n == 2)
        .expect("VPC 3 table");
    call!(
        ec2,
        ec2.client()
            .delete_route()
            .route_table_id(table_3)
            .destination_cidr_block("10.4.0.0/16")
    );
    lab.sync(read()).expect("sync after peering deleted");
    assert_matrix(
        &lab,
        &without(
            &all_pairs(&HOSTS),
            &[("testing", "shared"), ("shared", "testing")],
        ),
    );
}
