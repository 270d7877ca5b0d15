//! Misuse of `peering_connectivity` fails at `terraform plan` with a message
//! naming the attribute and the offending value. Values come from variables so
//! that Terraform's source snippet cannot show them: the provider's message has
//! to. Valid addresses here are loopback only, so even a provider that failed
//! to reject the input would probe nothing outside this machine.

use acceptance_tests::{for_each_terraform, CmdOutput, Terraform, Workspace};
use serde_json::{json, Value};

const CONFIG: &str = r#"
variable "hosts" {
  type = map(string)
}
variable "echo_count" {
  type = number
}

data "peering_connectivity" "check" {
  hosts      = var.hosts
  echo_count = var.echo_count
  timeout_ms = 200
}

output "report" {
  value = data.peering_connectivity.check.report
}
"#;

/// Plans with `vars`, expecting failure. The workspace is returned so that it
/// lives until the checks are done and is kept for a look if one fails.
fn plan_with(test: &str, tf: &Terraform, vars: Value) -> (Workspace, CmdOutput) {
    let ws = Workspace::new(test, tf);
    ws.write_main(CONFIG);
    ws.write_vars(&vars);
    ws.init().expect_success();
    let plan = ws.plan();
    plan.expect_failure();
    (ws, plan)
}

/// Words and numbers of the diagnostics, without Terraform's source location
/// lines (`on main.tf line 12`, `12:   echo_count = ...`), so checks like
/// "mentions 0" or "mentions an upper bound" see only the provider's message,
/// and never match inside `10` or `v0.1.0`.
fn message_tokens(out: &CmdOutput) -> Vec<String> {
    text(out)
        .lines()
        .map(|line| line.trim_start_matches(|c: char| c == '│' || c.is_whitespace()))
        .filter(|line| !line.contains(".tf line "))
        .filter(|line| {
            let digits = line.chars().take_while(char::is_ascii_digit).count();
            !(digits > 0 && line[digits..].starts_with(':'))
        })
        .flat_map(|line| {
            line.split(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '_'))
                .map(|t| t.trim_end_matches('.').to_string())
                .collect::<Vec<_>>()
        })
        .filter(|t| !t.is_empty())
        .collect()
}

fn text(out: &CmdOutput) -> String {
    format!("{}\n{}", out.stdout, out.stderr)
}

#[test]
fn bad_address_names_the_host_and_the_value() {
    let test = "bad_address";
    for_each_terraform(test, |tf| {
        let (_ws, out) = plan_with(
            test,
            tf,
            json!({"hosts": {"a": "10.1.2.300"}, "echo_count": 1}),
        );
        let all = text(&out);
        assert!(
            all.contains("hosts[\"a\"]") || all.contains("hosts.a"),
            "attribute path:\n{out}"
        );
        assert!(all.contains("10.1.2.300"), "offending value:\n{out}");
    });
}

#[test]
fn echo_count_zero_names_the_attribute_value_and_range() {
    let test = "echo_count_zero";
    for_each_terraform(test, |tf| {
        let (_ws, out) = plan_with(
            test,
            tf,
            json!({"hosts": {"lo": "127.0.0.1"}, "echo_count": 0}),
        );
        assert!(text(&out).contains("echo_count"), "attribute:\n{out}");
        let tokens = message_tokens(&out);
        assert!(tokens.iter().any(|t| t == "0"), "offending value 0:\n{out}");
        // The allowed range starts at 1 and has an upper bound, both spelled out.
        assert!(
            tokens.iter().any(|t| t == "1"),
            "allowed range (from 1):\n{out}"
        );
        let numbers: Vec<u64> = tokens.iter().filter_map(|t| t.parse().ok()).collect();
        assert!(
            numbers.iter().any(|&n| n > 1),
            "allowed range (upper bound):\n{out}"
        );
    });
}

#[test]
fn duplicate_address_names_both_hosts() {
    let test = "duplicate_address";
    for_each_terraform(test, |tf| {
        let hosts =
            json!({"first_twin": "127.0.0.1", "second_twin": "127.0.0.1", "single": "127.0.0.2"});
        let (_ws, out) = plan_with(test, tf, json!({"hosts": hosts, "echo_count": 1}));
        let all = text(&out);
        for twin in ["first_twin", "second_twin", "127.0.0.1"] {
            assert!(all.contains(twin), "error names {twin}:\n{out}");
        }
    });
}

const SSH_CONFIG: &str = r#"
variable "private_key" {
  type      = string
  sensitive = true
}
variable "with_ssh" {
  type = bool
}

data "peering_connectivity" "check" {
  hosts     = { lo = "127.0.0.1" }
  transport = "ssh"
  dynamic "ssh" {
    for_each = var.with_ssh ? [1] : []
    content {
      bastion_address = "127.0.0.1"
      private_key     = var.private_key
      known_hosts     = "127.0.0.1 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMlQNIuH0NI6Lg6UDXXN6s5FdNGLcZW90d3xegNMH2ib"
    }
  }
}
"#;

/// A private key that cannot be decoded fails at plan on `ssh.private_key`, and
/// the key text shows nowhere; `transport = "ssh"` without an `ssh` block fails
/// on `ssh`. Nothing connects: both are rejected before probing.
#[test]
fn ssh_settings_fail_on_their_attribute_without_showing_the_key() {
    let test = "ssh_settings";
    let secret = "-----BEGIN OPENSSH PRIVATE KEY-----\nSECRETKEYMATERIAL0123456789\n-----END OPENSSH PRIVATE KEY-----\n";
    for_each_terraform(test, |tf| {
        let ws = Workspace::new(test, tf);
        ws.write_main(SSH_CONFIG);
        ws.write_vars(&json!({"private_key": secret, "with_ssh": true}));
        ws.init().expect_success();
        let out = ws.plan();
        out.expect_failure();
        let all = text(&out);
        assert!(all.contains("Invalid ssh.private_key"), "summary:\n{out}");
        assert!(all.contains("could not be decoded"), "why:\n{out}");
        assert!(!all.contains("SECRETKEYMATERIAL"), "the key shows:\n{out}");

        ws.write_vars(&json!({"private_key": secret, "with_ssh": false}));
        let out = ws.plan();
        out.expect_failure();
        let all = text(&out);
        assert!(all.contains("Missing ssh settings"), "summary:\n{out}");
        assert!(all.contains("transport = \"ssh\" needs ssh"), "fix:\n{out}");
    });
}
