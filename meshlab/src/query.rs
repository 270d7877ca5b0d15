//! The EC2 Query API as the lab reads it: a form POST per Describe call, every
//! page of the XML answer, and the few XML lookups [`crate::from_ec2`] needs.
//! Other accounts are reached as the provider reaches them: STS AssumeRole of
//! a role ARN with the own keys gives keys of the role's account
//! ([`Ec2Api::assume_role`]); moto answers a request for the account its
//! access key id belongs to.
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

mod sts;
pub use sts::account_of_arn;

/// The API version every EC2 Query call names.
const API_VERSION: &str = "2016-11-15";
/// moto's dummy access key id: the caller's own (default) account.
const OWN_ACCESS_KEY: &str = "testing";

pub struct Ec2Api {
    endpoint: String,
    region: String,
    /// The access key id moto picks the account by.
    access_key: String,
    /// The session token of assumed-role keys (moto ignores it; sent as AWS wants).
    session_token: Option<String>,
    /// The role these keys come from, for messages; `None`: the own account.
    role_arn: Option<String>,
}

impl Ec2Api {
    /// The API at `endpoint` (moto's `http://127.0.0.1:PORT`) for `region`, in
    /// the own account (moto's default one).
    pub fn new(endpoint: &str, region: &str) -> Ec2Api {
        Ec2Api {
            endpoint: endpoint.to_string(),
            region: region.to_string(),
            access_key: OWN_ACCESS_KEY.to_string(),
            session_token: None,
            role_arn: None,
        }
    }

    /// The role these keys come from (`None`: the own account).
    pub fn role_arn(&self) -> Option<&str> {
        self.role_arn.as_deref()
    }

    /// One EC2 call with `params` (Query API names: `Filter.1.Name`, ...): the
    /// XML answer, or the error EC2 gave. Tests create objects with it.
    pub fn call(&self, action: &str, params: &[(&str, &str)]) -> Result<String, String> {
        self.request("ec2", API_VERSION, action, params)
    }

    /// "EC2 at URL" or "STS at URL in the account of role ARN", for messages.
    fn what(&self, service: &str) -> String {
        let service = service.to_uppercase();
        match &self.role_arn {
            Some(role) => format!(
                "{service} at {} in the account of role {role}",
                self.endpoint
            ),
            None => format!("{service} at {}", self.endpoint),
        }
    }

    /// The body of every page of `action` (followed through `nextToken`).
    pub fn describe_all(&self, action: &str) -> Result<Vec<String>, String> {
        let mut pages = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let page = self.page(action, token.as_deref())?;
            token = Document::parse(&page)
                .ok()
                .and_then(|doc| text(doc.root_element(), "nextToken").map(str::to_string));
            pages.push(page);
            if token.is_none() {
                return Ok(pages);
            }
        }
    }

    fn page(&self, action: &str, token: Option<&str>) -> Result<String, String> {
        let params: Vec<(&str, &str)> = token.map(|t| ("NextToken", t)).into_iter().collect();
        self.call(action, &params)
    }

    fn request(
        &self,
        service: &str,
        version: &str,
        action: &str,
        params: &[(&str, &str)],
    ) -> Result<String, String> {
        let mut form = form_urlencoded::Serializer::new(String::new());
        form.append_pair("Action", action)
            .append_pair("Version", version);
        for (name, value) in params {
            form.append_pair(name, value);
        }
        // moto finds the service and the region in the credential scope of a SigV4
        // Authorization header, and the account by its access key id; it does not
        // check the signature: the scope and the key are all the lab sends. Real AWS
        // would refuse it.
        let authorization = format!(
            "AWS4-HMAC-SHA256 Credential={}/20000101/{}/{service}/aws4_request, \
             SignedHeaders=host, Signature=0",
            self.access_key, self.region
        );
        // The lab itself only reads; tests also create and delete through it.
        let verb = if action.starts_with("Describe") || action.starts_with("Get") {
            "reading"
        } else {
            "calling"
        };
        let (status, body) = self
            .post(form.finish(), authorization)
            .map_err(|e| format!("{verb} {} ({action}): {e}", self.what(service)))?;
        if (200..300).contains(&status) {
            return Ok(body);
        }
        Err(format!(
            "{verb} {} ({action}): {}",
            self.what(service),
            error_of(status, &body)
        ))
    }

    /// One form POST: its status and body (EC2's error answers carry the code and
    /// message to report). The callers are synchronous (the CLI, tests), some on a
    /// thread that already runs an async runtime, so the request runs on a thread and a
    /// runtime of its own.
    fn post(&self, form: String, authorization: String) -> Result<(u16, String), String> {
        let mut request = Request::post(self.endpoint.as_str())
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(AUTHORIZATION, authorization);
        if let Some(token) = &self.session_token {
            request = request.header("x-amz-security-token", token);
        }
        let request = request
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

/// The text of the first element named `tag` anywhere in the XML answer
/// `xml` (an id in a Create call's answer, say), if any.
pub fn find_text(xml: &str, tag: &str) -> Option<String> {
    let doc = Document::parse(xml).ok()?;
    let node = doc.descendants().find(|n| n.has_tag_name(tag))?;
    node.text().map(str::to_string)
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
