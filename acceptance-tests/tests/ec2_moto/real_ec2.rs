//! Against moto, the parts of real-EC2 handling it can show: peering waits batched per
//! region, DNS hostnames read back and turned on, a gateway detached before deletion.

use std::time::{Duration, Instant};

use futures::future::join_all;
use terraform_provider_peering::ec2::types::PeeringStatus;
use terraform_provider_peering::ec2::Action;
use terraform_provider_peering::ec2::Ec2;

use crate::support::{net, tags, Moto, US};
use crate::WAIT;

/// The poll interval `Moto::ec2` sets.
const INTERVAL: Duration = Duration::from_millis(100);

#[tokio::test]
async fn peering_waits_share_one_describe_per_round() {
    let Some(moto) = Moto::start("peering_waits") else {
        return;
    };
    let ec2 = moto.ec2();
    let hub = ec2
        .create_vpc(US, net("10.0.0.0/16"), &tags("m", "vpc:hub"))
        .await
        .unwrap();
    let mut peerings = Vec::new();
    for i in 1..=6u8 {
        let spoke = ec2
            .create_vpc(
                US,
                net(&format!("10.{i}.0.0/16")),
                &tags("m", &format!("vpc:{i}")),
            )
            .await
            .unwrap();
        let pcx = ec2
            .create_peering(US, &hub, &spoke, US, &tags("m", &format!("pcx:{i}")))
            .await
            .unwrap();
        peerings.push(pcx);
    }
    let counter = ec2.counter();

    // Six waits that are satisfied at once: one round, one call.
    let before = counter.get(Action::DescribeVpcPeeringConnections);
    let pending = [PeeringStatus::PendingAcceptance];
    let waits = peerings
        .iter()
        .map(|p| ec2.wait_peering(US, p, &pending, WAIT));
    for seen in join_all(waits).await {
        assert_eq!(seen.unwrap().status, PeeringStatus::PendingAcceptance);
    }
    assert_eq!(
        counter.get(Action::DescribeVpcPeeringConnections) - before,
        1
    );

    // Six waits for `active` over several rounds while the peerings are accepted one by
    // one: at most one call per round (rounds are an interval apart), not one per waiter.
    let before = counter.get(Action::DescribeVpcPeeringConnections);
    let start = Instant::now();
    let active = [PeeringStatus::Active];
    let waits = join_all(
        peerings
            .iter()
            .map(|p| ec2.wait_peering(US, p, &active, WAIT)),
    );
    let accepts = async {
        for p in &peerings {
            tokio::time::sleep(INTERVAL).await;
            ec2.accept_peering(US, p).await.unwrap();
        }
    };
    let (seen, ()) = tokio::join!(waits, accepts);
    let elapsed = start.elapsed();
    for p in seen {
        assert_eq!(p.unwrap().status, PeeringStatus::Active);
    }
    let calls = counter.get(Action::DescribeVpcPeeringConnections) - before;
    let rounds = (elapsed.as_millis() / INTERVAL.as_millis()) as u64 + 1;
    assert!(
        calls <= rounds,
        "{calls} calls in {elapsed:?} ({rounds} rounds at most)"
    );
    assert!(
        calls >= 2,
        "the last peering was accepted after the first round: {calls}"
    );
}

#[tokio::test]
async fn dns_hostnames_are_read_back_and_turned_on() {
    let Some(moto) = Moto::start("dns_hostnames") else {
        return;
    };
    let ec2 = moto.ec2();
    let ours = ec2
        .create_vpc(US, net("10.1.0.0/16"), &tags("m", "vpc:a"))
        .await
        .unwrap();
    let sdk = moto.sdk(US);
    let adopted = sdk
        .create_vpc()
        .cidr_block("10.2.0.0/16")
        .send()
        .await
        .unwrap()
        .vpc()
        .and_then(|v| v.vpc_id())
        .unwrap()
        .to_string();
    let dns = |inv: &terraform_provider_peering::ec2::types::Inventory, id: &str| {
        inv.vpcs
            .iter()
            .find(|v| v.id == id)
            .map(|v| v.dns_hostnames)
    };
    let counter = ec2.counter();
    let inv = ec2
        .inventory(US, "m", std::slice::from_ref(&adopted))
        .await
        .unwrap();
    assert_eq!(
        dns(&inv, &ours),
        Some(Some(true)),
        "create_vpc turned them on"
    );
    assert_eq!(dns(&inv, &adopted), Some(None), "not read for adopted VPCs");
    assert_eq!(
        counter.get(Action::DescribeVpcAttribute),
        1,
        "one call per mesh VPC"
    );

    let off = aws_sdk_ec2::types::AttributeBooleanValue::builder()
        .value(false)
        .build();
    sdk.modify_vpc_attribute()
        .vpc_id(&ours)
        .enable_dns_hostnames(off)
        .send()
        .await
        .unwrap();
    let inv = ec2.inventory(US, "m", &[]).await.unwrap();
    assert_eq!(dns(&inv, &ours), Some(Some(false)), "drift is seen");
    ec2.enable_dns_hostnames(US, &ours).await.unwrap();
    let inv = ec2.inventory(US, "m", &[]).await.unwrap();
    assert_eq!(dns(&inv, &ours), Some(Some(true)), "and repaired");
}

#[tokio::test]
async fn a_gateway_is_detached_and_seen_detached_before_it_is_deleted() {
    let Some(moto) = Moto::start("igw_detach") else {
        return;
    };
    let ec2 = moto.ec2();
    let vpc = ec2
        .create_vpc(US, net("10.1.0.0/16"), &tags("m", "vpc:a"))
        .await
        .unwrap();
    let igw = ec2
        .create_internet_gateway(US, &tags("m", "igw:a"))
        .await
        .unwrap();
    ec2.attach_internet_gateway(US, &igw, &vpc).await.unwrap();
    let counter = ec2.counter();
    let before = counter.get(Action::DescribeInternetGateways);
    ec2.detach_internet_gateway(US, &igw, &vpc).await.unwrap();
    assert_eq!(
        counter.get(Action::DescribeInternetGateways) - before,
        1,
        "moto detaches at once: one look confirms it"
    );
    // Detaching again (a repeated step) is done, and confirmed the same way.
    ec2.detach_internet_gateway(US, &igw, &vpc).await.unwrap();
    ec2.delete_internet_gateway(US, &igw).await.unwrap();
    ec2.delete_vpc(US, &vpc).await.unwrap();
    let inv = ec2.inventory(US, "m", &[]).await.unwrap();
    assert!(
        inv.internet_gateways.is_empty() && inv.vpcs.is_empty(),
        "{inv:?}"
    );
}
