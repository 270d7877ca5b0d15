//! `meshlab`: the EC2-mirroring network lab from the command line (as root).
//! See docs/lab.md. The lab lives on between invocations; its state (names,
//! directory, spec) is kept in a JSON file.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use clap::{Parser, Subcommand};
use meshlab::{clean_stale, default_state_path, LabState, MeshLab, Source};

#[derive(Parser, Debug)]
#[command(
    name = "meshlab",
    about = "The EC2-mirroring network lab (run as root)"
)]
struct Cli {
    /// The lab's state file [default: $MESHLAB_STATE, else <temp dir>/meshlab/state.json]
    #[arg(long, value_name = "FILE")]
    state: Option<PathBuf>,
    #[command(subcommand)]
    command: Action,
}

#[derive(Subcommand, Debug)]
enum Action {
    /// Mirror the EC2 API at URL (e.g. moto) into namespaces, or a LabSpec in JSON
    Up {
        /// The EC2 endpoint, e.g. http://127.0.0.1:5000
        #[arg(long, value_name = "URL", requires = "region", conflicts_with = "spec")]
        endpoint: Option<String>,
        #[arg(long, value_name = "R", requires = "endpoint")]
        region: Option<String>,
        /// Also mirror the account of this role (arn:aws:iam::N:role/X), assumed
        /// through STS at the endpoint; repeat for more accounts
        #[arg(long, value_name = "ARN", requires = "endpoint")]
        role_arn: Vec<String>,
        /// A LabSpec written as JSON
        #[arg(long, value_name = "FILE", required_unless_present = "endpoint")]
        spec: Option<PathBuf>,
    },
    /// Read the source again and re-apply what changed
    Sync,
    /// Run CMD in a host (name, instance id or private IP), `runner`, or a VPC id (its router)
    Exec {
        host: String,
        #[arg(last = true, required = true, value_name = "CMD")]
        command: Vec<String>,
    },
    /// Hosts, routers and links
    Status,
    /// Remove the lab
    Down,
    /// Remove what labs of dead processes left behind
    Clean,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let state_path = cli.state.unwrap_or_else(default_state_path);
    match run(&state_path, cli.command) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("meshlab: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(state_path: &Path, action: Action) -> Result<ExitCode, String> {
    match action {
        Action::Up {
            endpoint,
            region,
            role_arn,
            spec,
        } => {
            let source = match (endpoint, region, spec) {
                (Some(endpoint), Some(region), None) => Source::Ec2 {
                    endpoint,
                    region,
                    role_arns: role_arn,
                },
                (None, None, Some(path)) => Source::File {
                    path: std::path::absolute(&path)
                        .map_err(|e| format!("{}: {e}", path.display()))?,
                },
                _ => return Err("up needs --endpoint URL --region R, or --spec FILE".into()),
            };
            up(state_path, source)
        }
        Action::Sync => sync(state_path),
        Action::Exec { host, command } => exec(state_path, &host, &command),
        Action::Status => attached(state_path).map(|lab| {
            print!("{}", lab.status());
            ExitCode::SUCCESS
        }),
        Action::Down => down(state_path),
        Action::Clean => {
            for removed in clean_stale(state_path) {
                println!("removed {removed}");
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn up(state_path: &Path, source: Source) -> Result<ExitCode, String> {
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

fn exec(state_path: &Path, host: &str, command: &[String]) -> Result<ExitCode, String> {
    let lab = attached(state_path)?;
    let ns = lab
        .namespace_of(host)
        .ok_or_else(|| format!("no host, runner or VPC {host} in the lab"))?;
    let status = Command::new("ip")
        .args(["netns", "exec", &ns])
        .args(command)
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

#[cfg(test)]
mod tests {
    use clap::{CommandFactory, Parser};

    use super::{Action, Cli};

    fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        Cli::try_parse_from(std::iter::once("meshlab").chain(args.iter().copied()))
    }

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn exec_takes_everything_after_the_double_dash() {
        let cli = parse(&[
            "--state", "s.json", "exec", "web", "--", "ping", "-c", "1", "10.0.0.1",
        ])
        .unwrap();
        assert_eq!(cli.state.unwrap().to_str(), Some("s.json"));
        let Action::Exec { host, command } = cli.command else {
            panic!("not exec");
        };
        assert_eq!(host, "web");
        assert_eq!(command, ["ping", "-c", "1", "10.0.0.1"]);
        assert!(parse(&["exec", "web"]).is_err(), "a command is required");
    }

    #[test]
    fn up_needs_an_endpoint_and_region_or_a_spec() {
        assert!(parse(&[
            "up",
            "--endpoint",
            "http://127.0.0.1:5000",
            "--region",
            "us-east-1"
        ])
        .is_ok());
        assert!(parse(&["up", "--spec", "lab.json"]).is_ok());
        let cli = parse(&[
            "up",
            "--endpoint",
            "http://127.0.0.1:5000",
            "--region",
            "us-east-1",
            "--role-arn",
            "arn:aws:iam::222222222222:role/mesh",
            "--role-arn",
            "arn:aws:iam::333333333333:role/mesh",
        ])
        .unwrap();
        let Action::Up { role_arn, .. } = cli.command else {
            panic!("not up");
        };
        assert_eq!(
            role_arn,
            [
                "arn:aws:iam::222222222222:role/mesh",
                "arn:aws:iam::333333333333:role/mesh"
            ]
        );
        assert!(
            parse(&[
                "up",
                "--spec",
                "a.json",
                "--role-arn",
                "arn:aws:iam::2:role/x"
            ])
            .is_err(),
            "roles need an endpoint"
        );
        assert!(parse(&["up"]).is_err());
        assert!(parse(&["up", "--endpoint", "http://127.0.0.1:5000"]).is_err());
        assert!(parse(&[
            "up",
            "--spec",
            "a.json",
            "--endpoint",
            "http://x",
            "--region",
            "r"
        ])
        .is_err());
    }
}
