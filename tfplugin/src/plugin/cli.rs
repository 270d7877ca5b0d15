//! Command line and the texts a person (not Terraform) gets to read.

use super::PluginConfig;

/// What the command line asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    /// No arguments: be a plugin for the Terraform that started us.
    Serve,
    /// `--debug`: serve for a Terraform that reattaches (debuggers).
    Debug,
    Version,
    Help,
}

/// Parses the arguments after the program name. Go's flag package accepts
/// one or two dashes, so both are accepted here too.
pub fn parse_args<I, A>(args: I) -> Result<Command, String>
where
    I: IntoIterator<Item = A>,
    A: AsRef<std::ffi::OsStr>,
{
    let mut command = Command::Serve;
    for arg in args {
        let arg = arg.as_ref().to_string_lossy();
        let next = match arg.as_ref() {
            "--debug" | "-debug" => Command::Debug,
            "--version" | "-version" | "-v" => Command::Version,
            "--help" | "-help" | "-h" => Command::Help,
            other => return Err(format!("unknown argument {other:?}")),
        };
        // Help and version win over debug, whatever the order.
        command = match (command, next) {
            (Command::Help, _) | (_, Command::Help) => Command::Help,
            (Command::Version, _) | (_, Command::Version) => Command::Version,
            _ => next,
        };
    }
    Ok(command)
}

pub fn binary_name(cfg: &PluginConfig) -> String {
    format!("terraform-provider-{}", cfg.name)
}

/// The `required_providers` source: the address without the default registry.
pub fn source(cfg: &PluginConfig) -> &str {
    cfg.address
        .strip_prefix("registry.terraform.io/")
        .unwrap_or(cfg.address)
}

pub fn version_text(cfg: &PluginConfig) -> String {
    format!(
        "{} v{} ({}, Terraform plugin protocol 6)\n",
        binary_name(cfg),
        cfg.version,
        cfg.address
    )
}

pub fn usage_text(cfg: &PluginConfig) -> String {
    format!(
        "Usage: {bin} [--debug | --version | --help]\n\n\
         {bin} is a Terraform provider plugin. Terraform starts it; it is not run by hand.\n\n\
         Options:\n  \
           --debug    serve for a Terraform that reattaches to this process (for debuggers)\n  \
           --version  print the version and exit\n  \
           --help     print this help and exit\n",
        bin = binary_name(cfg)
    )
}

/// What someone who ran the binary directly gets told.
pub fn not_a_plugin_host_text(cfg: &PluginConfig) -> String {
    let bin = binary_name(cfg);
    format!(
        "{bin} is a Terraform plugin. It is started by Terraform, not run directly.\n\n\
         To use it, declare it in your Terraform configuration:\n\n    \
         terraform {{\n      \
           required_providers {{\n        \
             {name} = {{\n          \
               source = \"{source}\"\n        \
             }}\n      \
           }}\n    \
         }}\n\n    \
         provider \"{name}\" {{}}\n\n\
         then run `terraform init` and `terraform plan`.\n\n\
         To run it under a debugger, start `{bin} --debug` and follow the instructions it prints.\n",
        name = cfg.name,
        source = source(cfg),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const CFG: PluginConfig = PluginConfig {
        name: "peering",
        address: "registry.terraform.io/peeringmesh/peering",
        version: "1.2.3",
    };

    #[test]
    fn arguments_select_the_command() {
        let none: [&str; 0] = [];
        assert_eq!(parse_args(none), Ok(Command::Serve));
        assert_eq!(parse_args(["--debug"]), Ok(Command::Debug));
        assert_eq!(parse_args(["-debug"]), Ok(Command::Debug));
        assert_eq!(parse_args(["--version"]), Ok(Command::Version));
        assert_eq!(parse_args(["--debug", "-h"]), Ok(Command::Help));
        assert_eq!(parse_args(["--version", "--debug"]), Ok(Command::Version));
        assert!(parse_args(["serve"]).is_err());
    }

    #[test]
    fn friendly_text_names_the_source_and_debug_mode() {
        let text = not_a_plugin_host_text(&CFG);
        assert!(text.contains("source = \"peeringmesh/peering\""), "{text}");
        assert!(
            text.contains("terraform-provider-peering --debug"),
            "{text}"
        );
        assert!(version_text(&CFG).contains("v1.2.3"));
    }
}
