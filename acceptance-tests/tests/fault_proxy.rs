//! Self-tests of the EC2 fault proxy (src/faultproxy/): moto behind the
//! proxy, aws-sdk-ec2 with its retries off in front. For each fault kind, a
//! request pattern that must hit it, the exact error the client sees, and
//! the count; lost responses take effect; seeds reproduce decisions; with
//! every kind off the proxy is a plain pass-through. Windows are fixed and
//! long (60 s) or zero, probabilities 1.0 or 0.5 with a fixed seed: nothing
//! depends on timing except latency's lower bound.

mod fault_proxy_support;

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use acceptance_tests::faultproxy::{Bucket, PeeringStates, Throttle, Window};
use acceptance_tests::{FaultKind, Faults};
use fault_proxy_support::{setup, Failure};

const LONG: Duration = Duration::from_secs(60);

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
fn a_fresh_vpc_is_not_found_by_id_nor_by_tag_until_its_window_ends() {
    let faults = Faults::none(1).with_fresh_id_not_found(Window::fixed(LONG));
    let Some(s) = setup("fault_proxy::fresh_vpc", faults) else {
        return;
    };
    let vpc = s.through.create_vpc("10.4.0.0/16", "fresh").unwrap();
    let not_found = Failure::ec2("InvalidVpcID.NotFound", 400);
    assert_eq!(s.through.describe_vpc(&vpc).unwrap_err(), not_found);
    let subnet = s
        .through
        .client
        .create_subnet()
        .vpc_id(&vpc)
        .cidr_block("10.4.1.0/24");
    assert_eq!(s.through.outcome(subnet.send()).unwrap_err(), not_found);
    // Tag filters lag: the VPC is left out, not an error.
    assert_eq!(
        s.through.vpcs_tagged("fresh").unwrap(),
        Vec::<String>::new()
    );
    assert_eq!(s.direct.vpcs_tagged("fresh").unwrap(), vec![vpc.clone()]);
    let counts = s.proxy.counts();
    assert_eq!(counts.hidden_items, 1);
    assert_eq!(counts.injected(FaultKind::FreshIdNotFound), 3);
    assert_eq!(counts.forwarded("CreateSubnet"), 0);
    s.proxy.set_faults(Faults::none(1));
    assert_eq!(s.through.vpcs_tagged("fresh").unwrap(), vec![vpc.clone()]);
    assert_eq!(s.through.describe_vpc(&vpc).unwrap(), vec![vpc]);
}

#[test]
fn each_kind_of_fresh_id_answers_its_own_not_found_code() {
    let faults = Faults::none(1).with_fresh_id_not_found(Window::fixed(LONG));
    let Some(s) = setup("fault_proxy::fresh_kinds", faults) else {
        return;
    };
    // Made directly: not fresh.
    let vpc = s.direct.create_vpc("10.5.0.0/16", "old").unwrap();
    let peer = s.direct.create_vpc("10.6.0.0/16", "old").unwrap();
    let old_subnet = s
        .direct
        .client
        .create_subnet()
        .vpc_id(&vpc)
        .cidr_block("10.5.9.0/24");
    let old_subnet = s.direct.block_on(old_subnet.send()).unwrap();
    let old_subnet = old_subnet
        .subnet()
        .unwrap()
        .subnet_id()
        .unwrap()
        .to_string();
    let old_table = s
        .direct
        .block_on(s.direct.client.create_route_table().vpc_id(&vpc).send());
    let old_table = old_table
        .unwrap()
        .route_table()
        .unwrap()
        .route_table_id()
        .unwrap()
        .to_string();

    let c = &s.through.client;
    let subnet = s.through.block_on(
        c.create_subnet()
            .vpc_id(&vpc)
            .cidr_block("10.5.1.0/24")
            .send(),
    );
    let subnet = subnet
        .unwrap()
        .subnet()
        .unwrap()
        .subnet_id()
        .unwrap()
        .to_string();
    let table = s
        .through
        .block_on(c.create_route_table().vpc_id(&vpc).send());
    let table = table
        .unwrap()
        .route_table()
        .unwrap()
        .route_table_id()
        .unwrap()
        .to_string();
    let group = c
        .create_security_group()
        .vpc_id(&vpc)
        .group_name("g")
        .description("g");
    let group = s
        .through
        .block_on(group.send())
        .unwrap()
        .group_id()
        .unwrap()
        .to_string();
    let gateway = s
        .through
        .block_on(c.create_internet_gateway().send())
        .unwrap();
    let gateway = gateway
        .internet_gateway()
        .unwrap()
        .internet_gateway_id()
        .unwrap()
        .to_string();
    let (peering, _) = s.through.create_peering(&vpc, &peer).unwrap();
    let association = c
        .associate_route_table()
        .route_table_id(&old_table)
        .subnet_id(&old_subnet);
    let association = s.through.block_on(association.send()).unwrap();
    let association = association.association_id().unwrap().to_string();

    let code = |result: Result<(), Failure>| match result.unwrap_err() {
        Failure::Ec2 { code, status: 400 } => code,
        other => panic!("expected an EC2 error with HTTP 400, got {other:?}"),
    };
    assert_eq!(
        code(
            s.through
                .outcome(c.describe_subnets().subnet_ids(&subnet).send())
                .map(drop)
        ),
        "InvalidSubnetID.NotFound"
    );
    let route = c
        .create_route()
        .route_table_id(&table)
        .destination_cidr_block("0.0.0.0/0");
    let route = route.gateway_id(&gateway).send();
    assert_eq!(
        code(s.through.outcome(route).map(drop)),
        "InvalidRouteTableID.NotFound"
    );
    let group_call = c.describe_security_groups().group_ids(&group).send();
    assert_eq!(
        code(s.through.outcome(group_call).map(drop)),
        "InvalidGroup.NotFound"
    );
    let attach = c
        .attach_internet_gateway()
        .internet_gateway_id(&gateway)
        .vpc_id(&vpc)
        .send();
    assert_eq!(
        code(s.through.outcome(attach).map(drop)),
        "InvalidInternetGatewayID.NotFound"
    );
    let accept = c
        .accept_vpc_peering_connection()
        .vpc_peering_connection_id(&peering)
        .send();
    assert_eq!(
        code(s.through.outcome(accept).map(drop)),
        "InvalidVpcPeeringConnectionID.NotFound"
    );
    let disassociate = c
        .disassociate_route_table()
        .association_id(&association)
        .send();
    assert_eq!(
        code(s.through.outcome(disassociate).map(drop)),
        "InvalidAssociationID.NotFound"
    );
    // A tag naming a fresh id as its resource (ResourceId.1).
    let tag = aws_sdk_ec2::types::Tag::builder()
        .key("k")
        .value("v")
        .build();
    let tagging = c.create_tags().resources(&subnet).tags(tag).send();
    assert_eq!(
        code(s.through.outcome(tagging).map(drop)),
        "InvalidSubnetID.NotFound"
    );

    let counts = s.proxy.counts();
    assert_eq!(counts.injected(FaultKind::FreshIdNotFound), 7);
    assert_eq!(counts.forwarded("CreateTags"), 0);
}

#[test]
fn peerings_pass_through_initiating_request_and_provisioning() {
    let states = PeeringStates {
        initiating_request: Window::fixed(LONG),
        provisioning: Window::fixed(LONG),
    };
    let Some(s) = setup(
        "fault_proxy::peering",
        Faults::none(1).with_peering_states(states),
    ) else {
        return;
    };
    let vpc = s.direct.create_vpc("10.7.0.0/16", "p").unwrap();
    let peer = s.direct.create_vpc("10.8.0.0/16", "p").unwrap();
    // The create's own answer says initiating-request (EC2 and moto alike).
    let (peering, status) = s.through.create_peering(&vpc, &peer).unwrap();
    assert_eq!(status, "initiating-request");
    assert_eq!(
        s.through.peering_status(&peering).unwrap(),
        "initiating-request"
    );
    assert_eq!(
        s.direct.peering_status(&peering).unwrap(),
        "pending-acceptance"
    );
    let refused = s.through.accept_peering(&peering).unwrap_err();
    assert_eq!(refused, Failure::ec2("InvalidStateTransition", 400));
    assert_eq!(s.proxy.counts().forwarded("AcceptVpcPeeringConnection"), 0);

    // A second peering without the initiating window, then accepted.
    let quick = PeeringStates {
        initiating_request: Window::fixed(Duration::ZERO),
        provisioning: Window::fixed(LONG),
    };
    s.proxy
        .set_faults(Faults::none(1).with_peering_states(quick));
    let (second, _) = s.through.create_peering(&vpc, &peer).unwrap();
    assert_eq!(
        s.through.peering_status(&second).unwrap(),
        "pending-acceptance"
    );
    assert_eq!(s.through.accept_peering(&second).unwrap(), "provisioning");
    assert_eq!(s.through.peering_status(&second).unwrap(), "provisioning");
    assert_eq!(s.direct.peering_status(&second).unwrap(), "active");
    // The first peering's window is still open.
    assert_eq!(
        s.through.peering_status(&peering).unwrap(),
        "initiating-request"
    );

    let counts = s.proxy.counts();
    // Describe, refused accept, accept, describe, describe.
    assert_eq!(
        counts.injected(FaultKind::PeeringStates),
        5,
        "{}",
        counts.summary()
    );
}

#[test]
fn deletes_answer_dependency_violation_during_their_window() {
    let faults = Faults::none(1).with_dependency_violation(Window::fixed(LONG));
    let Some(s) = setup("fault_proxy::dependency", faults) else {
        return;
    };
    let vpc = s.direct.create_vpc("10.9.0.0/16", "dep").unwrap();
    let violation = Failure::ec2("DependencyViolation", 400);
    assert_eq!(s.through.delete_vpc(&vpc).unwrap_err(), violation);
    assert_eq!(s.through.delete_vpc(&vpc).unwrap_err(), violation);
    assert_eq!(s.direct.vpcs_tagged("dep").unwrap(), vec![vpc.clone()]);
    let group = s.direct.client.create_security_group().vpc_id(&vpc);
    let group = s
        .direct
        .block_on(group.group_name("g").description("g").send())
        .unwrap();
    let group = group.group_id().unwrap().to_string();
    let delete = s
        .through
        .client
        .delete_security_group()
        .group_id(&group)
        .send();
    let error = s.through.outcome(delete).unwrap_err();
    assert_eq!(error, Failure::ec2("InvalidGroup.InUse", 400));
    let counts = s.proxy.counts();
    assert_eq!(counts.injected(FaultKind::DependencyViolation), 3);
    assert_eq!(counts.forwarded("DeleteVpc"), 0);

    // A zero window lets the first delete through.
    s.proxy
        .set_faults(Faults::none(1).with_dependency_violation(Window::fixed(Duration::ZERO)));
    let other = s.direct.create_vpc("10.10.0.0/16", "dep2").unwrap();
    s.through.delete_vpc(&other).unwrap();
    assert_eq!(s.direct.vpcs_tagged("dep2").unwrap(), Vec::<String>::new());
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
