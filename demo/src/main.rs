//! `seed-demo`: the seed experiment told for people (`make demo`, part 2, run
//! by scripts/demo-lab.sh as root). The same story as
//! acceptance-tests/tests/seed_experiment.rs (`acceptance_tests::seed_story`): for each
//! chapter the connectivity matrix (the data source's `report`), the
//! diagnosis, and the Mermaid picture written to a file.
//!
//! Environment: `TERRAFORM` (the CLI; default the newest one the tests
//! find), `PEERING_PROVIDER_BIN` (the provider; default: built by cargo),
//! `SEED_DEMO_OUT` (where the Mermaid files go; default
//! `<temp dir>/peering-seed-demo`), `SEED_DEMO_PIDFILE` (where to write the
//! pids of moto and socat, for a caller cleaning up after a SIGKILL).
//!
//! On SIGINT or SIGTERM it kills everything it started (Terraform, moto,
//! socat, sshd), removes its lab's namespaces and exits with 130.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use acceptance_tests::netns::{creator_pid, delete_namespace, list_namespaces};
use acceptance_tests::process_tree::{descendants, sigkill};
use acceptance_tests::seed_story::{render, summary_line, tell, SeedFixture, EXAMPLE_DIR};
use acceptance_tests::{terraform_versions, Terraform};

/// Set once a signal arrived: the main thread's failures that follow (its
/// Terraform killed under it) are not news.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

fn main() -> ExitCode {
    clean_up_on_signal();
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        wait_for_the_sweep();
        default_hook(info);
    }));
    let result = run();
    wait_for_the_sweep();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("seed-demo: {message}");
            ExitCode::FAILURE
        }
    }
}

/// After a signal the main thread stops where it is (no unwinding, no exit
/// code of its own) and the signal thread ends the process with 130.
fn wait_for_the_sweep() {
    while INTERRUPTED.load(Ordering::SeqCst) {
        std::thread::park();
    }
}

fn run() -> Result<(), String> {
    if let Some(why) = SeedFixture::unavailable_reason() {
        return Err(format!("cannot run here: {why}"));
    }
    let tf = terraform()?;
    let provider = std::env::var_os("PEERING_PROVIDER_BIN").map(PathBuf::from);
    let out = std::env::var_os("SEED_DEMO_OUT")
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("peering-seed-demo"));
    std::fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;

    println!(
        "seed-demo: {} applies {EXAMPLE_DIR} against moto, then probes from inside a lab",
        tf.label()
    );
    println!("seed-demo: setting up: moto, the mesh, a bastion and four servers, the lab ...");
    let started = std::time::Instant::now();
    let mut fixture = SeedFixture::start("seed-demo", &tf, provider.as_deref());
    write_pidfile(&fixture);
    println!(
        "seed-demo: ready in {:.0} s: moto at {}, lab {}, Terraform runs in namespace {}\n",
        started.elapsed().as_secs_f64(),
        fixture.endpoint(),
        fixture.lab().state().id,
        fixture.lab().runner()
    );
    let mut summary = Vec::new();
    tell(&mut fixture, |_, chapter| {
        print!("{}", render(chapter));
        let file = out.join(format!("chapter-{}.mmd", chapter.number));
        match std::fs::write(&file, &chapter.observation.mermaid) {
            Ok(()) => println!("Mermaid picture: {}\n", file.display()),
            Err(e) => println!("Mermaid picture not written ({}: {e})\n", file.display()),
        }
        summary.push(summary_line(chapter));
    });
    println!("==================== summary ====================");
    for line in &summary {
        println!("{line}");
    }
    println!(
        "Mermaid pictures in {} (paste one into https://mermaid.live)",
        out.display()
    );
    drop(fixture);
    println!("seed-demo: lab, moto and Terraform's files removed");
    Ok(())
}

/// `TERRAFORM`, else the newest version the tests find.
fn terraform() -> Result<Terraform, String> {
    if let Some(path) = std::env::var_os("TERRAFORM") {
        let path = PathBuf::from(path);
        return Terraform::probe(path.clone())
            .ok_or_else(|| format!("TERRAFORM={} does not run", path.display()));
    }
    terraform_versions()
        .last()
        .cloned()
        .ok_or_else(|| "no Terraform found (run scripts/setup.sh)".into())
}

fn write_pidfile(fixture: &SeedFixture) {
    let Some(path) = std::env::var_os("SEED_DEMO_PIDFILE") else {
        return;
    };
    let pids: Vec<String> = fixture.helper_pids().iter().map(u32::to_string).collect();
    let _ = std::fs::write(Path::new(&path), pids.join("\n") + "\n");
}

/// A thread that waits for SIGINT or SIGTERM, then removes everything this
/// process made and exits. The main thread may be in the middle of anything
/// (a Terraform run, a lab sync), so the sweep repeats until a round finds
/// nothing left.
fn clean_up_on_signal() {
    use tokio::signal::unix::{signal, SignalKind};
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime for signals");
    // Registered here, before anything starts, so no signal is missed.
    let (mut interrupt, mut terminate) = runtime.block_on(async {
        (
            signal(SignalKind::interrupt()).expect("SIGINT handler"),
            signal(SignalKind::terminate()).expect("SIGTERM handler"),
        )
    });
    std::thread::spawn(move || {
        runtime.block_on(async {
            tokio::select! {
                _ = interrupt.recv() => {}
                _ = terminate.recv() => {}
            }
        });
        INTERRUPTED.store(true, Ordering::SeqCst);
        eprintln!("\nseed-demo: interrupted: removing the lab, moto, socat and Terraform");
        for _ in 0..10 {
            if sweep() == 0 {
                break;
            }
            std::thread::sleep(Duration::from_millis(300));
        }
        std::process::exit(130);
    });
}

/// Kills every descendant process and deletes every namespace named after
/// this process; returns how many things it found.
fn sweep() -> usize {
    let me = std::process::id();
    let processes = descendants(me);
    for &pid in &processes {
        sigkill(pid);
    }
    let namespaces: Vec<String> = list_namespaces()
        .into_iter()
        .filter(|ns| creator_pid(ns) == Some(me))
        .collect();
    for ns in &namespaces {
        delete_namespace(ns);
    }
    processes.len() + namespaces.len()
}
