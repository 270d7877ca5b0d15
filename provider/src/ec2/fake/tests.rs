use std::time::Duration;

use super::FakeEc2;
use crate::ec2::types::{IngressRule, PeeringStatus, Protocol, RouteTarget, Tags, TAG_MESH};
use crate::ec2::Action;
use crate::ec2::{Ec2, Ec2Error};

const US: &str = "us-east-1";
const EU: &str = "eu-west-2";

fn net(s: &str) -> ipnet::Ipv4Net {
    s.parse().unwrap()
}

fn mesh_tags(mesh: &str) -> Tags {
    Tags::from([(TAG_MESH.to_string(), mesh.to_string())])
}

fn code(e: Ec2Error) -> String {
    match e {
        Ec2Error::Api { code, .. } => code,
        other => panic!("expected an API error, got {other:?}"),
    }
}

#[tokio::test]
async fn ids_tags_and_inventory_by_mesh_tag() {
    let fake = FakeEc2::new();
    let a = fake
        .create_vpc(US, net("10.1.0.0/16"), &mesh_tags("m1"))
        .await
        .unwrap();
    let b = fake
        .create_vpc(US, net("10.2.0.0/16"), &mesh_tags("m2"))
        .await
        .unwrap();
    let adopted = fake.add_vpc(US, net("10.3.0.0/16"), &Tags::new());
    assert_eq!((a.as_str(), b.as_str()), ("vpc-0001", "vpc-0002"));
    let subnet = fake
        .create_subnet(US, &a, net("10.1.1.0/24"), None, &mesh_tags("m1"))
        .await
        .unwrap();

    let inv = fake
        .inventory(US, "m1", std::slice::from_ref(&adopted))
        .await
        .unwrap();
    let vpc_ids: Vec<_> = inv.vpcs.iter().map(|v| v.id.clone()).collect();
    assert_eq!(vpc_ids, vec![a.clone(), adopted.clone()]);
    assert_eq!(inv.subnets.len(), 1);
    assert_eq!(inv.subnets[0].id, subnet);
    assert_eq!(inv.subnets[0].availability_zone, "us-east-1a");
    // Main route tables and default groups of both VPCs, nothing of m2.
    assert_eq!(inv.route_tables.len(), 2);
    assert!(inv.route_tables.iter().all(|t| t.main && t.vpc_id != b));
    assert_eq!(
        inv.security_groups
            .iter()
            .filter(|g| g.name == "default")
            .count(),
        2
    );
    // Nothing from another region.
    assert!(fake.inventory(EU, "m1", &[]).await.unwrap().vpcs.is_empty());
    assert_eq!(fake.count(Action::DescribeVpcs), 3);
}

#[tokio::test]
async fn peering_state_machine_and_wrong_region_accept() {
    let fake = FakeEc2::new();
    let a = fake
        .create_vpc(US, net("10.1.0.0/16"), &Tags::new())
        .await
        .unwrap();
    let b = fake
        .create_vpc(EU, net("10.2.0.0/16"), &Tags::new())
        .await
        .unwrap();
    let pcx = fake
        .create_peering(US, &a, &b, EU, &mesh_tags("m"))
        .await
        .unwrap();
    assert_eq!(
        fake.describe_peering(US, &pcx).await.unwrap().status,
        PeeringStatus::PendingAcceptance
    );
    let dns_early = fake.set_peering_dns(US, EU, &pcx, true).await.unwrap_err();
    assert_eq!(code(dns_early), "InvalidState");
    let wrong = fake.accept_peering(US, &pcx).await.unwrap_err();
    assert_eq!(code(wrong), "OperationNotPermitted");
    let timeout = fake
        .wait_peering(EU, &pcx, &[PeeringStatus::Active], Duration::from_secs(60))
        .await;
    assert!(matches!(timeout, Err(Ec2Error::Timeout { .. })));

    fake.accept_peering(EU, &pcx).await.unwrap();
    let active = fake
        .wait_peering(EU, &pcx, &[PeeringStatus::Active], Duration::from_secs(60))
        .await
        .unwrap();
    assert_eq!(active.accepter_region, EU);
    fake.set_peering_dns(US, EU, &pcx, true).await.unwrap();
    assert!(fake.describe_peering(EU, &pcx).await.unwrap().accepter_dns);

    fake.delete_peering(US, &pcx).await.unwrap();
    assert!(matches!(
        fake.describe_peering(US, &pcx).await,
        Err(Ec2Error::NotFound { .. })
    ));
    let gone = fake
        .wait_peering(US, &pcx, &[PeeringStatus::Deleted], Duration::ZERO)
        .await
        .unwrap();
    assert_eq!(gone.status, PeeringStatus::Deleted);
    // Deleting again is done already.
    fake.delete_peering(US, &pcx).await.unwrap();
}

#[tokio::test]
async fn overlapping_cidrs_fail_the_peering() {
    let fake = FakeEc2::new();
    let a = fake
        .create_vpc(US, net("10.1.0.0/16"), &Tags::new())
        .await
        .unwrap();
    let b = fake
        .create_vpc(US, net("10.1.128.0/17"), &Tags::new())
        .await
        .unwrap();
    let pcx = fake
        .create_peering(US, &a, &b, US, &Tags::new())
        .await
        .unwrap();
    assert_eq!(fake.peering(&pcx).unwrap().status, PeeringStatus::Failed);
    assert!(matches!(
        fake.describe_peering(US, &pcx).await,
        Err(Ec2Error::NotFound { .. })
    ));
}

#[tokio::test]
async fn routes_rules_and_dependency_violations() {
    let fake = FakeEc2::new();
    let tags = mesh_tags("m");
    let a = fake
        .create_vpc(US, net("10.1.0.0/16"), &tags)
        .await
        .unwrap();
    let b = fake
        .create_vpc(US, net("10.2.0.0/16"), &tags)
        .await
        .unwrap();
    let subnet = fake
        .create_subnet(US, &a, net("10.1.1.0/24"), Some("us-east-1b"), &tags)
        .await
        .unwrap();
    let rtb = fake.create_route_table(US, &a, &tags).await.unwrap();
    let assoc = fake.associate_route_table(US, &rtb, &subnet).await.unwrap();
    let pcx = fake.create_peering(US, &a, &b, US, &tags).await.unwrap();
    fake.accept_peering(US, &pcx).await.unwrap();
    fake.put_route(
        US,
        &rtb,
        ipnet::IpNet::V4(net("10.2.0.0/16")),
        &RouteTarget::Peering(pcx.clone()),
    )
    .await
    .unwrap();
    let missing = fake
        .put_route(
            US,
            &rtb,
            ipnet::IpNet::V4(net("10.9.0.0/16")),
            &RouteTarget::Peering("pcx-9999".into()),
        )
        .await;
    assert!(matches!(missing, Err(Ec2Error::NotFound { .. })));
    let sg = fake
        .create_security_group(US, &a, "mesh", "mesh members", &tags)
        .await
        .unwrap();
    let icmp = IngressRule {
        protocol: Protocol::Icmp,
        cidr: ipnet::IpNet::V4(net("10.2.0.0/16")),
    };
    fake.authorize_ingress(US, &sg, std::slice::from_ref(&icmp))
        .await
        .unwrap();
    fake.authorize_ingress(US, &sg, std::slice::from_ref(&icmp))
        .await
        .unwrap(); // duplicate is fine

    assert_eq!(
        code(fake.delete_vpc(US, &a).await.unwrap_err()),
        "DependencyViolation"
    );
    assert_eq!(
        code(fake.delete_route_table(US, &rtb).await.unwrap_err()),
        "DependencyViolation"
    );

    let inv = fake.inventory(US, "m", &[]).await.unwrap();
    let table = inv.route_tables.iter().find(|t| t.id == rtb).unwrap();
    assert_eq!(table.associations, vec![(assoc.clone(), subnet.clone())]);
    assert_eq!(table.routes.len(), 2);
    let group = inv.security_groups.iter().find(|g| g.id == sg).unwrap();
    assert_eq!(
        (group.rules.clone(), group.foreign_rules),
        (vec![icmp.clone()], 0)
    );
    assert_eq!(inv.peerings.len(), 1);

    // Drift: the peering disappears, its route turns blackhole.
    fake.delete_peering_out_of_band(&pcx);
    let inv = fake.inventory(US, "m", &[]).await.unwrap();
    assert!(inv.peerings.is_empty());
    let route = inv
        .route_tables
        .iter()
        .find(|t| t.id == rtb)
        .unwrap()
        .routes
        .iter()
        .find(|r| r.destination == ipnet::IpNet::V4(net("10.2.0.0/16")))
        .cloned();
    assert_eq!(route.unwrap().state, "blackhole");

    // Reverse-order teardown leaves nothing tagged.
    fake.delete_route(US, &rtb, ipnet::IpNet::V4(net("10.2.0.0/16")))
        .await
        .unwrap();
    fake.revoke_ingress(US, &sg, &[icmp]).await.unwrap();
    fake.delete_security_group(US, &sg).await.unwrap();
    fake.disassociate_route_table(US, &assoc).await.unwrap();
    fake.delete_route_table(US, &rtb).await.unwrap();
    fake.delete_subnet(US, &subnet).await.unwrap();
    fake.delete_vpc(US, &a).await.unwrap();
    fake.delete_vpc(US, &b).await.unwrap();
    fake.delete_vpc(US, &b).await.unwrap(); // NotFound means done
    assert!(fake.tagged_ids("m").is_empty());
    assert!(fake.live_ids().is_empty());
}

#[tokio::test]
async fn internet_gateway_lifecycle() {
    let fake = FakeEc2::new();
    let vpc = fake
        .create_vpc(US, net("10.1.0.0/16"), &Tags::new())
        .await
        .unwrap();
    let igw = fake
        .create_internet_gateway(US, &mesh_tags("m"))
        .await
        .unwrap();
    fake.attach_internet_gateway(US, &igw, &vpc).await.unwrap();
    assert_eq!(
        code(fake.delete_internet_gateway(US, &igw).await.unwrap_err()),
        "DependencyViolation"
    );
    let inv = fake.inventory(US, "m", &[]).await.unwrap();
    assert_eq!(inv.internet_gateways[0].attached_vpc_ids, vec![vpc.clone()]);
    fake.detach_internet_gateway(US, &igw, &vpc).await.unwrap();
    fake.delete_internet_gateway(US, &igw).await.unwrap();
    assert!(fake
        .inventory(US, "m", &[])
        .await
        .unwrap()
        .internet_gateways
        .is_empty());
}

#[tokio::test]
async fn faults_before_and_after_the_call() {
    let fake = FakeEc2::new();
    let throttled = Ec2Error::Exhausted {
        attempts: 3,
        last: Box::new(Ec2Error::Api {
            code: "RequestLimitExceeded".into(),
            message: "Request limit exceeded.".into(),
        }),
    };
    fake.fail_on(Action::CreateVpc, 2, throttled.clone());
    fake.fail_after_on(
        Action::CreateSubnet,
        1,
        Ec2Error::Transport("connection reset".into()),
    );
    let a = fake
        .create_vpc(US, net("10.1.0.0/16"), &mesh_tags("m"))
        .await
        .unwrap();
    assert_eq!(
        fake.create_vpc(US, net("10.2.0.0/16"), &mesh_tags("m"))
            .await,
        Err(throttled)
    );
    fake.create_vpc(US, net("10.2.0.0/16"), &mesh_tags("m"))
        .await
        .unwrap();
    assert_eq!(
        fake.live_ids().len(),
        2,
        "the failed-before call created nothing"
    );

    // Lost response: the subnet exists, found again by its tag.
    assert!(fake
        .create_subnet(US, &a, net("10.1.1.0/24"), None, &mesh_tags("m"))
        .await
        .is_err());
    assert_eq!(fake.inventory(US, "m", &[]).await.unwrap().subnets.len(), 1);

    fake.fail_always_on(Action::DeleteVpc, Ec2Error::Transport("down".into()));
    assert!(fake.delete_vpc(US, "vpc-0002").await.is_err());
    assert!(fake.delete_vpc(US, "vpc-0002").await.is_err());
    fake.clear_faults();
    fake.delete_vpc(US, "vpc-0002").await.unwrap();

    assert_eq!(fake.count(Action::CreateVpc), 3);
    let calls = fake.calls();
    assert_eq!(calls[0], (Action::CreateVpc, "10.1.0.0/16".to_string()));
    assert_eq!(calls[1], (Action::ModifyVpcAttribute, a));
}

#[tokio::test(start_paused = true)]
async fn latency_shows_concurrency() {
    let fake = FakeEc2::new();
    fake.set_latency(Duration::from_millis(100));
    let cidrs = ["10.1.0.0/16", "10.2.0.0/16", "10.3.0.0/16"];
    let none = Tags::new();
    let creates = cidrs.iter().map(|c| fake.create_vpc(US, net(c), &none));
    let ids = futures::future::join_all(creates).await;
    assert!(ids.iter().all(Result::is_ok));
    assert_eq!(fake.max_in_flight(), 3);
}

#[tokio::test]
async fn tags_are_set_and_removed() {
    let fake = FakeEc2::new();
    let vpc = fake
        .create_vpc(US, net("10.1.0.0/16"), &mesh_tags("m"))
        .await
        .unwrap();
    let add = Tags::from([("team".to_string(), "net".to_string())]);
    fake.set_tags(
        US,
        std::slice::from_ref(&vpc),
        &add,
        &[TAG_MESH.to_string()],
    )
    .await
    .unwrap();
    let inv = fake
        .inventory(US, "m", std::slice::from_ref(&vpc))
        .await
        .unwrap();
    assert_eq!(inv.vpcs[0].tags, add);
    let unknown = fake
        .set_tags(US, &["vpc-0999".to_string()], &add, &[])
        .await;
    assert!(matches!(unknown, Err(Ec2Error::NotFound { .. })));
}
