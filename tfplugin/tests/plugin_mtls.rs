//! The served plugin, in process: AutoMTLS pinning (including go-plugin's
//! P-521 client certificates), the side services, and shutdown.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rcgen::{
    BasicConstraints, CertificateParams, ExtendedKeyUsagePurpose, IsCa, KeyPair, KeyUsagePurpose,
};
use rustls::sign::{CertifiedKey, Signer, SigningKey, SingleCertAndKey};
use rustls::{SignatureAlgorithm, SignatureScheme};
use rustls_pki_types::pem::PemObject as _;
use rustls_pki_types::{CertificateDer, ServerName};
use tfplugin::plugin::serve_on;
use tfplugin::proto::plugin::grpc_broker_client::GrpcBrokerClient;
use tfplugin::proto::plugin::grpc_controller_client::GrpcControllerClient;
use tfplugin::proto::plugin::grpc_stdio_client::GrpcStdioClient;
use tfplugin::proto::plugin::Empty;
use tfplugin::proto::tfplugin6 as pb;
use tfplugin::tls::ServerCertificate;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use tonic::transport::{Certificate, Channel, ClientTlsConfig, Endpoint, Identity};
use tonic::{Request, Response, Status};
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;
use tonic_health::pb::HealthCheckRequest;

const TIMEOUT: Duration = Duration::from_secs(5);

// ---------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------

fn tls_server(pinned: CertificateDer<'static>) -> (ServerCertificate, Arc<rustls::ServerConfig>) {
    let server = ServerCertificate::generate().unwrap();
    let config = server.server_config(pinned).unwrap();
    (server, config)
}

#[tokio::test]
async fn pinned_client_gets_plugin_serving_over_tls() {
    let client = terraform_like_client_cert();
    let (server, config) = tls_server(client.der.clone());
    let running = start(Some(config)).await;

    let channel = tls_channel(running.addr, &server, Some(&client))
        .await
        .unwrap();
    assert_eq!(
        health(channel.clone(), "plugin").await,
        Ok(ServingStatus::Serving)
    );
    assert_eq!(health(channel, "").await, Ok(ServingStatus::Serving));
    running.shutdown.cancel();
}

#[tokio::test]
async fn another_client_certificate_is_refused() {
    let pinned = terraform_like_client_cert();
    let stranger = terraform_like_client_cert();
    let (server, config) = tls_server(pinned.der.clone());
    let running = start(Some(config)).await;

    let refused = health_over_tls(running.addr, &server, Some(&stranger)).await;
    assert!(refused.is_err(), "stranger was served: {refused:?}");
    // The server is still fine for the right client afterwards.
    let served = health_over_tls(running.addr, &server, Some(&pinned)).await;
    assert_eq!(served, Ok(ServingStatus::Serving));
    running.shutdown.cancel();
}

#[tokio::test]
async fn a_client_without_certificate_is_refused() {
    let pinned = terraform_like_client_cert();
    let (server, config) = tls_server(pinned.der.clone());
    let running = start(Some(config)).await;

    let refused = health_over_tls(running.addr, &server, None).await;
    assert!(refused.is_err(), "anonymous client was served: {refused:?}");
    running.shutdown.cancel();
}

#[tokio::test]
async fn go_plugin_p521_client_certificate_is_accepted_with_tls13_and_tls12() {
    let pinned = CertificateDer::from_pem_slice(P521_CLIENT_CERT.as_bytes()).unwrap();
    let (server, config) = tls_server(pinned);
    let running = start(Some(config)).await;

    for version in [&rustls::version::TLS13, &rustls::version::TLS12] {
        let key = p521_key(P521_CLIENT_KEY);
        let result =
            p521_client_gets_h2(running.addr, &server, P521_CLIENT_CERT, key, version).await;
        assert_eq!(result, Ok(()), "{version:?}");
    }
    running.shutdown.cancel();
}

#[tokio::test]
async fn pinned_certificate_with_the_wrong_key_is_refused() {
    let pinned = CertificateDer::from_pem_slice(P521_CLIENT_CERT.as_bytes()).unwrap();
    let (server, config) = tls_server(pinned);
    let running = start(Some(config)).await;

    for version in [&rustls::version::TLS13, &rustls::version::TLS12] {
        let impostor = p521_key(P521_IMPOSTOR_KEY);
        let result =
            p521_client_gets_h2(running.addr, &server, P521_CLIENT_CERT, impostor, version).await;
        assert!(result.is_err(), "impostor was served with {version:?}");
    }
    running.shutdown.cancel();
}

#[tokio::test]
async fn controller_shutdown_stops_serving_within_a_second() {
    let client = terraform_like_client_cert();
    let (server, config) = tls_server(client.der.clone());
    let running = start(Some(config)).await;
    let channel = tls_channel(running.addr, &server, Some(&client))
        .await
        .unwrap();

    // Terraform keeps these streams open for the plugin's whole life.
    let mut stdio = GrpcStdioClient::new(channel.clone())
        .stream_stdio(())
        .await
        .unwrap()
        .into_inner();
    let (_broker_tx, broker_rx) = tokio::sync::mpsc::channel(1);
    let mut broker = GrpcBrokerClient::new(channel.clone())
        .start_stream(tokio_stream::wrappers::ReceiverStream::new(broker_rx))
        .await
        .unwrap()
        .into_inner();

    let asked = Instant::now();
    GrpcControllerClient::new(channel)
        .shutdown(Empty {})
        .await
        .unwrap();
    let served = tokio::time::timeout(Duration::from_secs(1), running.task)
        .await
        .expect("serve_on did not return within a second of Shutdown");
    served.unwrap().unwrap();
    assert!(asked.elapsed() < Duration::from_secs(1));
    assert!(running.shutdown.is_cancelled());

    // The open streams ended instead of hanging, and the port is closed.
    let stdio_end = tokio::time::timeout(TIMEOUT, stdio.message())
        .await
        .unwrap();
    assert!(!matches!(stdio_end, Ok(Some(_))), "{stdio_end:?}");
    let broker_end = tokio::time::timeout(TIMEOUT, broker.message())
        .await
        .unwrap();
    assert!(!matches!(broker_end, Ok(Some(_))), "{broker_end:?}");
    assert!(tokio::net::TcpStream::connect(running.addr).await.is_err());
}

#[tokio::test]
async fn without_tls_the_services_speak_plain_h2() {
    let running = start(None).await;
    let channel = Endpoint::from_shared(format!("http://{}", running.addr))
        .unwrap()
        .timeout(TIMEOUT)
        .connect()
        .await
        .unwrap();
    assert_eq!(
        health(channel.clone(), "plugin").await,
        Ok(ServingStatus::Serving)
    );

    // The provider service is mounted (here it implements nothing).
    let status = pb::provider_client::ProviderClient::new(channel)
        .get_provider_schema(pb::get_provider_schema::Request {})
        .await
        .unwrap_err();
    assert_eq!(status.code(), tonic::Code::Unimplemented);

    running.shutdown.cancel();
    tokio::time::timeout(Duration::from_secs(1), running.task)
        .await
        .expect("serve_on returns after the shutdown signal")
        .unwrap()
        .unwrap();
}

// ---------------------------------------------------------------------------
// A provider that implements nothing: these tests are about the plumbing.
// ---------------------------------------------------------------------------

macro_rules! unimplemented_provider {
    ($($rpc:ident => $module:ident),* $(,)?) => {
        struct NothingProvider;

        #[tonic::async_trait]
        impl pb::provider_server::Provider for NothingProvider {
            type ListResourceStream = futures::stream::Empty<Result<pb::list_resource::Event, Status>>;
            type InvokeActionStream = futures::stream::Empty<Result<pb::invoke_action::Event, Status>>;

            async fn list_resource(
                &self,
                _: Request<pb::list_resource::Request>,
            ) -> Result<Response<Self::ListResourceStream>, Status> {
                Err(Status::unimplemented("ListResource"))
            }

            async fn invoke_action(
                &self,
                _: Request<pb::invoke_action::Request>,
            ) -> Result<Response<Self::InvokeActionStream>, Status> {
                Err(Status::unimplemented("InvokeAction"))
            }

            $(
                async fn $rpc(
                    &self,
                    _: Request<pb::$module::Request>,
                ) -> Result<Response<pb::$module::Response>, Status> {
                    Err(Status::unimplemented(stringify!($rpc)))
                }
            )*
        }
    };
}

unimplemented_provider! {
    get_metadata => get_metadata,
    get_provider_schema => get_provider_schema,
    validate_provider_config => validate_provider_config,
    validate_resource_config => validate_resource_config,
    validate_data_resource_config => validate_data_resource_config,
    upgrade_resource_state => upgrade_resource_state,
    get_resource_identity_schemas => get_resource_identity_schemas,
    upgrade_resource_identity => upgrade_resource_identity,
    configure_provider => configure_provider,
    read_resource => read_resource,
    plan_resource_change => plan_resource_change,
    apply_resource_change => apply_resource_change,
    import_resource_state => import_resource_state,
    move_resource_state => move_resource_state,
    read_data_source => read_data_source,
    generate_resource_config => generate_resource_config,
    validate_ephemeral_resource_config => validate_ephemeral_resource_config,
    open_ephemeral_resource => open_ephemeral_resource,
    renew_ephemeral_resource => renew_ephemeral_resource,
    close_ephemeral_resource => close_ephemeral_resource,
    validate_list_resource_config => validate_list_resource_config,
    get_functions => get_functions,
    call_function => call_function,
    plan_action => plan_action,
    validate_action_config => validate_action_config,
    stop_provider => stop_provider,
}

// ---------------------------------------------------------------------------
// Harness
// ---------------------------------------------------------------------------

struct Running {
    addr: SocketAddr,
    shutdown: CancellationToken,
    task: JoinHandle<Result<(), tonic::transport::Error>>,
}

async fn start(tls: Option<Arc<rustls::ServerConfig>>) -> Running {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let shutdown = CancellationToken::new();
    let task = tokio::spawn(serve_on(listener, tls, NothingProvider, shutdown.clone()));
    Running {
        addr,
        shutdown,
        task,
    }
}

/// A client certificate made the way go-plugin makes Terraform's: self-signed
/// and CA-flagged (here with P-256, which rcgen can sign with).
struct ClientCert {
    cert_pem: String,
    key_pem: String,
    der: CertificateDer<'static>,
}

fn terraform_like_client_cert() -> ClientCert {
    let key = KeyPair::generate().unwrap();
    let mut params = CertificateParams::new(vec!["localhost".to_string()]).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
        KeyUsagePurpose::KeyAgreement,
        KeyUsagePurpose::KeyCertSign,
    ];
    params.extended_key_usages = vec![
        ExtendedKeyUsagePurpose::ClientAuth,
        ExtendedKeyUsagePurpose::ServerAuth,
    ];
    let cert = params.self_signed(&key).unwrap();
    ClientCert {
        cert_pem: cert.pem(),
        key_pem: key.serialize_pem(),
        der: cert.der().clone(),
    }
}

/// A TLS channel that trusts only `server` as `localhost`, like Terraform.
async fn tls_channel(
    addr: SocketAddr,
    server: &ServerCertificate,
    client: Option<&ClientCert>,
) -> Result<Channel, String> {
    let mut tls = ClientTlsConfig::new()
        .ca_certificate(Certificate::from_pem(server.pem()))
        .domain_name("localhost");
    if let Some(client) = client {
        tls = tls.identity(Identity::from_pem(&client.cert_pem, &client.key_pem));
    }
    Endpoint::from_shared(format!("https://{addr}"))
        .map_err(|e| e.to_string())?
        .tls_config(tls)
        .map_err(|e| e.to_string())?
        .connect_timeout(TIMEOUT)
        .timeout(TIMEOUT)
        .connect()
        .await
        .map_err(|e| format!("connect: {e:?}"))
}

async fn health(channel: Channel, service: &str) -> Result<ServingStatus, String> {
    let response = HealthClient::new(channel)
        .check(HealthCheckRequest {
            service: service.to_string(),
        })
        .await
        .map_err(|e| format!("health check: {e}"))?;
    Ok(response.into_inner().status())
}

async fn health_over_tls(
    addr: SocketAddr,
    server: &ServerCertificate,
    client: Option<&ClientCert>,
) -> Result<ServingStatus, String> {
    health(tls_channel(addr, server, client).await?, "plugin").await
}

/// Signs TLS handshakes with a P-521 key, which ring cannot do.
struct P521Key(p521::ecdsa::SigningKey);

impl std::fmt::Debug for P521Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("P521Key")
    }
}

impl SigningKey for P521Key {
    fn choose_scheme(&self, offered: &[SignatureScheme]) -> Option<Box<dyn Signer>> {
        offered
            .contains(&SignatureScheme::ECDSA_NISTP521_SHA512)
            .then(|| Box::new(P521Key(self.0.clone())) as Box<dyn Signer>)
    }

    fn algorithm(&self) -> SignatureAlgorithm {
        SignatureAlgorithm::ECDSA
    }
}

impl Signer for P521Key {
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, rustls::Error> {
        use p521::ecdsa::signature::Signer as _;
        let signature: p521::ecdsa::Signature = self.0.sign(message);
        Ok(signature.to_der().as_bytes().to_vec())
    }

    fn scheme(&self) -> SignatureScheme {
        SignatureScheme::ECDSA_NISTP521_SHA512
    }
}

fn p521_key(pem: &str) -> P521Key {
    use p521::pkcs8::DecodePrivateKey as _;
    let secret = p521::SecretKey::from_pkcs8_pem(pem).unwrap();
    P521Key(p521::ecdsa::SigningKey::from_bytes(&secret.to_bytes()).unwrap())
}

/// Completes a TLS handshake presenting `cert` signed with `key`, then checks
/// that the server talks HTTP/2 to us: it answers the connection preface with
/// a SETTINGS frame. (With TLS 1.3 a refused client only learns so after its
/// own handshake finished, hence the exchange.)
async fn p521_client_gets_h2(
    addr: SocketAddr,
    server: &ServerCertificate,
    cert: &str,
    key: P521Key,
    version: &'static rustls::SupportedProtocolVersion,
) -> Result<(), String> {
    let mut roots = rustls::RootCertStore::empty();
    roots.add(server.der().clone()).unwrap();
    let cert = CertificateDer::from_pem_slice(cert.as_bytes()).unwrap();
    let resolver = SingleCertAndKey::from(CertifiedKey::new(vec![cert], Arc::new(key)));
    let mut config = rustls::ClientConfig::builder_with_provider(tfplugin::tls::crypto_provider())
        .with_protocol_versions(&[version])
        .unwrap()
        .with_root_certificates(roots)
        .with_client_cert_resolver(Arc::new(resolver));
    config.alpn_protocols = vec![b"h2".to_vec()];

    let exchange = async {
        let tcp = tokio::net::TcpStream::connect(addr)
            .await
            .map_err(|e| e.to_string())?;
        let name = ServerName::try_from("localhost").unwrap();
        let mut tls = tokio_rustls::TlsConnector::from(Arc::new(config))
            .connect(name, tcp)
            .await
            .map_err(|e| format!("handshake: {e}"))?;
        assert_eq!(tls.get_ref().1.alpn_protocol(), Some(&b"h2"[..]));
        tls.write_all(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\0\0\0\x04\0\0\0\0\0")
            .await
            .map_err(|e| format!("write: {e}"))?;
        let mut header = [0u8; 9];
        tls.read_exact(&mut header)
            .await
            .map_err(|e| format!("read: {e}"))?;
        if header[3] == 0x04 {
            Ok(())
        } else {
            Err(format!("first frame is not SETTINGS: {header:?}"))
        }
    };
    tokio::time::timeout(TIMEOUT, exchange)
        .await
        .map_err(|_| "timed out".to_string())?
}

// ---------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------

/// A P-521 certificate shaped like the one go-plugin generates for Terraform
/// (self-signed, CA flag set, client and server auth), made with openssl.
const P521_CLIENT_CERT: &str = "\
-----BEGIN CERTIFICATE-----
MIICizCCAeygAwIBAgIUBoCPLQ/dUxmcTWwz6ASFbIcM2EIwCgYIKoZIzj0EAwQw
NDEeMBwGA1UECgwVVGVzdCBUZXJyYWZvcm0gQ2xpZW50MRIwEAYDVQQDDAlsb2Nh
bGhvc3QwIBcNMjYxMTIxMTk1NzAzWhgPMjEyNjEwMjgxOTU3MDNaMDQxHjAcBgNV
BAoMFVRlc3QgVGVycmFmb3JtIENsaWVudDESMBAGA1UEAwwJbG9jYWxob3N0MIGb
MBAGByqGSM49AgEGBSuBBAAjA4GGAAQAPO94eXlLO7ZZ31sOVmqnAsSxg5wAw216
o68QITki2z0oWQgllaNzO/GX0oa4ulX868ihK5u+ejSfiiYsswVV458B+nlbEtCu
fc3kXeu0ZPPlRzJiHl+hacBsa6x+nIVgMsWxmwwglxLnch4uvZMe8a9pvRRtN3Tg
4pTDwcEJg/MHjRajgZYwgZMwHQYDVR0OBBYEFEfkl7jqN25ZvJpsElV3X7p6GoOu
MB8GA1UdIwQYMBaAFEfkl7jqN25ZvJpsElV3X7p6GoOuMA8GA1UdEwEB/wQFMAMB
Af8wCwYDVR0PBAQDAgKsMB0GA1UdJQQWMBQGCCsGAQUFBwMCBggrBgEFBQcDATAU
BgNVHREEDTALgglsb2NhbGhvc3QwCgYIKoZIzj0EAwQDgYwAMIGIAkIA1OWjs04n
u5SaSt8zr0buEZCtfcWl/XX50/iheE37OMYjr+LHWfWiYuBVbaOFDpiuTrjyDTFv
vukWlv1qF51igPUCQgFJY0mobSzvVhAq/4nhFFzrxvLyGYdQI5Lzsb2BqqEhXYBU
q88VyrckWJlWJp8u1w0vPLVjLulWShYs1RQz7pDSrg==
-----END CERTIFICATE-----
";

const P521_CLIENT_KEY: &str = "\
-----BEGIN PRIVATE KEY-----
MIHuAgEAMBAGByqGSM49AgEGBSuBBAAjBIHWMIHTAgEBBEIB9QOiNqDOJNmjtet6
MF145gvKGYE1n7+jOSVWdgkJ6w6cOAqr6eoD2+KSrwa0qO8eUVvOe4KTkgmDnvSy
IdYVyfOhgYkDgYYABAA873h5eUs7tlnfWw5WaqcCxLGDnADDbXqjrxAhOSLbPShZ
CCWVo3M78ZfShri6VfzryKErm756NJ+KJiyzBVXjnwH6eVsS0K59zeRd67Rk8+VH
MmIeX6FpwGxrrH6chWAyxbGbDCCXEudyHi69kx7xr2m9FG03dODilMPBwQmD8weN
Fg==
-----END PRIVATE KEY-----
";

/// A different P-521 key: signing with it while presenting the certificate
/// above must fail.
const P521_IMPOSTOR_KEY: &str = "\
-----BEGIN PRIVATE KEY-----
MIHuAgEAMBAGByqGSM49AgEGBSuBBAAjBIHWMIHTAgEBBEIAWYVooiqeN5FTfdSF
a7d7BQ+hF8nvJ7quAdsYu8Pj+CsQnCZjx9VOfmBi9PRTyMjNg7oes+z/Lt8suMUd
ZEc3r6ShgYkDgYYABAEr+aAwwIQ24I3r2aI+lFjCBgPlG1Dcyzsn0boKHXfCk7eQ
OGRg0sVQ++7OictpZ+bje/kL4Hnh64IQexMY0JaLmAEYO0yVcZJ5znZaTdb8sM8/
Z2LOUr1XdDZtFW0tlpdSuChSfBXm0eDmS+pCvyh+oEstFCE7L+N5QbFaqr/h7vO0
PQ==
-----END PRIVATE KEY-----
";
