//! Self-tests of the EC2 fault proxy (src/faultproxy/): moto behind the
//! proxy, aws-sdk-ec2 with its retries off in front. For each fault kind, a
//! request pattern that must hit it, the exact error the client sees, and
//! the count; lost responses take effect; seeds reproduce decisions; with
//! every kind off the proxy is a plain pass-through. Windows are fixed and
//! long (60 s) or zero, probabilities 1.0 or 0.5 with a fixed seed: nothing
//! depends on timing except latency's lower bound.

mod fault_proxy_support;
mod fault_proxy_windows;

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use acceptance_tests::faultproxy::{Bucket, Throttle, Window};
use acceptance_tests::{FaultKind, Faults};
use fault_proxy_support::{setup, Failure};

#[test]
fn without_faults_the_proxy_passes_everything_through() {
    let Some(s) = setup("fault_proxy::pass_through", Faults::none(1)) else {
        return;
    };
    let vpc = s.through.create_vpc("10.1.0.0/16", "plain").unwrap();
    assert_eq!(s.direct.vpcs_tagged("plain").unwrap(), vec![vpc.clone()]);
    assert_eq!(s.through.vpcs_tagged("plain").unwrap(), vec![vpc.clone()]);
    assert_eq!(s.through.describe_vpc(&vpc).unwrap(), vec![vpc.clone()]);
    s.through.delete_vpc(&vpc).unwrap();
    assert_eq!(s.direct.vpcs_tagged("plain").unwrap(), Vec::<String>::new());
    let counts = s.proxy.counts();
    assert_eq!(counts.total_injected(), 0, "{}", counts.summary());
    assert_eq!(counts.received("DescribeVpcs"), 2);
    assert_eq!(counts.total_received(), 4);
    assert_eq!(counts.total_forwarded(), 4);
}

#[test]
fn throttle_answers_request_limit_exceeded_per_action() {
    let faults = Faults::none(1).with_throttle(Throttle::uniform(Bucket::new(2, 0.0)));
    let Some(s) = setup("fault_proxy::throttle", faults) else {
        return;
    };
    s.through.vpcs_tagged("x").unwrap();
    s.through.vpcs_tagged("x").unwrap();
    let third = s.through.vpcs_tagged("x").unwrap_err();
    assert_eq!(third, Failure::ec2("RequestLimitExceeded", 503));
    // Another action has its own bucket.
    let subnets = s.through.client.describe_subnets().send();
    s.through.block_on(subnets).unwrap();
    let counts = s.proxy.counts();
    assert_eq!(counts.injected(FaultKind::Throttle), 1);
    assert_eq!(counts.received("DescribeVpcs"), 3);
    assert_eq!(counts.forwarded("DescribeVpcs"), 2);
    assert_eq!(counts.action("DescribeVpcs").faulted, 1);
    assert_eq!(counts.forwarded("DescribeSubnets"), 1);
}

#[test]
fn internal_error_and_unavailable_are_answered_without_forwarding() {
    let Some(s) = setup("fault_proxy::5xx", Faults::none(1).with_internal_error(1.0)) else {
        return;
    };
    let error = s
        .through
        .create_vpc("10.2.0.0/16", "five-hundred")
        .unwrap_err();
    assert_eq!(error, Failure::ec2("InternalError", 500));
    s.proxy.set_faults(Faults::none(1).with_unavailable(1.0));
    let error = s
        .through
        .create_vpc("10.2.0.0/16", "five-hundred")
        .unwrap_err();
    assert_eq!(error, Failure::ec2("Unavailable", 503));
    assert_eq!(
        s.direct.vpcs_tagged("five-hundred").unwrap(),
        Vec::<String>::new()
    );
    let counts = s.proxy.counts();
    assert_eq!(counts.injected(FaultKind::InternalError), 1);
    assert_eq!(counts.injected(FaultKind::Unavailable), 1);
    assert_eq!(counts.forwarded("CreateVpc"), 0);
}

#[test]
fn a_lost_response_leaves_the_call_done() {
    let Some(s) = setup("fault_proxy::lost", Faults::none(1).with_lost_response(1.0)) else {
        return;
    };
    let error = s.through.create_vpc("10.3.0.0/16", "lost").unwrap_err();
    assert_eq!(error, Failure::NoAnswer);
    s.proxy.set_faults(Faults::none(1));
    assert_eq!(s.through.vpcs_tagged("lost").unwrap().len(), 1);
    let counts = s.proxy.counts();
    assert_eq!(counts.injected(FaultKind::LostResponse), 1);
    assert_eq!(counts.forwarded("CreateVpc"), 1);
    assert_eq!(counts.action("CreateVpc").faulted, 1);
}

#[test]
fn latency_delays_each_request() {
    let delay = Duration::from_millis(300);
    let faults = Faults::none(1).with_latency(Window::fixed(delay));
    let Some(s) = setup("fault_proxy::latency", faults) else {
        return;
    };
    let started = Instant::now();
    s.through.vpcs_tagged("slow").unwrap();
    s.through.vpcs_tagged("slow").unwrap();
    assert!(
        started.elapsed() >= delay * 2,
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(s.proxy.counts().injected(FaultKind::Latency), 2);
}

/// Success (true) or InternalError (false) for 40 DescribeVpcs at 50 %.
fn coin_flips(s: &fault_proxy_support::Setup, seed: u64) -> Vec<bool> {
    s.proxy
        .set_faults(Faults::none(seed).with_internal_error(0.5));
    (0..40)
        .map(|_| match s.through.vpcs_tagged("coin") {
            Ok(_) => true,
            Err(e) if e == Failure::ec2("InternalError", 500) => false,
            Err(e) => panic!("unexpected failure {e:?}"),
        })
        .collect()
}

#[test]
fn a_seed_reproduces_its_decisions() {
    let Some(first) = setup("fault_proxy::seed", Faults::none(0)) else {
        return;
    };
    let Some(second) = setup("fault_proxy::seed", Faults::none(0)) else {
        return;
    };
    let seven = coin_flips(&first, 7);
    assert!(seven.contains(&true) && seven.contains(&false), "{seven:?}");
    assert_eq!(coin_flips(&second, 7), seven);
    // A fresh proxy starts its sequence at zero; a different seed differs.
    let Some(third) = setup("fault_proxy::seed", Faults::none(0)) else {
        return;
    };
    assert_ne!(coin_flips(&third, 8), seven);
}

/// A raw form POST (as STS clients send) through the proxy; the HTTP status.
fn post(endpoint: &str, body: &str) -> u16 {
    let address = endpoint.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    let request = format!(
        "POST / HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/x-www-form-urlencoded\r\n\
         Authorization: AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/sts/aws4_request, \
         SignedHeaders=host, Signature=0\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

#[test]
fn sts_calls_are_never_faulted() {
    let everything = Faults::bad_day(1)
        .with_internal_error(1.0)
        .with_throttle(Throttle::uniform(Bucket::new(0, 0.0)));
    let Some(s) = setup("fault_proxy::sts", everything) else {
        return;
    };
    let body = "Action=GetCallerIdentity&Version=2011-06-15";
    for _ in 0..3 {
        assert_eq!(post(&s.proxy.endpoint(), body), 200);
    }
    let counts = s.proxy.counts();
    assert_eq!(counts.forwarded("GetCallerIdentity"), 3);
    assert_eq!(counts.total_injected(), 0);
}

#[test]
fn aws_buckets_follow_the_published_sizes() {
    let aws = Throttle::aws_buckets();
    assert_eq!(aws.bucket_for("DescribeVpcs"), Bucket::new(100, 20.0));
    assert_eq!(aws.bucket_for("CreateVpc"), Bucket::new(50, 5.0));
    assert_eq!(
        aws.bucket_for("AcceptVpcPeeringConnection"),
        Bucket::new(50, 5.0)
    );
    assert_eq!(
        aws.bucket_for("AuthorizeSecurityGroupIngress"),
        Bucket::new(50, 5.0)
    );
    assert_eq!(aws.bucket_for("CreateTags"), Bucket::new(100, 10.0));
    let only = Faults::bad_day(3).only(&[FaultKind::Latency, FaultKind::Throttle]);
    assert!(FaultKind::ALL
        .iter()
        .all(|k| only.is_on(*k) == matches!(k, FaultKind::Latency | FaultKind::Throttle)));
    assert_eq!(
        "dependency-violation".parse(),
        Ok(FaultKind::DependencyViolation)
    );
}
