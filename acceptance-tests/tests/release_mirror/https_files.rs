//! A static file server over HTTPS on loopback, standing in for a provider
//! network mirror: Terraform accepts a `network_mirror` only at an `https://`
//! URL. Its certificate is self-signed for 127.0.0.1; Terraform (Go) trusts it
//! through `SSL_CERT_FILE`, pointed at [`HttpsFiles::cert_file`].

use std::net::TcpListener as StdListener;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::header::{HeaderValue, CONTENT_TYPE};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use rustls_pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::sync::oneshot;
use tokio_rustls::TlsAcceptor;

/// Serves the files under a folder until dropped, and remembers every path asked for.
pub struct HttpsFiles {
    /// `https://127.0.0.1:PORT/`
    pub base_url: String,
    requests: Arc<Mutex<Vec<String>>>,
    cert: tempfile::NamedTempFile,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl HttpsFiles {
    pub fn serve(root: &Path) -> HttpsFiles {
        let key = rcgen::KeyPair::generate().expect("generating a key");
        let params = rcgen::CertificateParams::new(vec!["127.0.0.1".to_string()])
            .expect("certificate parameters");
        let cert = params.self_signed(&key).expect("self-signing");
        let cert_file = tempfile::NamedTempFile::new().expect("temporary file");
        std::fs::write(cert_file.path(), cert.pem()).expect("writing the certificate");
        let tls = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .expect("protocol versions")
        .with_no_client_auth()
        .with_single_cert(
            vec![cert.der().clone()],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
        )
        .expect("server certificate");

        let listener = StdListener::bind("127.0.0.1:0").expect("binding a loopback port");
        listener
            .set_nonblocking(true)
            .expect("non-blocking listener");
        let base_url = format!("https://{}/", listener.local_addr().expect("address"));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let (stop, stopped) = oneshot::channel();
        let thread = std::thread::spawn({
            let (root, requests) = (root.to_path_buf(), requests.clone());
            move || {
                tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("tokio runtime")
                    .block_on(accept_until(
                        listener,
                        TlsAcceptor::from(Arc::new(tls)),
                        root,
                        requests,
                        stopped,
                    ))
            }
        });
        HttpsFiles {
            base_url,
            requests,
            cert: cert_file,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    /// The server's certificate (PEM), to trust with `SSL_CERT_FILE`.
    pub fn cert_file(&self) -> &Path {
        self.cert.path()
    }

    /// The paths asked for so far, in order.
    pub fn requested(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }
}

impl Drop for HttpsFiles {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Serves until `stop` fires (or its sender is dropped); open connections end
/// with the runtime.
async fn accept_until(
    listener: StdListener,
    tls: TlsAcceptor,
    root: PathBuf,
    requests: Arc<Mutex<Vec<String>>>,
    stop: oneshot::Receiver<()>,
) {
    let listener = tokio::net::TcpListener::from_std(listener).expect("tokio listener");
    let accept = async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let (tls, root, requests) = (tls.clone(), root.clone(), requests.clone());
            tokio::spawn(async move {
                // A client that gives up on the handshake is no concern of the test.
                let Ok(stream) = tls.accept(stream).await else {
                    return;
                };
                let service = service_fn(move |request| {
                    let (root, requests) = (root.clone(), requests.clone());
                    async move {
                        Ok::<_, std::convert::Infallible>(answer(request, &root, &requests).await)
                    }
                });
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    };
    tokio::select! {
        _ = stop => {}
        _ = accept => {}
    }
}

async fn answer(
    request: Request<Incoming>,
    root: &Path,
    requests: &Mutex<Vec<String>>,
) -> Response<Full<Bytes>> {
    let path = request.uri().path().to_string();
    requests.lock().unwrap().push(path.clone());
    let relative = Path::new(path.trim_start_matches('/'));
    let inside = relative
        .components()
        .all(|c| matches!(c, Component::Normal(_)));
    let contents = match (request.method(), inside) {
        (&Method::GET, true) => tokio::fs::read(root.join(relative)).await.ok(),
        _ => None,
    };
    let Some(contents) = contents else {
        let mut response = Response::new(Full::new(Bytes::from_static(b"not found\n")));
        *response.status_mut() = StatusCode::NOT_FOUND;
        return response;
    };
    // The mirror protocol requires application/json for its JSON documents.
    let content_type = match relative.extension().and_then(|e| e.to_str()) {
        Some("json") => "application/json",
        Some("zip") => "application/zip",
        _ => "application/octet-stream",
    };
    let mut response = Response::new(Full::new(Bytes::from(contents)));
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}
