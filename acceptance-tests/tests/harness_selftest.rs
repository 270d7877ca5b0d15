//! The harness proves itself before any provider scenario relies on it: the
//! Terraform versions run, the lab forwards and filters real packets and leaves
//! nothing behind, moto answers.

use std::io::{Read, Write};
use std::net::{IpAddr, TcpStream};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::process::Command;
use std::time::Duration;

use acceptance_tests::netns::{ip, list_namespaces, remove_stale_namespaces};
use acceptance_tests::{for_each_terraform, terraform_versions, Lab, MotoServer, Workspace};

#[test]
fn every_terraform_found_runs_and_reports_its_version() {
    let versions = terraform_versions();
    if versions.is_empty() {
        acceptance_tests::missing_prerequisite(
            "terraform versions",
            "no Terraform found in .tools/bin or on PATH (run scripts/setup.sh)",
        );
        return;
    }
    for tf in versions {
        let out = Command::new(&tf.path)
            .arg("version")
            .env("CHECKPOINT_DISABLE", "1")
            .env("TF_CLI_CONFIG_FILE", "/dev/null")
            .output()
            .expect("running terraform version");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            stdout.starts_with(&format!("Terraform v{}", tf.version)),
            "{} reports {stdout:?}",
            tf.path.display()
        );
    }
    let mut reported: Vec<&str> = versions.iter().map(|tf| tf.version.as_str()).collect();
    reported.dedup();
    assert_eq!(reported.len(), versions.len(), "versions are deduplicated");
    eprintln!("Terraform versions under test: {reported:?}");
}

#[test]
fn workspace_installs_the_provider_offline_from_its_own_mirror() {
    // Any executable will do: `init` installs the provider without starting it.
    let stand_in = std::path::Path::new("/bin/true");
    for_each_terraform("workspace mirror", |tf| {
        let ws = Workspace::with_provider("mirror", tf, stand_in);
        ws.write_main("");
        let init = ws.init();
        init.expect_success();
        let lock =
            std::fs::read_to_string(ws.dir().join(".terraform.lock.hcl")).expect("lock file");
        assert!(
            lock.contains("registry.terraform.io/peeringmesh/peering") && lock.contains("0.1.0"),
            "lock file:\n{lock}"
        );
        assert!(
            ws.log_path().exists(),
            "Terraform writes its debug log to the workspace"
        );
    });
}

#[test]
fn lab_forwards_and_filters_real_pings_and_cleans_up() {
    let Some(mut lab) = Lab::require("lab self-test") else {
        return;
    };
    let first = lab.add_host("first").expect("first host");
    let second = lab.add_host("second").expect("second host");
    let runner = lab.runner().to_string();

    assert!(
        lab.ping(&runner, IpAddr::V4(first.ipv4)),
        "runner -> first (IPv4)"
    );
    assert!(
        lab.ping(&runner, IpAddr::V6(first.ipv6)),
        "runner -> first (IPv6)"
    );
    assert!(
        lab.ping(&first.namespace, IpAddr::V4(second.ipv4)),
        "first -> second"
    );
    assert!(
        lab.ping(&runner, IpAddr::V4(second.ipv4)),
        "runner -> second before the drop rule"
    );

    lab.drop_icmp_echo("second").expect("nftables rule");
    assert!(
        !lab.ping(&runner, IpAddr::V4(second.ipv4)),
        "echo to second is dropped (IPv4)"
    );
    assert!(
        !lab.ping(&runner, IpAddr::V6(second.ipv6)),
        "echo to second is dropped (IPv6)"
    );
    assert!(
        !lab.ping(&runner, IpAddr::V4(lab.unused_ipv4())),
        "nobody answers the unused address"
    );
    assert!(
        lab.ping(&runner, IpAddr::V4(first.ipv4)),
        "first still answers"
    );

    // The runner's only routes are the lab LAN: nothing it sends can leave.
    for family in ["-4", "-6"] {
        let routes = ip(&[family, "-n", &runner, "route", "show"]);
        assert!(routes.success(), "{routes}");
        for route in routes.stdout.lines() {
            let on_lan = route.starts_with("10.77.0.0/24 ")
                || route.starts_with("2001:db8:77::/64 ")
                || route.starts_with("fe80::/64 ");
            assert!(on_lan, "unexpected route in the runner: {route}");
        }
    }
    let ping_range = lab.exec(&runner, &["sysctl", "-n", "net.ipv4.ping_group_range"]);
    assert_eq!(
        ping_range.stdout.split_whitespace().collect::<Vec<_>>(),
        ["0", "2147483647"]
    );

    let created = lab.namespaces().to_vec();
    assert_eq!(
        created.len(),
        4,
        "switch, runner and two hosts: {created:?}"
    );
    assert!(created.iter().all(|ns| list_namespaces().contains(ns)));
    drop(lab);
    let left: Vec<String> = list_namespaces()
        .into_iter()
        .filter(|ns| created.contains(ns))
        .collect();
    assert!(left.is_empty(), "namespaces left after drop: {left:?}");
}

#[test]
fn lab_is_removed_when_a_test_panics() {
    if Lab::unavailable_reason().is_some() {
        let _ = Lab::require("lab panic clean-up");
        return;
    }
    let mut created = Vec::new();
    let result = catch_unwind(AssertUnwindSafe(|| {
        let mut lab = Lab::create().expect("lab");
        lab.add_host("doomed").expect("host");
        created = lab.namespaces().to_vec();
        panic!("deliberate panic (expected): the lab must be removed while unwinding");
    }));
    assert!(result.is_err());
    assert_eq!(created.len(), 3);
    let left: Vec<String> = list_namespaces()
        .into_iter()
        .filter(|ns| created.contains(ns))
        .collect();
    assert!(left.is_empty(), "namespaces left after a panic: {left:?}");
}

#[test]
fn stale_namespaces_of_dead_runs_are_removed_and_live_ones_kept() {
    if Lab::unavailable_reason().is_some() {
        let _ = Lab::require("stale namespace clean-up");
        return;
    }
    // A pid that no longer runs: a finished child's.
    let mut child = Command::new("true").spawn().expect("spawn true");
    let dead_pid = child.id();
    child.wait().expect("wait");
    let stale = format!("ptl{dead_pid}x0-run");
    let live = format!("ptl{}x9999-run", std::process::id());
    for ns in [&stale, &live] {
        assert!(ip(&["netns", "add", ns]).success(), "creating {ns}");
    }
    // Another test's lab may run the same clean-up concurrently and get there
    // first, so check the outcome rather than who removed it.
    remove_stale_namespaces();
    let remaining = list_namespaces();
    let _ = ip(&["netns", "del", &live]);
    assert!(!remaining.contains(&stale), "{stale} still there");
    assert!(
        remaining.contains(&live),
        "a namespace of this live process was removed"
    );
}

#[test]
fn moto_server_answers_on_loopback() {
    let Some(moto) = MotoServer::require("moto self-test") else {
        return;
    };
    let mut stream = TcpStream::connect(moto.address()).expect("connect to moto");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let request =
        "GET /moto-api/data.json HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    stream.write_all(request.as_bytes()).expect("send");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("read");
    assert!(
        response.starts_with("HTTP/1.1 200"),
        "moto answered: {response:.300}"
    );
    assert!(moto.endpoint().starts_with("http://127.0.0.1:"));
}
