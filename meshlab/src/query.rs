//! The EC2 Query API as the lab reads it: a form POST per Describe call, every
//! page of the XML answer, and the few XML lookups [`crate::from_ec2`] needs.
//!
//! Plain HTTP with moto's dummy keys: the lab mirrors an emulator on loopback,
//! so the AWS SDK for seven read-only calls is not worth its build. The HTTP
//! client is hyper's, the one HTTP stack of the whole build.

use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::header::{AUTHORIZATION, CONTENT_TYPE};
use hyper::Request;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use roxmltree::{Document, Node};

/// How long one call may take before the lab gives up on EC2.
const CALL_TIMEOUT: Duration = Duration::from_secs(60);

/// The API version every EC2 Query call names.
const API_VERSION: &str = "2016-11-15";

pub struct Ec2Api {
    endpoint: String,
    region: String,
}

impl Ec2Api {
    /// The API at `endpoint` (moto's `http://127.0.0.1:PORT`) for `region`.
    pub fn new(endpoint: &str, region: &str) -> Ec2Api {
        Ec2Api {
            endpoint: endpoint.to_string(),
            region: region.to_string(),
        }
    }

    /// The body of every page of `action` (followed through `nextToken`).
    pub fn describe_all(&self, action: &str) -> Result<Vec<String>, String> {
        let mut pages = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let page = self.call(action, token.as_deref())?;
            token = Document::parse(&page)
                .ok()
                .and_then(|doc| text(doc.root_element(), "nextToken").map(str::to_string));
            pages.push(page);
            if token.is_none() {
                return Ok(pages);
            }
        }
    }

    fn call(&self, action: &str, token: Option<&str>) -> Result<String, String> {
        let mut form = form_urlencoded::Serializer::new(String::new());
        form.append_pair("Action", action)
            .append_pair("Version", API_VERSION);
        if let Some(token) = token {
            form.append_pair("NextToken", token);
        }
        // moto finds the service and the region in the credential scope of a SigV4
        // Authorization header and does not check the signature (the keys are its
        // dummy ones): the scope is all the lab sends. Real EC2 would refuse it.
        let authorization = format!(
            "AWS4-HMAC-SHA256 Credential=testing/20000101/{}/ec2/aws4_request, \
             SignedHeaders=host, Signature=0",
            self.region
        );
        let (status, body) = self
            .post(form.finish(), authorization)
            .map_err(|e| format!("reading EC2 at {} ({action}): {e}", self.endpoint))?;
        if (200..300).contains(&status) {
            return Ok(body);
        }
        Err(format!(
            "reading EC2 at {} ({action}): {}",
            self.endpoint,
            error_of(status, &body)
        ))
    }

    /// One form POST: its status and body (EC2's error answers carry the code and
    /// message to report). The callers are synchronous (the CLI, tests), some on a
    /// thread that already runs an async runtime, so the request runs on a thread and a
    /// runtime of its own.
    fn post(&self, form: String, authorization: String) -> Result<(u16, String), String> {
        let request = Request::post(self.endpoint.as_str())
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(AUTHORIZATION, authorization)
            .body(Full::new(Bytes::from(form)))
            .map_err(|e| e.to_string())?;
        let exchange = async move {
            let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
            let response = client.request(request).await.map_err(|e| e.to_string())?;
            let status = response.status().as_u16();
            let body = response
                .into_body()
                .collect()
                .await
                .map_err(|e| e.to_string())?
                .to_bytes();
            Ok((status, String::from_utf8_lossy(&body).into_owned()))
        };
        std::thread::scope(|scope| {
            scope
                .spawn(|| {
                    let runtime = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .map_err(|e| format!("starting an HTTP runtime: {e}"))?;
                    runtime.block_on(async {
                        tokio::time::timeout(CALL_TIMEOUT, exchange)
                            .await
                            .unwrap_or_else(|_| {
                                Err(format!("no answer in {} s", CALL_TIMEOUT.as_secs()))
                            })
                    })
                })
                .join()
                .unwrap_or_else(|_| Err("the HTTP thread panicked".to_string()))
        })
    }
}

/// "HTTP 400: InvalidParameterValue: ..." from an EC2 error answer.
pub(crate) fn error_of(status: u16, body: &str) -> String {
    let detail = Document::parse(body).ok().and_then(|doc| {
        let error = doc.descendants().find(|n| n.has_tag_name("Error"))?;
        Some(format!(
            "{}: {}",
            text(error, "Code").unwrap_or("no code"),
            text(error, "Message").unwrap_or("no message")
        ))
    });
    match detail {
        Some(detail) => format!("HTTP {status}: {detail}"),
        None => format!("HTTP {status}"),
    }
}

/// Calls `each` for every `<item>` of the set `set` in every page of `action`.
pub fn each_item(
    pages: &[String],
    action: &str,
    set: &str,
    mut each: impl FnMut(Node),
) -> Result<(), String> {
    for page in pages {
        let doc = Document::parse(page)
            .map_err(|e| format!("reading EC2 ({action}): the answer is not XML: {e}"))?;
        items(doc.root_element(), set).for_each(&mut each);
    }
    Ok(())
}

/// The first child element of `node` named `name`.
pub fn child<'a, 'input>(node: Node<'a, 'input>, name: &str) -> Option<Node<'a, 'input>> {
    node.children().find(|c| c.has_tag_name(name))
}

/// The text of the child element `name`, if it has any.
pub fn text<'a>(node: Node<'a, '_>, name: &str) -> Option<&'a str> {
    child(node, name)?.text().filter(|t| !t.is_empty())
}

/// The `<item>`s of the child element `set` (EC2's lists).
pub fn items<'a, 'input>(
    node: Node<'a, 'input>,
    set: &str,
) -> impl Iterator<Item = Node<'a, 'input>> {
    child(node, set)
        .into_iter()
        .flat_map(|s| s.children().filter(|c| c.has_tag_name("item")))
}
