//! The provider binary as go-plugin sees it, without Terraform: refuses to run
//! by hand, prints its version with `--version`, prints the handshake line,
//! and with AutoMTLS serves only the client certificate Terraform pinned in
//! PLUGIN_CLIENT_CERT.

use std::process::Command;
use std::time::Duration;

use acceptance_tests::command;
use acceptance_tests::plugin_client::tls::{client_config, health_of_plugin, ClientIdentity};
use acceptance_tests::plugin_client::{parse_handshake, RunningPlugin, MAGIC_COOKIE_KEY};
use acceptance_tests::provider_binary;
use tonic_health::pb::health_check_response::ServingStatus;

#[test]
fn run_by_hand_it_explains_itself_and_exits_1() {
    let mut cmd = Command::new(provider_binary());
    cmd.env_remove(MAGIC_COOKIE_KEY);
    let out = command::run(cmd, Duration::from_secs(30));
    assert_eq!(out.code, Some(1), "exit code:\n{out}");
    let text = format!("{}{}", out.stdout, out.stderr).to_lowercase();
    assert!(
        text.contains("plugin") && text.contains("terraform"),
        "no explanation:\n{out}"
    );
    assert!(
        !out.stdout.starts_with("1|"),
        "printed a handshake without the cookie:\n{out}"
    );
}

#[test]
fn version_flag_prints_the_cargo_version_and_exits_0() {
    // The workspace version: this crate and the provider share it.
    let version = env!("CARGO_PKG_VERSION");
    for flag in ["--version", "-version", "-v"] {
        let mut cmd = Command::new(provider_binary());
        cmd.arg(flag).env_remove(MAGIC_COOKIE_KEY);
        let out = command::run(cmd, Duration::from_secs(30));
        assert_eq!(out.code, Some(0), "exit code:\n{out}");
        assert!(
            out.stdout
                .starts_with(&format!("terraform-provider-peering v{version} ")),
            "the first word names the binary, the second its version {version}:\n{out}"
        );
        assert!(out.stderr.is_empty(), "nothing on stderr:\n{out}");
    }
}

#[test]
fn automtls_serves_only_the_pinned_client_certificate() {
    let terraform_side = ClientIdentity::generate();
    let stranger = ClientIdentity::generate();
    let (mut plugin, line) = RunningPlugin::start(provider_binary(), &terraform_side.cert_pem, &[]);
    let handshake = parse_handshake(&line).unwrap_or_else(|e| panic!("{e}"));
    let runtime = tokio::runtime::Runtime::new().expect("tokio runtime");

    let with_other_cert = runtime.block_on(health_of_plugin(
        handshake.addr,
        client_config(&handshake.server_cert_der, Some(&stranger)),
    ));
    eprintln!("another certificate: {with_other_cert:?}");
    assert!(
        with_other_cert.is_err(),
        "a client with another certificate was served: {with_other_cert:?}"
    );

    let without_cert = runtime.block_on(health_of_plugin(
        handshake.addr,
        client_config(&handshake.server_cert_der, None),
    ));
    eprintln!("no certificate: {without_cert:?}");
    assert!(
        without_cert.is_err(),
        "a client without a certificate was served: {without_cert:?}"
    );

    let pinned = runtime.block_on(health_of_plugin(
        handshake.addr,
        client_config(&handshake.server_cert_der, Some(&terraform_side)),
    ));
    assert_eq!(
        pinned,
        Ok(ServingStatus::Serving),
        "the pinned client is served"
    );
    assert!(
        plugin.child.try_wait().expect("wait").is_none(),
        "the provider is still running"
    );
}
