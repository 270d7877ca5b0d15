//! The provider's EC2 client layer (`AwsEc2`) against a real moto server (the local EC2
//! emulator), one fresh server per test ([`acceptance_tests::moto::MotoServer`]). Without
//! moto (scripts/setup.sh) the tests are skipped with a message, except under CI=true
//! where that fails.

use std::collections::BTreeSet;
use std::net::Ipv4Addr;
use std::time::Duration;

use ipnet::{IpNet, Ipv4Net};
use terraform_provider_peering::ec2::types::*;
use terraform_provider_peering::ec2::Action;
use terraform_provider_peering::ec2::{Ec2, Ec2Error};

#[path = "ec2_moto/support.rs"]
mod support;

#[path = "ec2_moto/instances.rs"]
mod instances;

#[path = "ec2_moto/ipv6.rs"]
mod ipv6;

#[path = "ec2_moto/real_ec2.rs"]
mod real_ec2;

use support::{ids, net, set, tags, Moto, EU, US};

const WAIT: Duration = Duration::from_secs(30);

#[tokio::test]
async fn account_id_comes_from_sts_on_the_same_endpoint() {
    let Some(moto) = Moto::start("account_id") else {
        return;
    };
    let ec2 = moto.ec2();
    assert_eq!(ec2.account_id().await.unwrap(), "123456789012");
    assert_eq!(ec2.account_id().await.unwrap(), "123456789012");
    assert_eq!(ec2.counter().get(Action::GetCallerIdentity), 1, "cached");
}

#[tokio::test]
async fn mesh_lifecycle_same_and_cross_region() {
    let Some(moto) = Moto::start("mesh_lifecycle") else {
        return;
    };
    let ec2 = moto.ec2();
    let (m, other) = ("mesh-a", "mesh-b");
    let a = ec2
        .create_vpc(US, net("10.1.0.0/16"), &tags(m, "vpc:a"))
        .await
        .unwrap();
    let b = ec2
        .create_vpc(US, net("10.2.0.0/16"), &tags(m, "vpc:b"))
        .await
        .unwrap();
    let c = ec2
        .create_vpc(EU, net("10.3.0.0/16"), &tags(m, "vpc:c"))
        .await
        .unwrap();
    let foreign = ec2
        .create_vpc(US, net("10.9.0.0/16"), &tags(other, "vpc:x"))
        .await
        .unwrap();

    let subnet = ec2
        .create_subnet(
            US,
            &a,
            net("10.1.1.0/24"),
            Some("us-east-1a"),
            &tags(m, "subnet:a/public"),
        )
        .await
        .unwrap();
    let rtb = ec2
        .create_route_table(US, &a, &tags(m, "rtb:a/public"))
        .await
        .unwrap();
    let assoc = ec2.associate_route_table(US, &rtb, &subnet).await.unwrap();
    let igw = ec2
        .create_internet_gateway(US, &tags(m, "igw:a"))
        .await
        .unwrap();
    ec2.attach_internet_gateway(US, &igw, &a).await.unwrap();
    ec2.attach_internet_gateway(US, &igw, &a).await.unwrap(); // already attached here: fine
    ec2.put_route(
        US,
        &rtb,
        IpNet::V4(net("0.0.0.0/0")),
        &RouteTarget::Gateway(igw.clone()),
    )
    .await
    .unwrap();
    let sg = ec2
        .create_security_group(US, &a, "mesh-a", "mesh members", &tags(m, "sg:a"))
        .await
        .unwrap();
    let icmp = IngressRule {
        protocol: Protocol::Icmp,
        cidr: IpNet::V4(net("10.2.0.0/16")),
    };
    let ssh = IngressRule {
        protocol: Protocol::Tcp { from: 22, to: 22 },
        cidr: IpNet::V4(net("10.1.1.0/24")),
    };
    ec2.authorize_ingress(US, &sg, std::slice::from_ref(&icmp))
        .await
        .unwrap();
    ec2.authorize_ingress(US, &sg, &[icmp.clone(), ssh.clone()])
        .await
        .unwrap(); // one duplicate

    let ab = ec2
        .create_peering(US, &a, &b, US, &tags(m, "pcx:a:b"))
        .await
        .unwrap();
    ec2.accept_peering(US, &ab).await.unwrap();
    let ac = ec2
        .create_peering(US, &a, &c, EU, &tags(m, "pcx:a:c"))
        .await
        .unwrap();
    let wrong = ec2.accept_peering(US, &ac).await.unwrap_err();
    assert!(
        matches!(&wrong, Ec2Error::Api { code, .. } if code == "OperationNotPermitted"),
        "{wrong:?}"
    );
    ec2.accept_peering(EU, &ac).await.unwrap();
    for (region, pcx) in [(US, &ab), (EU, &ac)] {
        let p = ec2
            .wait_peering(region, pcx, &[PeeringStatus::Active], WAIT)
            .await
            .unwrap();
        assert_eq!(p.status, PeeringStatus::Active);
    }
    ec2.set_peering_dns(US, US, &ab, true).await.unwrap();
    ec2.set_peering_dns(US, EU, &ac, true).await.unwrap();
    let p = ec2.describe_peering(US, &ac).await.unwrap();
    assert_eq!(
        (
            p.requester_region.as_str(),
            p.accepter_region.as_str(),
            p.accepter_vpc_id.as_str()
        ),
        (US, EU, c.as_str())
    );
    assert!(p.requester_dns && p.accepter_dns, "{p:?}");
    ec2.put_route(
        US,
        &rtb,
        IpNet::V4(net("10.2.0.0/16")),
        &RouteTarget::Peering(ab.clone()),
    )
    .await
    .unwrap();
    ec2.put_route(
        US,
        &rtb,
        IpNet::V4(net("10.3.0.0/16")),
        &RouteTarget::Peering(ac.clone()),
    )
    .await
    .unwrap();

    let inv = ec2.inventory(US, m, &[]).await.unwrap();
    assert_eq!(ids(&inv.vpcs, |v| &v.id), set(&[&a, &b]));
    assert_eq!(ids(&inv.subnets, |s| &s.id), set(&[&subnet]));
    assert_eq!(ids(&inv.internet_gateways, |g| &g.id), set(&[&igw]));
    assert_eq!(inv.internet_gateways[0].attached_vpc_ids, vec![a.clone()]);
    assert_eq!(ids(&inv.peerings, |p| &p.id), set(&[&ab, &ac]));
    assert!(inv
        .route_tables
        .iter()
        .all(|t| t.vpc_id == a || t.vpc_id == b));
    let table = inv.route_tables.iter().find(|t| t.id == rtb).unwrap();
    assert_eq!(table.associations, vec![(assoc.clone(), subnet.clone())]);
    let targets: BTreeSet<_> = table
        .routes
        .iter()
        .map(|r| (r.destination, r.target.clone()))
        .collect();
    assert!(targets.contains(&(IpNet::V4(net("10.1.0.0/16")), RouteTarget::Local)));
    assert!(targets.contains(&(
        IpNet::V4(net("0.0.0.0/0")),
        RouteTarget::Gateway(igw.clone())
    )));
    assert!(targets.contains(&(
        IpNet::V4(net("10.3.0.0/16")),
        RouteTarget::Peering(ac.clone())
    )));
    let group = inv.security_groups.iter().find(|g| g.id == sg).unwrap();
    assert_eq!(
        (group.rules.clone(), group.foreign_rules),
        (vec![icmp.clone(), ssh.clone()], 0)
    );
    assert!(!inv.vpcs.iter().any(|v| v.id == foreign));
    let eu = ec2.inventory(EU, m, &[]).await.unwrap();
    assert_eq!(ids(&eu.vpcs, |v| &v.id), set(&[&c]));
    assert!(
        eu.peerings.is_empty(),
        "a peering is listed in its requester's region only"
    );
    let adopted = ec2
        .inventory(US, m, std::slice::from_ref(&foreign))
        .await
        .unwrap();
    assert!(adopted.vpcs.iter().any(|v| v.id == foreign));

    // Teardown in reverse order leaves nothing tagged.
    for dest in ["10.3.0.0/16", "10.2.0.0/16", "0.0.0.0/0"] {
        ec2.delete_route(US, &rtb, IpNet::V4(net(dest)))
            .await
            .unwrap();
    }
    ec2.delete_route(US, &rtb, IpNet::V4(net("10.2.0.0/16")))
        .await
        .unwrap(); // gone already
    ec2.delete_peering(US, &ac).await.unwrap();
    ec2.delete_peering(US, &ab).await.unwrap();
    assert!(matches!(
        ec2.describe_peering(US, &ab).await,
        Err(Ec2Error::NotFound { .. })
    ));
    ec2.revoke_ingress(US, &sg, &[icmp.clone(), ssh])
        .await
        .unwrap();
    ec2.revoke_ingress(US, &sg, &[icmp]).await.unwrap(); // gone already
    ec2.delete_security_group(US, &sg).await.unwrap();
    ec2.disassociate_route_table(US, &assoc).await.unwrap();
    ec2.delete_route_table(US, &rtb).await.unwrap();
    ec2.detach_internet_gateway(US, &igw, &a).await.unwrap();
    ec2.delete_internet_gateway(US, &igw).await.unwrap();
    ec2.delete_subnet(US, &subnet).await.unwrap();
    for (region, vpc) in [(US, &a), (US, &b), (EU, &c)] {
        ec2.delete_vpc(region, vpc).await.unwrap();
        ec2.delete_vpc(region, vpc).await.unwrap(); // NotFound means done
    }
    for region in [US, EU] {
        assert_eq!(
            ec2.inventory(region, m, &[]).await.unwrap(),
            Inventory::default(),
            "{region}"
        );
    }
    assert_eq!(ec2.inventory(US, other, &[]).await.unwrap().vpcs.len(), 1);
}

#[tokio::test]
async fn inventory_cost_does_not_grow_with_the_mesh() {
    let Some(moto) = Moto::start("inventory_cost") else {
        return;
    };
    let ec2 = moto.ec2();
    let mut vpcs: Vec<String> = Vec::new();
    let mut describes = Vec::new();
    for i in 1..=6u8 {
        let cidr = Ipv4Net::new(Ipv4Addr::new(10, i, 0, 0), 16).unwrap();
        let vpc = ec2
            .create_vpc(US, cidr, &tags("m", &format!("vpc:{i}")))
            .await
            .unwrap();
        let subnet_cidr = Ipv4Net::new(Ipv4Addr::new(10, i, 1, 0), 24).unwrap();
        ec2.create_subnet(
            US,
            &vpc,
            subnet_cidr,
            None,
            &tags("m", &format!("subnet:{i}")),
        )
        .await
        .unwrap();
        if let Some(prev) = vpcs.last() {
            let pcx = ec2
                .create_peering(US, prev, &vpc, US, &tags("m", &format!("pcx:{i}")))
                .await
                .unwrap();
            ec2.accept_peering(US, &pcx).await.unwrap();
        }
        vpcs.push(vpc);
        if i == 2 || i == 6 {
            let counter = ec2.counter();
            // DNS hostnames cost one DescribeVpcAttribute per VPC; the rest is constant.
            let constant = || counter.describes() - counter.get(Action::DescribeVpcAttribute);
            let before = constant();
            let inv = ec2.inventory(US, "m", &[]).await.unwrap();
            assert_eq!(
                (inv.vpcs.len(), inv.subnets.len(), inv.peerings.len()),
                (i as usize, i as usize, i as usize - 1)
            );
            describes.push(constant() - before);
        }
    }
    assert_eq!(
        describes[0], describes[1],
        "Describe calls for 2 and for 6 VPCs"
    );
    assert_eq!(ec2.counter().get(Action::CreateVpcPeeringConnection), 5);
}

#[tokio::test]
async fn routes_are_replaced_and_missing_objects_are_handled() {
    let Some(moto) = Moto::start("routes_and_missing") else {
        return;
    };
    let ec2 = moto.ec2();
    let a = ec2
        .create_vpc(US, net("10.1.0.0/16"), &tags("m", "vpc:a"))
        .await
        .unwrap();
    let b = ec2
        .create_vpc(US, net("10.2.0.0/16"), &tags("m", "vpc:b"))
        .await
        .unwrap();
    let c = ec2
        .create_vpc(US, net("10.3.0.0/16"), &tags("m", "vpc:c"))
        .await
        .unwrap();
    let rtb = ec2
        .create_route_table(US, &a, &tags("m", "rtb:a"))
        .await
        .unwrap();
    let ab = ec2
        .create_peering(US, &a, &b, US, &Tags::new())
        .await
        .unwrap();
    let ac = ec2
        .create_peering(US, &a, &c, US, &Tags::new())
        .await
        .unwrap();
    let dest = net("10.2.0.0/16");
    ec2.put_route(US, &rtb, IpNet::V4(dest), &RouteTarget::Peering(ab))
        .await
        .unwrap();
    ec2.put_route(US, &rtb, IpNet::V4(dest), &RouteTarget::Peering(ac.clone()))
        .await
        .unwrap();
    assert_eq!(ec2.counter().get(Action::ReplaceRoute), 1);
    let inv = ec2.inventory(US, "m", &[]).await.unwrap();
    let route = inv
        .route_tables
        .iter()
        .find(|t| t.id == rtb)
        .unwrap()
        .routes
        .iter()
        .find(|r| r.destination == IpNet::V4(dest))
        .cloned();
    assert_eq!(route.unwrap().target, RouteTarget::Peering(ac));

    // Unknown ids: deletes are done, finds are NotFound, creates name what is missing.
    ec2.delete_vpc(US, "vpc-0123456789abcdef0").await.unwrap();
    ec2.delete_subnet(US, "subnet-0123456789abcdef0")
        .await
        .unwrap();
    ec2.delete_security_group(US, "sg-0123456789abcdef0")
        .await
        .unwrap();
    ec2.delete_internet_gateway(US, "igw-0123456789abcdef0")
        .await
        .unwrap();
    ec2.delete_route_table(US, "rtb-0123456789abcdef0")
        .await
        .unwrap();
    let missing = ec2.describe_peering(US, "pcx-0123456789abcdef0").await;
    assert!(
        matches!(missing, Err(Ec2Error::NotFound { .. })),
        "{missing:?}"
    );
    let no_vpc = ec2
        .create_subnet(
            US,
            "vpc-0123456789abcdef0",
            net("10.7.1.0/24"),
            None,
            &Tags::new(),
        )
        .await;
    assert!(
        matches!(&no_vpc, Err(Ec2Error::NotFound { kind: "VPC", id }) if id == "vpc-0123456789abcdef0"),
        "{no_vpc:?}"
    );
    let busy = ec2.delete_vpc(US, &a).await;
    assert!(
        matches!(&busy, Err(Ec2Error::Api { code, .. }) if code == "DependencyViolation"),
        "{busy:?}"
    );
}
