//! `meshlab`: the EC2-mirroring network lab from the command line (as root).
//! See docs/lab.md. The lab lives on between invocations; its state (names,
//! directory, spec) is kept in a JSON file.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use acceptance_tests::meshlab::{clean_stale, default_state_path, LabState, MeshLab, Source};

const USAGE: &str = "\
usage: meshlab [--state FILE] COMMAND
  up --endpoint URL --region R   mirror the EC2 API at URL (e.g. moto) into namespaces
  up --spec FILE                 the same from a LabSpec in JSON
  sync                           read the source again and re-apply what changed
  exec HOST -- CMD...            run CMD in a host (name, instance id or private IP),
                                 `runner`, or a VPC id (its router)
  status                         hosts, routers and links
  down                           remove the lab
  clean                          remove what labs of dead processes left behind
state file: --state, else $MESHLAB_STATE, else <temp dir>/meshlab/state.json";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(args) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("meshlab: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(mut args: Vec<String>) -> Result<ExitCode, String> {
    let mut state_path = default_state_path();
    if args.first().map(String::as_str) == Some("--state") {
        state_path = PathBuf::from(args.get(1).ok_or(USAGE)?);
        args.drain(..2);
    }
    let Some(command) = args.first().cloned() else {
        return Err(USAGE.into());
    };
    let rest = &args[1..];
    match command.as_str() {
        "up" => up(&state_path, rest),
        "sync" => sync(&state_path),
        "exec" => exec(&state_path, rest),
        "status" => attached(&state_path).map(|lab| {
            print!("{}", lab.status());
            ExitCode::SUCCESS
        }),
        "down" => down(&state_path),
        "clean" => {
            for removed in clean_stale(&state_path) {
                println!("removed {removed}");
            }
            Ok(ExitCode::SUCCESS)
        }
        "-h" | "--help" | "help" => {
            println!("{USAGE}");
            Ok(ExitCode::SUCCESS)
        }
        other => Err(format!("unknown command {other}\n{USAGE}")),
    }
}

/// The value after `flag` in `args`.
fn option<'a>(args: &'a [String], flag: &str) -> Option<&'a str> {
    let at = args.iter().position(|a| a == flag)?;
    args.get(at + 1).map(String::as_str)
}

fn up(state_path: &Path, args: &[String]) -> Result<ExitCode, String> {
    if let Some(reason) = MeshLab::unavailable_reason() {
        return Err(reason);
    }
    clean_stale(state_path);
    if state_path.exists() {
        return Err(format!(
            "a lab is up (state {}); `meshlab down` first",
            state_path.display()
        ));
    }
    let source = match (
        option(args, "--endpoint"),
        option(args, "--region"),
        option(args, "--spec"),
    ) {
        (Some(endpoint), Some(region), None) => Source::Ec2 {
            endpoint: endpoint.into(),
            region: region.into(),
        },
        (None, None, Some(path)) => Source::File {
            path: std::path::absolute(path).map_err(|e| e.to_string())?,
        },
        _ => {
            return Err(format!(
                "up needs --endpoint URL --region R, or --spec FILE\n{USAGE}"
            ))
        }
    };
    let lab = MeshLab::up_detached(source)?;
    if let Err(e) = lab.state().save(state_path) {
        lab.down();
        return Err(e);
    }
    print!("{}", lab.status());
    Ok(ExitCode::SUCCESS)
}

fn attached(state_path: &Path) -> Result<MeshLab, String> {
    MeshLab::attach(LabState::load(state_path)?)
}

fn sync(state_path: &Path) -> Result<ExitCode, String> {
    let mut lab = attached(state_path)?;
    let result = lab.sync_from_source();
    // What was applied is recorded even when a later step failed.
    lab.state().save(state_path)?;
    result?;
    print!("{}", lab.status());
    Ok(ExitCode::SUCCESS)
}

fn exec(state_path: &Path, args: &[String]) -> Result<ExitCode, String> {
    let lab = attached(state_path)?;
    let (Some(host), Some("--")) = (args.first(), args.get(1).map(String::as_str)) else {
        return Err(format!("exec needs HOST -- CMD...\n{USAGE}"));
    };
    if args.len() < 3 {
        return Err(format!("exec needs a command after --\n{USAGE}"));
    }
    let ns = lab
        .namespace_of(host)
        .ok_or_else(|| format!("no host, runner or VPC {host} in the lab"))?;
    let status = Command::new("ip")
        .args(["netns", "exec", &ns])
        .args(&args[2..])
        .status()
        .map_err(|e| format!("running ip netns exec: {e}"))?;
    Ok(ExitCode::from(
        status.code().unwrap_or(1).clamp(0, 255) as u8
    ))
}

fn down(state_path: &Path) -> Result<ExitCode, String> {
    let lab = attached(state_path)?;
    let id = lab.state().id.clone();
    lab.down();
    std::fs::remove_file(state_path).map_err(|e| format!("{}: {e}", state_path.display()))?;
    println!("lab {id} removed");
    Ok(ExitCode::SUCCESS)
}
