//! The provider binary as go-plugin sees it, without Terraform: refuses to run
//! by hand, prints its version with `--version`, prints the handshake line,
//! and with AutoMTLS serves only the client certificate Terraform pinned in
//! PLUGIN_CLIENT_CERT.

mod pinned_tls;

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use acceptance_tests::command::{self, kill_process_group};
use acceptance_tests::provider_binary;
use base64::Engine;
use pinned_tls::{client_config, health_of_plugin, ClientIdentity};
use tonic_health::pb::health_check_response::ServingStatus;

const MAGIC_COOKIE_KEY: &str = "TF_PLUGIN_MAGIC_COOKIE";
const MAGIC_COOKIE_VALUE: &str = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";

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

/// The fields of `1|6|tcp|127.0.0.1:PORT|grpc|CERT`.
struct Handshake {
    addr: SocketAddr,
    server_cert_der: Vec<u8>,
}

fn parse_handshake(line: &str) -> Handshake {
    let fields: Vec<&str> = line.trim_end().split('|').collect();
    assert_eq!(fields.len(), 6, "handshake line {line:?}");
    assert_eq!(
        fields[0], "1",
        "go-plugin core protocol version in {line:?}"
    );
    assert_eq!(
        fields[1], "6",
        "Terraform plugin protocol version in {line:?}"
    );
    assert_eq!(fields[2], "tcp", "network in {line:?}");
    assert_eq!(fields[4], "grpc", "protocol in {line:?}");
    let addr: SocketAddr = fields[3]
        .parse()
        .unwrap_or_else(|e| panic!("address in {line:?}: {e}"));
    assert!(addr.ip().is_loopback(), "listens on loopback only: {addr}");
    // go-plugin decodes the certificate with unpadded standard base64.
    let server_cert_der = base64::engine::general_purpose::STANDARD_NO_PAD
        .decode(fields[5])
        .unwrap_or_else(|e| panic!("certificate in {line:?} is not unpadded base64: {e}"));
    Handshake {
        addr,
        server_cert_der,
    }
}

/// The provider started as Terraform starts it; killed on drop.
struct RunningPlugin {
    child: Child,
    /// The provider's stderr (its logs), for failure reports.
    stderr: tempfile::NamedTempFile,
}

impl RunningPlugin {
    fn start(client_cert_pem: &str) -> (RunningPlugin, String) {
        use std::os::unix::process::CommandExt;
        let stderr = tempfile::NamedTempFile::new().expect("temporary file");
        let mut child = Command::new(provider_binary())
            .env(MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE)
            .env("PLUGIN_PROTOCOL_VERSIONS", "5,6")
            .env("PLUGIN_CLIENT_CERT", client_cert_pem)
            .env_remove("TF_DISABLE_PLUGIN_TLS")
            .env_remove("TF_REATTACH_PROVIDERS")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(stderr.reopen().expect("reopening the log file"))
            .process_group(0)
            .spawn()
            .expect("starting the provider");
        let stdout = child.stdout.take().expect("stdout");
        let plugin = RunningPlugin { child, stderr };
        match first_line_within(stdout, Duration::from_secs(30)) {
            Some(line) => (plugin, line),
            None => panic!(
                "no handshake line within 30 s; provider stderr:\n{}",
                plugin.logs()
            ),
        }
    }

    fn logs(&self) -> String {
        std::fs::read_to_string(self.stderr.path()).unwrap_or_default()
    }
}

impl Drop for RunningPlugin {
    fn drop(&mut self) {
        kill_process_group(self.child.id());
        let _ = self.child.wait();
    }
}

/// The first stdout line, or `None` if the provider printed none in time.
fn first_line_within(stdout: ChildStdout, limit: Duration) -> Option<String> {
    let (send, receive) = mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = send.send(line);
    });
    receive
        .recv_timeout(limit)
        .ok()
        .filter(|line| !line.is_empty())
}

#[test]
fn automtls_serves_only_the_pinned_client_certificate() {
    let terraform_side = ClientIdentity::generate();
    let stranger = ClientIdentity::generate();
    let (mut plugin, line) = RunningPlugin::start(&terraform_side.cert_pem);
    let handshake = parse_handshake(&line);
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
