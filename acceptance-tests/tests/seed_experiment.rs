//! The seed experiment end to end, on every Terraform version: the four-VPC
//! mesh of examples/seed-experiment applied against moto, a bastion and four
//! servers launched through the EC2 API, the lab mirrored from moto, and the
//! example's `peering_connectivity` read by Terraform inside the lab's
//! runner, probing over SSH through the bastion. The story (shared with
//! `make demo`, see `acceptance_tests::seed_story`) stops a server, deletes
//! a peering out of band, repairs it with `terraform apply`, and switches to
//! hub and spoke; every chapter is checked in the outputs and through EC2.
//! Needs root, socat and moto (skipped otherwise, failed under CI=true).

use std::collections::BTreeSet;

use acceptance_tests::mesh_fixture::ScenarioTimer;
use acceptance_tests::seed_story::{
    parses_check_blocks, render, tell, vpc_cidr, Chapter, Observation, SeedFixture, Step, HUB,
    SERVERS,
};
use acceptance_tests::{for_each_terraform, missing_prerequisite};

type Pairs = BTreeSet<(String, String)>;

/// Every ordered pair of different servers: 12.
fn all_pairs() -> Pairs {
    let names = SERVERS.map(|(name, _)| name.to_string());
    let mut pairs = Pairs::new();
    for a in &names {
        for b in names.iter().filter(|b| *b != a) {
            pairs.insert((a.clone(), b.clone()));
        }
    }
    pairs
}

fn pairs_where(keep: impl Fn(&str, &str) -> bool) -> Pairs {
    all_pairs()
        .into_iter()
        .filter(|(a, b)| keep(a, b))
        .collect()
}

#[test]
fn seed_experiment() {
    const TEST: &str = "seed_experiment";
    if let Some(why) = SeedFixture::unavailable_reason() {
        return missing_prerequisite(TEST, &why);
    }
    for_each_terraform(TEST, |tf| {
        let timer = ScenarioTimer::start(TEST, tf);
        let mut fixture = timer.step("set-up", || SeedFixture::start(TEST, tf, None));
        tell(&mut fixture, |f, chapter| {
            eprintln!("{}", render(chapter));
            eprintln!(
                "TIME {TEST} on {} / chapter {}: {:.1}s",
                tf.label(),
                chapter.number,
                chapter.elapsed.as_secs_f64()
            );
            check(f, chapter);
        });
        key_never_shown(&fixture);
    });
}

/// The lab's private key (read with `file()` into the sensitive `ssh.private_key`) is in
/// neither Terraform's debug log, which carries the provider's log lines too, nor the
/// state's outputs.
fn key_never_shown(f: &SeedFixture) {
    let key = std::fs::read_to_string(f.lab().private_key()).expect("lab private key");
    let body: Vec<&str> = key.lines().filter(|l| !l.starts_with("-----")).collect();
    let log_path = f.workspace().log_path();
    let log = std::fs::read_to_string(&log_path).expect("terraform debug log");
    assert!(
        log.contains("probing connectivity over SSH"),
        "the provider's log is there"
    );
    let outputs = f.run(&["output", "-json", "-no-color"]).stdout;
    for line in body.iter().filter(|l| l.len() >= 16) {
        assert!(
            !log.contains(line),
            "key material in {}",
            log_path.display()
        );
        assert!(!outputs.contains(line), "key material in the outputs");
    }
}

fn check(f: &SeedFixture, chapter: &Chapter) {
    let o = &chapter.observation;
    let servers: BTreeSet<&str> = SERVERS.iter().map(|(name, _)| *name).collect();
    for r in &o.results {
        assert!(
            servers.contains(r.from.as_str()) && servers.contains(r.to.as_str()),
            "probes run between the servers only: {r:?}"
        );
    }
    // checks.tf (copied for Terraform 1.5+) warns exactly when something is off.
    if parses_check_blocks(f.terraform()) {
        let warned = o.refresh_log.contains("Check block assertion failed");
        assert_eq!(warned, !o.all_as_expected, "checks.tf:\n{}", o.refresh_log);
    }
    assert_eq!(
        o.pairs().count(),
        12,
        "one result per pair of servers: {:#?}",
        o.results
    );
    match &chapter.step {
        Step::FullMesh | Step::Restarted { .. } => {
            assert_all_reachable(o);
            assert_eq!(f.live_peerings().len(), 6, "six live peerings in EC2");
            for (name, _) in SERVERS {
                assert_eq!(
                    f.instance_state(f.instance(name)).as_deref(),
                    Some("running")
                );
            }
        }
        Step::Stopped { host, instance } => {
            assert_eq!(f.instance_state(instance).as_deref(), Some("stopped"));
            let involving = pairs_where(|a, b| a == host || b == host);
            assert_eq!(o.unreachable_pairs(), involving, "{}", o.report);
            assert_eq!(
                o.reachable_pairs(),
                pairs_where(|a, b| a != host && b != host)
            );
            assert!(!o.all_as_expected);
            assert_eq!(o.diagnosis.len(), 1, "one sentence: {:#?}", o.diagnosis);
            let sentence = &o.diagnosis[0];
            assert!(
                sentence.contains(instance.as_str()) && sentence.contains("stopped"),
                "names the stopped instance {instance}: {sentence}"
            );
        }
        Step::PeeringDeleted { a, b, peering } => {
            assert!(f.live_peering(a, b).is_none(), "{peering} is gone from EC2");
            for (vpc, other) in [(a, b), (b, a)] {
                for table in f.route_tables(vpc) {
                    let cidr = vpc_cidr(other);
                    assert_eq!(
                        f.route(&table, cidr),
                        None,
                        "route to {cidr} in {table} deleted"
                    );
                }
            }
            let broken: Pairs = [(a.clone(), b.clone()), (b.clone(), a.clone())].into();
            assert_eq!(o.unreachable_pairs(), broken, "{}", o.report);
            assert!(!o.all_as_expected);
            assert_eq!(o.diagnosis.len(), 1, "one sentence: {:#?}", o.diagnosis);
            let sentence = &o.diagnosis[0];
            // The mesh's key for it (`peering_mesh.peerings`), or its id while EC2 still knows it.
            let key = if a < b {
                format!("{a}:{b}")
            } else {
                format!("{b}:{a}")
            };
            assert!(
                sentence.contains(&format!("peering {key}")) || sentence.contains(peering.as_str()),
                "names the {key} peering {peering}: {sentence}"
            );
        }
        Step::Repaired { a, b, old, new } => {
            assert_ne!(new, old, "a new peering");
            let peering = f.live_peering(a, b).expect("a live peering again");
            assert_eq!((&peering.id, peering.status.as_str()), (new, "active"));
            for (vpc, other) in [(a, b), (b, a)] {
                let cidr = vpc_cidr(other);
                for table in f.route_tables(vpc) {
                    let route = f.route(&table, cidr).expect("route restored");
                    assert_eq!(route.peering_id.as_ref(), Some(new), "{table}: {route:?}");
                }
            }
            assert_all_reachable(o);
        }
        Step::HubAndSpoke { hub } => {
            let hub_vpc = f.vpc_id(hub);
            let live = f.live_peerings();
            assert_eq!(live.len(), 3, "three peerings, all with the hub: {live:#?}");
            for p in &live {
                assert!(
                    p.requester_vpc_id == hub_vpc || p.accepter_vpc_id == hub_vpc,
                    "{p:?}"
                );
            }
            assert_hub_and_spoke(o);
        }
        Step::SpokeRoute {
            spoke,
            target,
            table,
            peering,
        } => {
            let cidr = vpc_cidr(target);
            let route = f.route(table, cidr).expect("the hand-made route is in EC2");
            assert_eq!(route.peering_id.as_ref(), Some(peering));
            assert_hub_and_spoke(o);
            let r = o.result(spoke, target);
            assert!(!r.reachable, "{r:?}");
        }
    }
}

fn assert_all_reachable(o: &Observation) {
    assert_eq!(
        o.reachable_pairs(),
        all_pairs(),
        "every pair answers:\n{}",
        o.report
    );
    assert!(o.all_as_expected, "{:#?}", o.results);
    assert!(o.diagnosis.is_empty(), "{:#?}", o.diagnosis);
    for r in o.pairs() {
        assert_eq!(
            (r.expected, r.verdict.as_deref()),
            (Some(true), Some("ok")),
            "{r:?}"
        );
        assert!(r.rtt_avg_ms.is_some_and(|rtt| rtt > 0.0), "{r:?}");
    }
    for (name, _) in SERVERS {
        assert!(
            o.report.contains(name),
            "report names {name}:\n{}",
            o.report
        );
    }
    assert!(!o.mermaid.trim().is_empty(), "a Mermaid chart");
}

/// Spokes reach the hub and back, never each other; all as expected.
fn assert_hub_and_spoke(o: &Observation) {
    let via_hub = pairs_where(|a, b| a == HUB || b == HUB);
    assert_eq!(o.reachable_pairs(), via_hub, "{}", o.report);
    assert!(o.all_as_expected, "{:#?}", o.results);
    assert!(o.diagnosis.is_empty(), "{:#?}", o.diagnosis);
    for r in o.pairs() {
        let expected = r.from == HUB || r.to == HUB;
        assert_eq!(
            (r.expected, r.verdict.as_deref()),
            (Some(expected), Some("ok")),
            "{r:?}"
        );
        if !expected {
            let cause = r.cause.as_deref().unwrap_or_default().to_lowercase();
            assert!(
                cause.contains("expected") && cause.contains("not transitive"),
                "a spoke-to-spoke result says it is unreachable as expected, peering not being transitive: {r:?}"
            );
        }
    }
}
