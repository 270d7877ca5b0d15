//! The network side: an HTTP/1 server on loopback whose every request goes
//! through the [`Engine`], forwarded to moto on a fresh connection.

use std::fmt;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::header::{HeaderValue, CONTENT_LENGTH, CONTENT_TYPE, TRANSFER_ENCODING};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;

use super::engine::{Decision, Draws, Engine};
use super::query::{sts_error_body, Ec2Error, Params};

pub type Shared = Arc<Mutex<Engine>>;

/// Returned to hyper to close the connection without an answer.
#[derive(Debug)]
struct ConnectionDropped;

impl fmt::Display for ConnectionDropped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("response dropped on purpose (lost-response fault)")
    }
}

impl std::error::Error for ConnectionDropped {}

/// Serves until `stop` fires; open connections end with the runtime.
pub async fn serve(
    listener: TcpListener,
    upstream: SocketAddr,
    engine: Shared,
    mut stop: oneshot::Receiver<()>,
) {
    loop {
        let stream = tokio::select! {
            _ = &mut stop => return,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(_) => continue,
            },
        };
        let engine = engine.clone();
        tokio::spawn(async move {
            let service = service_fn(move |request| handle(request, upstream, engine.clone()));
            // A connection ends in an error when a response is dropped on
            // purpose or the client goes away: nothing to report.
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

type Answer = Response<Full<Bytes>>;

async fn handle(
    request: Request<Incoming>,
    upstream: SocketAddr,
    engine: Shared,
) -> Result<Answer, ConnectionDropped> {
    let (parts, body) = request.into_parts();
    let Ok(body) = body.collect().await.map(|b| b.to_bytes()) else {
        return Err(ConnectionDropped);
    };
    let params = Params::parse(parts.uri.query(), &body);
    if !params.is_ec2() {
        if let Some(role) = engine.lock().unwrap().refused_role(&params) {
            return Ok(sts_access_denied(&role));
        }
        engine.lock().unwrap().pass_through(params.action());
        return Ok(forward(&parts, body, upstream)
            .await
            .unwrap_or_else(bad_gateway));
    }
    let plan = engine.lock().unwrap().before(&params, Instant::now());
    if !plan.delay.is_zero() {
        tokio::time::sleep(plan.delay).await;
    }
    let lost = match plan.decision {
        Decision::Answer(error) => return Ok(ec2_error(&error, &plan.request_id)),
        Decision::Forward { lost } => lost,
    };
    let answer = match forward(&parts, body, upstream).await {
        Ok(answer) => answer,
        Err(message) => return Ok(bad_gateway(message)),
    };
    let answer = if answer.status().is_success() {
        edit(answer, &params, &plan.draws, &engine).await
    } else {
        answer
    };
    if lost {
        Err(ConnectionDropped)
    } else {
        Ok(answer)
    }
}

/// moto's answer with the engine's edits; the length is set again from the body.
async fn edit(answer: Answer, params: &Params, draws: &Draws, engine: &Shared) -> Answer {
    let (mut parts, body) = answer.into_parts();
    let bytes = body
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let Ok(text) = std::str::from_utf8(&bytes) else {
        return Response::from_parts(parts, Full::new(bytes));
    };
    let edited = engine
        .lock()
        .unwrap()
        .after(params, draws, text, Instant::now());
    parts.headers.remove(CONTENT_LENGTH);
    Response::from_parts(parts, Full::new(Bytes::from(edited)))
}

/// Sends the request to moto on a new connection and reads the whole answer.
async fn forward(
    parts: &hyper::http::request::Parts,
    body: Bytes,
    upstream: SocketAddr,
) -> Result<Answer, String> {
    let stream = TcpStream::connect(upstream)
        .await
        .map_err(|e| format!("connecting to {upstream}: {e}"))?;
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| format!("HTTP handshake with {upstream}: {e}"))?;
    tokio::spawn(connection);
    let mut request = Request::builder()
        .method(parts.method.clone())
        .uri(parts.uri.path_and_query().map_or("/", |p| p.as_str()))
        .body(Full::new(body))
        .map_err(|e| format!("building the request to {upstream}: {e}"))?;
    *request.headers_mut() = parts.headers.clone();
    let response = sender
        .send_request(request)
        .await
        .map_err(|e| format!("request to {upstream}: {e}"))?;
    let (mut head, body) = response.into_parts();
    let bytes = body
        .collect()
        .await
        .map_err(|e| format!("reading the answer of {upstream}: {e}"))?
        .to_bytes();
    head.headers.remove(TRANSFER_ENCODING);
    head.headers.remove(CONTENT_LENGTH);
    Ok(Response::from_parts(head, Full::new(bytes)))
}

fn ec2_error(error: &Ec2Error, request_id: &str) -> Answer {
    let mut answer = Response::new(Full::new(error.body(request_id)));
    *answer.status_mut() = StatusCode::from_u16(error.status).unwrap_or(StatusCode::BAD_REQUEST);
    answer.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/xml;charset=UTF-8"),
    );
    answer
}

/// STS's answer to an AssumeRole the role's trust policy does not allow.
fn sts_access_denied(role: &str) -> Answer {
    let mut answer = Response::new(Full::new(sts_error_body(
        "AccessDenied",
        &format!("User: arn:aws:iam::123456789012:user/moto is not authorized to perform: sts:AssumeRole on resource: {role}"),
    )));
    *answer.status_mut() = StatusCode::FORBIDDEN;
    answer.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/xml;charset=UTF-8"),
    );
    answer
}

fn bad_gateway(message: String) -> Answer {
    let mut answer = Response::new(Full::new(Bytes::from(format!("fault proxy: {message}\n"))));
    *answer.status_mut() = StatusCode::BAD_GATEWAY;
    answer
}
