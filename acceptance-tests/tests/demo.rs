//! `make demo`, part 1 (scripts/demo-mesh.sh), on every Terraform version: it
//! applies examples/four-vpc-mesh against its own moto, prints the six active
//! peerings and the routes EC2 holds (read with boto3), and destroys the mesh,
//! leaving nothing tagged. The example a user copies is what runs here.

use std::process::Command;
use std::time::Duration;

use acceptance_tests::command::run;
use acceptance_tests::prereq::repo_root;
use acceptance_tests::{for_each_terraform, provider_binary, MotoServer};

#[test]
fn demo_applies_the_four_vpc_example_and_destroys_it() {
    let test = "demo_mesh";
    for_each_terraform(test, |tf| {
        // The script starts its own moto; this only checks that one is installed.
        if MotoServer::require(test).is_none() {
            return;
        }
        let mut cmd = Command::new(repo_root().join("scripts/demo-mesh.sh"));
        cmd.env("TERRAFORM", &tf.path)
            .env("PEERING_PROVIDER_BIN", provider_binary());
        let out = run(cmd, Duration::from_secs(600));
        out.expect_success();
        let text = &out.stdout;
        let holds: Vec<&str> = text
            .lines()
            .filter(|l| l.starts_with("EC2 holds"))
            .collect();
        assert_eq!(
            holds,
            [
                "EC2 holds, tagged peering:mesh: 4 VPCs, 5 subnets, 5 route tables, 1 internet gateways, 4 security groups, 6 live peerings",
                "EC2 holds, tagged peering:mesh: 0 VPCs, 0 subnets, 0 route tables, 0 internet gateways, 0 security groups, 0 live peerings",
            ],
            "made the seed mesh, then destroyed all of it:\n{out}"
        );
        let active = text
            .lines()
            .filter(|l| l.trim_start().starts_with("pcx-") && l.ends_with("active"))
            .count();
        assert_eq!(active, 6, "six active peerings listed:\n{out}");
        // Three peer routes in each of the five subnet route tables.
        let peer_routes = text.lines().filter(|l| l.contains("-> pcx-")).count();
        assert_eq!(peer_routes, 15, "routes through peerings listed:\n{out}");
        assert!(
            text.contains("0.0.0.0/0     -> igw-"),
            "public default route:\n{out}"
        );
    });
}
