//! `AwsEc2` against a scripted loopback HTTP server: proves that our retry policy is the
//! only one (the SDK does not retry on its own) and that throttling is retried.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use super::AwsEc2;
use crate::ec2::access::{AssumeRole, AwsSettings};
use crate::ec2::Action;
use crate::ec2::{Ec2, Ec2Error};

const THROTTLED: &str = "<Response><Errors><Error><Code>RequestLimitExceeded</Code>\
    <Message>Request limit exceeded.</Message></Error></Errors><RequestID>r1</RequestID></Response>";
const NO_PEERINGS: &str =
    "<DescribeVpcPeeringConnectionsResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">\
    <requestId>r2</requestId><vpcPeeringConnectionSet/></DescribeVpcPeeringConnectionsResponse>";

/// Answers the first `throttled` requests with 503 RequestLimitExceeded, then with an
/// empty DescribeVpcPeeringConnections result. Returns its endpoint and request count.
async fn scripted_server(throttled: usize) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(AtomicUsize::new(0));
    let count = seen.clone();
    tokio::spawn(async move {
        while let Ok((mut conn, _)) = listener.accept().await {
            let n = count.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(async move {
                read_request(&mut conn).await;
                let (status, body) = if n < throttled {
                    ("503 Service Unavailable", THROTTLED)
                } else {
                    ("200 OK", NO_PEERINGS)
                };
                let response = format!(
                    "HTTP/1.1 {status}\r\nContent-Type: text/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = conn.write_all(response.as_bytes()).await;
                let _ = conn.shutdown().await;
            });
        }
    });
    (endpoint, seen)
}

/// Reads one request: headers, then `Content-Length` bytes of body.
async fn read_request(conn: &mut tokio::net::TcpStream) {
    let mut data = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let Ok(n) = conn.read(&mut buf).await else {
            return;
        };
        if n == 0 {
            return;
        }
        data.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&data);
        if let Some(end) = text.find("\r\n\r\n") {
            let length = text[..end]
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length:")
                        .map(|v| v.trim().to_string())
                })
                .and_then(|v| v.parse::<usize>().ok())
                .unwrap_or(0);
            if data.len() >= end + 4 + length {
                return;
            }
        }
    }
}

fn client(endpoint: String, max_retries: i64) -> AwsEc2 {
    AwsEc2::new(&config(endpoint.clone(), endpoint, max_retries))
}

fn config(ec2_endpoint: String, sts_endpoint: String, max_retries: i64) -> AwsSettings {
    AwsSettings {
        region: Some("us-east-1".into()),
        profile: None,
        access_key: Some("testing".into()),
        secret_key: Some("testing".into()),
        ec2_endpoint: Some(ec2_endpoint),
        sts_endpoint: Some(sts_endpoint),
        assume_role: None,
        max_retries,
        max_concurrency: 8,
        accounts: Default::default(),
    }
}

#[tokio::test]
async fn throttled_requests_are_retried_by_our_policy_only() {
    let (endpoint, seen) = scripted_server(2).await;
    let ec2 = client(endpoint, 3);
    let out = ec2.describe_peering("us-east-1", "pcx-0123").await;
    assert!(matches!(out, Err(Ec2Error::NotFound { .. })), "{out:?}");
    assert_eq!(seen.load(Ordering::SeqCst), 3);
    assert_eq!(ec2.counter().get(Action::DescribeVpcPeeringConnections), 3);
}

#[tokio::test]
async fn retries_stop_at_max_retries() {
    let (endpoint, seen) = scripted_server(usize::MAX).await;
    let ec2 = client(endpoint, 2);
    let out = ec2.describe_peering("us-east-1", "pcx-0123").await;
    assert!(
        matches!(&out, Err(Ec2Error::Exhausted { attempts: 3, last }) if last.code() == Some("RequestLimitExceeded")),
        "{out:?}"
    );
    // Three requests in all: the SDK added no retries of its own.
    assert_eq!(seen.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn sts_calls_go_to_the_sts_endpoint_never_to_the_ec2_one() {
    let (ec2_endpoint, ec2_seen) = scripted_server(0).await;
    let (sts_endpoint, sts_seen) = scripted_server(0).await;
    let ec2 = AwsEc2::new(&config(ec2_endpoint, sts_endpoint, 0));
    // The scripted answer is no GetCallerIdentity result: only where it went matters.
    let _ = ec2.account_id().await;
    assert_eq!(sts_seen.load(Ordering::SeqCst), 1);
    assert_eq!(ec2_seen.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn assume_role_goes_to_the_sts_endpoint_never_to_the_ec2_one() {
    let (ec2_endpoint, ec2_seen) = scripted_server(0).await;
    let (sts_endpoint, sts_seen) = scripted_server(0).await;
    let mut config = config(ec2_endpoint, sts_endpoint, 0);
    config.assume_role = Some(AssumeRole {
        role_arn: "arn:aws:iam::123456789012:role/x".into(),
        session_name: None,
        external_id: Some("canary-external-id".into()),
    });
    let ec2 = AwsEc2::new(&config);
    // AssumeRole gets no credentials from the scripted answer, so the EC2 call is never
    // signed and sent; what matters is that AssumeRole went to the STS endpoint.
    let _ = ec2.describe_peering("us-east-1", "pcx-0123").await;
    assert!(sts_seen.load(Ordering::SeqCst) >= 1);
    assert_eq!(ec2_seen.load(Ordering::SeqCst), 0);
}
