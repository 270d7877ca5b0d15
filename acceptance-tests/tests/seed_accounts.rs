//! The seed experiment's four VPCs split over two accounts, dual-stack, on every
//! Terraform version: the mesh applied against moto (production and development in the
//! provider's account, testing and shared in account `dev` reached through an assumed
//! role), a bastion and four servers launched in their VPCs' accounts with IPv4 and IPv6
//! addresses, the lab mirrored from both accounts, and two `peering_connectivity` checks
//! read by Terraform inside the lab's runner over SSH through the bastion: one probing
//! IPv4 addresses, one IPv6. Every pair is as the full mesh expects in both; then an IPv6
//! route is deleted in `dev`'s account (and the lab follows), and the IPv6 check names it
//! while the IPv4 check stays as expected; `terraform apply` repairs it, and once the lab
//! follows again both checks see every pair.
//! Needs root, the lab's tools, socat and moto (skipped otherwise, failed under CI=true).

#[path = "seed_accounts/world.rs"]
mod world;

use acceptance_tests::forward::PortForward;
use acceptance_tests::mesh_fixture::{
    apply_mesh, expect_applied, parse_outputs, use_dummy_credentials, MeshOutputs, ScenarioTimer,
};
use acceptance_tests::{
    for_each_terraform, missing_prerequisite, Ec2Check, LabSpec, MeshLab, MotoServer, Workspace,
};
use serde::Deserialize;

use world::{configuration, LabAccess, BASTION, DEV_ROLE, REGION};

#[derive(Debug, Deserialize)]
struct Check {
    all_as_expected: bool,
    diagnosis: Vec<String>,
    report: String,
}

#[derive(Debug, Deserialize)]
struct Checks {
    v4: Check,
    v6: Check,
}

fn unavailable_reason() -> Option<String> {
    MeshLab::unavailable_reason()
        .or_else(PortForward::unavailable_reason)
        .or_else(|| {
            MotoServer::executable().is_none().then(|| {
                "moto_server not found in .tools/bin or on PATH (run scripts/setup.sh)".into()
            })
        })
}

#[test]
fn seed_over_two_accounts_dual_stack() {
    const TEST: &str = "seed_accounts";
    if let Some(why) = unavailable_reason() {
        return missing_prerequisite(TEST, &why);
    }
    for_each_terraform(TEST, |tf| {
        let timer = ScenarioTimer::start(TEST, tf);
        let executable = MotoServer::executable().expect("moto_server");
        let moto = MotoServer::start(&executable).unwrap_or_else(|e| panic!("{TEST}: {e}"));
        let endpoint = moto.endpoint();
        let mut ws = Workspace::new(TEST, tf);
        use_dummy_credentials(&mut ws);
        // The mesh alone, from the root namespace where moto listens.
        ws.write_main(&configuration(&endpoint, None));
        ws.init().expect_success();
        timer.step("apply the mesh", || apply_mesh(&ws));
        let mesh = MeshOutputs::parse(ws.output_json().expect_success());
        let own = Ec2Check::new(&endpoint, REGION);
        let dev = Ec2Check::for_role(&endpoint, REGION, DEV_ROLE);
        let ipv6 = world::launch(&own, &dev, &mesh);

        let mirror = || {
            LabSpec::from_ec2_accounts(&endpoint, REGION, &[DEV_ROLE.to_string()])
                .unwrap_or_else(|e| panic!("reading both accounts for the lab: {e}"))
        };
        let mut lab = MeshLab::up(mirror()).unwrap_or_else(|e| panic!("building the lab: {e}"));
        let forward = PortForward::start(lab.runner(), moto.address())
            .unwrap_or_else(|e| panic!("{TEST}: {e}"));
        let bastion = lab.host(BASTION);
        let access = LabAccess {
            bastion_address: bastion.public_ip.expect("a public IP").to_string(),
            private_key_file: lab.private_key().display().to_string(),
            known_hosts_file: lab.known_hosts().display().to_string(),
            ipv6,
        };
        ws.write_main(&configuration(&endpoint, Some(&access)));
        let ws = ws.in_netns(lab.runner());

        let read = |ws: &Workspace, args: &[&str]| -> Checks {
            expect_applied(&ws.run(args));
            parse_outputs(ws.output_json().expect_success())
        };
        let apply = ["apply", "-auto-approve", "-input=false", "-no-color"];
        let refresh = [&apply[..], &["-refresh-only"]].concat();
        let checks = timer.step("probe both families", || read(&ws, &apply));
        for (family, check) in [("IPv4", &checks.v4), ("IPv6", &checks.v6)] {
            assert!(
                check.all_as_expected && check.diagnosis.is_empty(),
                "{family}: every pair as the full mesh expects:\n{}\n{:?}",
                check.report,
                check.diagnosis
            );
        }

        // testing (in dev's account) loses its IPv6 route to production.
        let production_v6 = mesh.vpcs["production"]
            .ipv6_cidr_block
            .clone()
            .expect("/56");
        let table = &mesh.vpcs["testing"].subnets["private"].route_table_id;
        dev.delete_route(table, &production_v6);
        lab.sync(mirror())
            .unwrap_or_else(|e| panic!("mirroring the deleted route: {e}"));
        let broken = timer.step("probe after the route went", || read(&ws, &refresh));
        assert!(
            broken.v4.all_as_expected,
            "IPv4 is untouched:\n{}",
            broken.v4.report
        );
        assert!(
            !broken.v6.all_as_expected,
            "IPv6 sees it:\n{}",
            broken.v6.report
        );
        eprintln!(
            "{TEST}: IPv6 diagnosis:\n{}",
            broken.v6.diagnosis.join("\n")
        );
        let named = broken
            .v6
            .diagnosis
            .iter()
            .any(|d| d.contains(table.as_str()) && d.contains(&production_v6));
        assert!(
            named,
            "the diagnosis names the route table {table} and {production_v6}: {:?}",
            broken.v6.diagnosis
        );

        // The apply repairs EC2 while its checks still see the broken lab; the lab
        // follows EC2, and the next read sees every pair again.
        timer.step("repair", || read(&ws, &apply));
        lab.sync(mirror())
            .unwrap_or_else(|e| panic!("mirroring the repaired route: {e}"));
        let repaired = timer.step("probe after the repair", || read(&ws, &refresh));
        assert!(
            repaired.v4.all_as_expected && repaired.v6.all_as_expected,
            "repaired:\n{}\n{}",
            repaired.v4.report,
            repaired.v6.report
        );
        drop(forward);
        lab.down();
    });
}
