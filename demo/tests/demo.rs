//! `make demo`, part 1 (scripts/demo-mesh.sh), on every Terraform version: it
//! applies examples/four-vpc-mesh against its own moto, prints the six active
//! peerings and the routes EC2 holds (read with boto3), and destroys the mesh,
//! leaving nothing tagged. The example a user copies is what runs here.
//!
//! Part 2 (scripts/demo-lab.sh, root only) tells the seed story with
//! `seed-demo`: once in full with the newest Terraform (the story itself is
//! checked on every version by acceptance-tests/tests/seed_experiment.rs), and once with the
//! oldest, interrupted with SIGINT to its process group in chapter 2, after
//! which no lab namespace, moto, socat, sshd or Terraform may be left.

use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use acceptance_tests::command::{kill_process_group, run};
use acceptance_tests::netns::{creator_pid, list_namespaces, process_alive};
use acceptance_tests::prereq::repo_root;
use acceptance_tests::process_tree::{descendants, program_name};
use acceptance_tests::seed_story::SeedFixture;
use acceptance_tests::{
    for_each_terraform, missing_prerequisite, provider_binary, terraform_versions, MotoServer,
    Terraform,
};

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

/// The newest and the oldest Terraform the tests find.
fn newest_and_oldest() -> Option<(Terraform, Terraform)> {
    let versions = terraform_versions();
    Some((versions.last()?.clone(), versions.first()?.clone()))
}

/// `scripts/demo-lab.sh` (`make demo`, part 2) with Terraform `tf`, the
/// seed-demo cargo built for this test, and Mermaid files written to `out`.
fn seed_demo_command(tf: &Terraform, out: &Path) -> Command {
    let mut cmd = Command::new(repo_root().join("scripts/demo-lab.sh"));
    cmd.env("TERRAFORM", &tf.path)
        .env("PEERING_PROVIDER_BIN", provider_binary())
        .env("SEED_DEMO_BIN", env!("CARGO_BIN_EXE_seed-demo"))
        .env("SEED_DEMO_OUT", out);
    cmd
}

/// The two seed-demo tests take turns: two labs, moto and Terraform at once
/// on a small machine would make the probes' timeouts a matter of luck.
static ONE_LAB_AT_A_TIME: Mutex<()> = Mutex::new(());

fn one_lab_at_a_time() -> MutexGuard<'static, ()> {
    ONE_LAB_AT_A_TIME
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Lab namespaces created by any of `pids`.
fn namespaces_of(pids: &[u32]) -> Vec<String> {
    list_namespaces()
        .into_iter()
        .filter(|ns| creator_pid(ns).is_some_and(|pid| pids.contains(&pid)))
        .collect()
}

#[test]
fn demo_tells_the_seed_story() {
    const TEST: &str = "demo_seed_story";
    if let Some(why) = SeedFixture::unavailable_reason() {
        return missing_prerequisite(TEST, &why);
    }
    let Some((tf, _)) = newest_and_oldest() else {
        return missing_prerequisite(TEST, "no Terraform found (run scripts/setup.sh)");
    };
    let _turn = one_lab_at_a_time();
    let out_dir = tempfile::tempdir().expect("a directory for the pictures");
    let out = run(
        seed_demo_command(&tf, out_dir.path()),
        Duration::from_secs(900),
    );
    out.expect_success();
    let text = &out.stdout;
    for (n, title) in [
        "the full mesh",
        "a stopped server",
        "the server started again",
        "a peering deleted out of band",
        "terraform apply repairs the mesh",
        "hub and spoke",
        "a route between spokes, by hand",
    ]
    .iter()
    .enumerate()
    {
        assert!(
            text.contains(&format!("{}. {title}\n", n + 1)),
            "chapter {title}:\n{out}"
        );
        let picture = out_dir.path().join(format!("chapter-{}.mmd", n + 1));
        let mermaid = std::fs::read_to_string(&picture).unwrap_or_default();
        assert!(
            mermaid.contains("flowchart"),
            "{}: {mermaid}\n{out}",
            picture.display()
        );
        assert!(text.contains(&format!("Mermaid picture: {}", picture.display())));
    }
    assert!(text.contains("diagnosis:"), "{out}");
    assert!(text.contains("==== summary ===="), "{out}");
    assert!(
        text.contains("lab, moto and Terraform's files removed"),
        "{out}"
    );
}

#[test]
fn interrupted_demo_leaves_nothing_behind() {
    const TEST: &str = "demo_seed_interrupted";
    if let Some(why) = SeedFixture::unavailable_reason() {
        return missing_prerequisite(TEST, &why);
    }
    let Some((_, tf)) = newest_and_oldest() else {
        return missing_prerequisite(TEST, "no Terraform found (run scripts/setup.sh)");
    };
    let _turn = one_lab_at_a_time();
    let out_dir = tempfile::tempdir().expect("a directory for the pictures");
    let log = out_dir.path().join("demo.log");
    let log_file = std::fs::File::create(&log).expect("log file");
    let mut cmd = seed_demo_command(&tf, out_dir.path());
    let mut demo = cmd
        .stdin(Stdio::null())
        .stdout(log_file.try_clone().expect("log file"))
        .stderr(log_file)
        .process_group(0)
        .spawn()
        .expect("starting scripts/demo-lab.sh");
    let group = demo.id();
    let read_log = || std::fs::read_to_string(&log).unwrap_or_default();
    let deadline = Instant::now() + Duration::from_secs(600);
    // Mid-story: chapter 1 is told, chapter 2 (a stopped server) is running.
    while !read_log().contains("1. the full mesh\n") {
        if Instant::now() > deadline || demo.try_wait().ok().flatten().is_some() {
            kill_process_group(group);
            panic!("the demo never finished chapter 1:\n{}", read_log());
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    std::thread::sleep(Duration::from_secs(2));
    let started = descendants(group);
    let helpers: Vec<u32> = started
        .iter()
        .copied()
        .filter(|&pid| {
            let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
            let cmdline = String::from_utf8_lossy(&cmdline);
            cmdline.contains("moto_any_port.py") || cmdline.starts_with("socat\0")
        })
        .collect();
    assert!(helpers.len() >= 3, "moto and two socat run: {started:?}");
    assert!(!namespaces_of(&started).is_empty(), "the lab exists");
    Command::new("kill")
        .args(["-INT", "--", &format!("-{group}")])
        .status()
        .expect("kill -INT");
    let finish = Instant::now() + Duration::from_secs(120);
    let status = loop {
        if let Some(status) = demo.try_wait().expect("waiting for the demo") {
            break status;
        }
        if Instant::now() > finish {
            kill_process_group(group);
            panic!(
                "the demo did not stop within 120 s of SIGINT:\n{}",
                read_log()
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let log_text = read_log();
    assert_eq!(
        status.code(),
        Some(130),
        "exit status after Ctrl-C:\n{log_text}"
    );
    assert!(log_text.contains("interrupted"), "{log_text}");
    let alive: Vec<u32> = started
        .iter()
        .copied()
        .filter(|&p| process_alive(p))
        .collect();
    let left: Vec<(u32, Option<String>)> = alive.iter().map(|&p| (p, program_name(p))).collect();
    assert!(
        left.is_empty(),
        "processes left behind: {left:?}\n{log_text}"
    );
    // The lab is named after seed-demo, one of the processes seen running.
    let namespaces = namespaces_of(&started);
    assert!(
        namespaces.is_empty(),
        "namespaces left: {namespaces:?}\n{log_text}"
    );
}
