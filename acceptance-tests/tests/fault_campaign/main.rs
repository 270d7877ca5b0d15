//! The randomized fault campaign: meshes of 3 to 6 VPCs in full-mesh,
//! hub-and-spoke and explicit topologies, each host launched with its groups per
//! network interface or per instance, broken by one to three faults at a time (peering
//! deleted, rejected or left pending; route removed, blackholed or sent to the wrong
//! peering; ICMP rule revoked or narrowed; the mesh's group detached; instance stopped;
//! a hand-made transitive route in hub and spoke). For every scenario:
//!
//! - the lab, mirrored from moto, must follow AWS: who pings whom between the lab's
//!   namespaces equals what the injected faults predict (the ground truth is the lab's
//!   pings and the list of faults, never the provider);
//! - the provider's matrix equals the lab's pair by pair, and every `expected` and
//!   `verdict` is right;
//! - `diagnosis` names exactly the injected faults that break a probed pair (those of
//!   the lowest layer on it: instance, then peering, then routes and groups), each in
//!   one sentence: a fault not named is a miss, a sentence naming anything else a false
//!   blame. The summary table must say 0 and 0.
//!
//! Speed (the campaign must stay within about five minutes of CI): EC2 state is made
//! with plain EC2 calls against moto, not through Terraform; one mesh is built per
//! topology and size and serves several scenarios, each fault undone after its
//! scenario; the lab is synced, so only what a fault changed is touched. The data
//! source is read by Terraform itself (one `apply -json` in the lab's runner per
//! scenario, its outputs read from the last message, over SSH through a bastion), which
//! keeps the provider's real path (protocol, schema, SSH transport, EC2 facts) under
//! test; a protocol-level client would save only Terraform's start-up, while most of a
//! scenario is the probes' one-second timeouts (ground truth and provider alike) and,
//! for a stopped source, SSH finding it unreachable.
//!
//! The subject is the provider, not Terraform: every Terraform version runs its own
//! seed (base seed plus its patch number) for a few scenarios, and the newest runs the
//! 50 that make the campaign. Failing, it prints the seed; `FAULT_CAMPAIGN_SEED=N`
//! replays that seed (with `FAULT_CAMPAIGN_SCENARIOS=M` for its number of scenarios).
//! Needs root, socat and moto (skipped otherwise, failed under CI=true).

mod ec2calls;
mod faults;
mod inject;
mod judge;
mod read;
mod world;

use std::collections::BTreeSet;
use std::time::Instant;

use acceptance_tests::ec2check::Ec2Check;
use acceptance_tests::forward::PortForward;
use acceptance_tests::mesh_fixture::REGION;
use acceptance_tests::{for_each_terraform, missing_prerequisite, MeshLab, MotoServer, Terraform};

use faults::draw;
use inject::{inject, undo};
use judge::Tally;
use world::{Shape, World};

const TEST: &str = "fault_campaign";
const BASE_SEED: u64 = 90_000;
/// Scenarios on the newest Terraform, and on each other version.
const SCENARIOS: usize = 50;
const SCENARIOS_OTHER_VERSIONS: usize = 2;
const SCENARIOS_PER_MESH: usize = 8;

fn env_number(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|s| s.parse().ok())
}

/// Shape and peered pairs of a random mesh of `size` VPCs.
fn topology(size: usize, rng: &mut fastrand::Rng) -> (Shape, BTreeSet<(usize, usize)>) {
    let all = (0..size).flat_map(|a| (a + 1..size).map(move |b| (a, b)));
    match rng.usize(0..3) {
        0 => (Shape::FullMesh, all.collect()),
        1 => {
            let hub = rng.usize(..size);
            let pairs = (0..size)
                .filter(|&x| x != hub)
                .map(|x| (x.min(hub), x.max(hub)));
            (Shape::HubAndSpoke { hub }, pairs.collect())
        }
        _ => {
            // A random tree (connected), plus each other pair with a chance of one in three.
            let mut pairs: BTreeSet<(usize, usize)> =
                (1..size).map(|b| (rng.usize(..b), b)).collect();
            pairs.extend(all.filter(|_| rng.usize(0..3) == 0));
            (Shape::Explicit, pairs)
        }
    }
}

struct Rig<'a> {
    ec2: &'a Ec2Check,
    moto: &'a MotoServer,
    lab: &'a mut Option<(MeshLab, PortForward)>,
}

impl Rig<'_> {
    /// Mirrors `world` into the lab (made on first use, with the forward to moto).
    fn sync(&mut self, world: &World) -> &MeshLab {
        let spec = read::spec_of(self.ec2, world);
        match self.lab {
            Some((lab, _)) => lab
                .sync(spec)
                .unwrap_or_else(|e| panic!("{TEST}: syncing the lab: {e}")),
            None => {
                let lab =
                    MeshLab::up(spec).unwrap_or_else(|e| panic!("{TEST}: building the lab: {e}"));
                let forward = PortForward::start(lab.runner(), self.moto.address())
                    .unwrap_or_else(|e| panic!("{TEST}: {e}"));
                *self.lab = Some((lab, forward));
            }
        }
        &self.lab.as_ref().expect("made above").0
    }
}

fn campaign(rig: &mut Rig, tf: &Terraform, seed: u64, scenarios: usize) -> Tally {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut tally = Tally::default();
    let mut ws = None;
    let mut mesh = 0;
    let endpoint = rig.moto.endpoint();
    while tally.scenarios < scenarios {
        let size = rng.usize(3..=6);
        let (shape, pairs) = topology(size, &mut rng);
        let mesh_id = format!("mesh-campaign-{seed}-{mesh}");
        mesh += 1;
        let mut world = World::build(rig.ec2, &mesh_id, shape, size, &pairs, &mut rng);
        for _ in 0..SCENARIOS_PER_MESH.min(scenarios - tally.scenarios) {
            let started = Instant::now();
            let faults = draw(&world, &mut rng);
            for f in &faults {
                inject(rig.ec2, &mut world, f);
            }
            let lab = rig.sync(&world);
            let ws = ws.get_or_insert_with(|| read::workspace(TEST, tf, lab.runner()));
            // The lab's pings and the provider's probes run at once: neither sees the
            // other's packets (each ping matches its own replies) and both wait out the
            // same one-second timeouts.
            let (truth, reading) = std::thread::scope(|scope| {
                let truth = scope.spawn(|| read::ground_truth(lab, &world));
                let reading = read::read(ws, lab, &world, &endpoint);
                (truth.join().expect("the lab's pings"), reading)
            });
            let context = format!(
                "seed {seed}, Terraform {}, scenario {} ({} of {size} VPCs, {mesh_id})",
                tf.version,
                tally.scenarios + 1,
                shape.label()
            );
            tally.judge(&context, &world, &faults, &truth, &reading);
            eprintln!(
                "{context}: {} faults, {:.1}s",
                faults.len(),
                started.elapsed().as_secs_f64()
            );
            for f in faults.iter().rev() {
                undo(rig.ec2, &mut world, f);
            }
        }
    }
    tally
}

#[test]
fn fault_campaign() {
    let why = MeshLab::unavailable_reason()
        .or_else(PortForward::unavailable_reason)
        .or_else(|| {
            MotoServer::executable()
                .is_none()
                .then(|| "moto_server not found (run scripts/setup.sh)".into())
        });
    if let Some(why) = why {
        return missing_prerequisite(TEST, &why);
    }
    let Some(moto) = MotoServer::require(TEST) else {
        return;
    };
    let ec2 = Ec2Check::new(&moto.endpoint(), REGION);
    let mut lab = None;
    let only = env_number("FAULT_CAMPAIGN_SEED");
    let count = env_number("FAULT_CAMPAIGN_SCENARIOS").map(|n| n as usize);
    let started = Instant::now();
    let mut failed = Vec::new();
    for_each_terraform(TEST, |tf| {
        let seed = only.unwrap_or(BASE_SEED + tf.patch());
        let default = if tf.is_newest() {
            SCENARIOS
        } else {
            SCENARIOS_OTHER_VERSIONS
        };
        let scenarios = count.unwrap_or(default);
        let mut rig = Rig {
            ec2: &ec2,
            moto: &moto,
            lab: &mut lab,
        };
        let tally = campaign(&mut rig, tf, seed, scenarios);
        let replay =
            format!("replay: FAULT_CAMPAIGN_SEED={seed} FAULT_CAMPAIGN_SCENARIOS={scenarios}");
        eprintln!(
            "{}  {replay}\n",
            tally.summary(&format!("Terraform {}, seed {seed}", tf.version))
        );
        if !tally.problems.is_empty() || tally.misses + tally.false_blames > 0 {
            failed.push(format!(
                "Terraform {} seed {seed} ({replay}):\n{}",
                tf.version,
                tally.problems.join("\n")
            ));
        }
    });
    eprintln!("{TEST}: {:.0}s in all", started.elapsed().as_secs_f64());
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}
