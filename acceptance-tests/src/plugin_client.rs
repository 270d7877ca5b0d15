//! The provider binary started the way go-plugin starts it, for the tests that
//! speak the plugin protocol themselves (the handshake test; the Pulumi bridge's
//! patterns): the magic cookie, `PLUGIN_CLIENT_CERT` for AutoMTLS, the handshake
//! line parsed, and a tfplugin6 gRPC client over the pinned TLS connection.

pub mod tls;

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use base64::Engine;
use tfplugin::proto::tfplugin6::provider_client::ProviderClient;
use tonic::transport::Channel;

use crate::command::kill_process_group;
use tls::{client_config, ClientIdentity};

pub const MAGIC_COOKIE_KEY: &str = "TF_PLUGIN_MAGIC_COOKIE";
pub const MAGIC_COOKIE_VALUE: &str =
    "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";

/// The fields of `1|6|tcp|127.0.0.1:PORT|grpc|CERT`.
#[derive(Debug, Clone)]
pub struct Handshake {
    pub addr: SocketAddr,
    pub server_cert_der: Vec<u8>,
}

/// Parses the handshake line as go-plugin does; the error names the field that
/// is wrong.
pub fn parse_handshake(line: &str) -> Result<Handshake, String> {
    let fields: Vec<&str> = line.trim_end().split('|').collect();
    let expect = |ok: bool, what: &str| {
        if ok {
            Ok(())
        } else {
            Err(format!("{what} in handshake line {line:?}"))
        }
    };
    expect(fields.len() == 6, "6 fields")?;
    expect(fields[0] == "1", "go-plugin core protocol version 1")?;
    expect(fields[1] == "6", "Terraform plugin protocol version 6")?;
    expect(fields[2] == "tcp", "network tcp")?;
    expect(fields[4] == "grpc", "protocol grpc")?;
    let addr: SocketAddr = fields[3]
        .parse()
        .map_err(|e| format!("address in {line:?}: {e}"))?;
    expect(addr.ip().is_loopback(), "a loopback address")?;
    // go-plugin decodes the certificate with unpadded standard base64.
    let server_cert_der = base64::engine::general_purpose::STANDARD_NO_PAD
        .decode(fields[5])
        .map_err(|e| format!("certificate in {line:?} is not unpadded base64: {e}"))?;
    Ok(Handshake {
        addr,
        server_cert_der,
    })
}

/// The provider started as a go-plugin host starts it; killed on drop.
pub struct RunningPlugin {
    pub child: Child,
    /// The provider's stderr (its logs), for failure reports.
    stderr: tempfile::NamedTempFile,
}

impl RunningPlugin {
    /// Starts `binary` with the cookie, `client_cert_pem` pinned and `env` on top,
    /// and returns it with its first stdout line (the handshake).
    pub fn start(
        binary: &Path,
        client_cert_pem: &str,
        env: &[(&str, &str)],
    ) -> (RunningPlugin, String) {
        use std::os::unix::process::CommandExt;
        let stderr = tempfile::NamedTempFile::new().expect("temporary file");
        let mut cmd = Command::new(binary);
        cmd.env(MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE)
            .env("PLUGIN_PROTOCOL_VERSIONS", "5,6")
            .env("PLUGIN_CLIENT_CERT", client_cert_pem)
            .env_remove("TF_DISABLE_PLUGIN_TLS")
            .env_remove("TF_REATTACH_PROVIDERS");
        for (key, value) in env {
            cmd.env(key, value);
        }
        let mut child = cmd
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

    pub fn logs(&self) -> String {
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

/// A started provider with a connected tfplugin6 client, as a go-plugin host
/// holds it: one client identity per process, AutoMTLS, protocol 6.
pub struct PluginSession {
    pub plugin: RunningPlugin,
    pub client: ProviderClient<Channel>,
    pub runtime: tokio::runtime::Runtime,
}

impl PluginSession {
    pub fn start(binary: &Path, env: &[(&str, &str)]) -> PluginSession {
        let identity = ClientIdentity::generate();
        let (plugin, line) = RunningPlugin::start(binary, &identity.cert_pem, env);
        let handshake = parse_handshake(&line).unwrap_or_else(|e| panic!("{e}"));
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a tokio runtime for the plugin client");
        let tls = client_config(&handshake.server_cert_der, Some(&identity));
        let channel = runtime
            .block_on(tls::connect(handshake.addr, tls))
            .unwrap_or_else(|e| {
                panic!(
                    "connecting to the provider: {e}; its stderr:\n{}",
                    plugin.logs()
                )
            });
        PluginSession {
            plugin,
            // Terraform lifts gRPC's 4 MiB message cap too: a big mesh's state is large.
            client: ProviderClient::new(channel)
                .max_decoding_message_size(256 << 20)
                .max_encoding_message_size(256 << 20),
            runtime,
        }
    }
}
