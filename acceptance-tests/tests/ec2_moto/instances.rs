//! Instances, which the provider never launches: run, stopped and terminated with plain
//! aws-sdk-ec2 calls, then listed by `AwsEc2::instances` as the diagnosis reads them.

use terraform_provider_peering::ec2::types::{InstanceState, Tags};
use terraform_provider_peering::ec2::Action;
use terraform_provider_peering::ec2::Ec2;

use super::support::{net, tags, Moto, EU, US};

/// Runs one instance with `ip` in `subnet`; its id.
async fn run_instance(
    sdk: &aws_sdk_ec2::Client,
    subnet: &str,
    ip: &str,
    groups: &[&str],
) -> String {
    let images = sdk.describe_images().send().await.unwrap();
    let image = images.images()[0].image_id().unwrap().to_string();
    let out = sdk
        .run_instances()
        .image_id(image)
        .instance_type(aws_sdk_ec2::types::InstanceType::T3Micro)
        .min_count(1)
        .max_count(1)
        .subnet_id(subnet)
        .private_ip_address(ip)
        .set_security_group_ids(Some(groups.iter().map(|g| g.to_string()).collect()))
        .send()
        .await
        .unwrap();
    out.instances()[0].instance_id().unwrap().to_string()
}

#[tokio::test]
async fn instances_are_listed_with_addresses_groups_and_state() {
    let Some(moto) = Moto::start("instances") else {
        return;
    };
    let (ec2, sdk) = (moto.ec2(), moto.sdk(US));
    let mut vpcs = Vec::new();
    let mut subnets = Vec::new();
    for (i, name) in ["a", "b", "foreign"].iter().enumerate() {
        let n = i + 1;
        let cidr = net(&format!("10.{n}.0.0/16"));
        let vpc = ec2
            .create_vpc(US, cidr, &tags("m", &format!("vpc/{name}")))
            .await
            .unwrap();
        let subnet_cidr = net(&format!("10.{n}.1.0/24"));
        let subnet = ec2
            .create_subnet(US, &vpc, subnet_cidr, None, &Tags::new())
            .await;
        subnets.push(subnet.unwrap());
        vpcs.push(vpc);
    }
    let sg = ec2
        .create_security_group(US, &vpcs[0], "mesh-a", "mesh members", &Tags::new())
        .await
        .unwrap();
    let web = run_instance(&sdk, &subnets[0], "10.1.1.10", &[&sg]).await;
    let db = run_instance(&sdk, &subnets[1], "10.2.1.20", &[]).await;
    let gone = run_instance(&sdk, &subnets[0], "10.1.1.11", &[&sg]).await;
    run_instance(&sdk, &subnets[2], "10.3.1.30", &[]).await;
    sdk.stop_instances().instance_ids(&db).send().await.unwrap();
    sdk.terminate_instances()
        .instance_ids(&gone)
        .send()
        .await
        .unwrap();

    let before = ec2.counter().get(Action::DescribeInstances);
    let mut listed = ec2.instances(US, &vpcs[..2]).await.unwrap();
    assert_eq!(ec2.counter().get(Action::DescribeInstances) - before, 1);
    listed.sort_by_key(|i| i.private_ip);
    let seen: Vec<_> = listed
        .iter()
        .map(|i| {
            (
                i.id.as_str(),
                i.private_ip.to_string(),
                i.subnet_id.as_str(),
                i.vpc_id.as_str(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            (
                web.as_str(),
                "10.1.1.10".to_string(),
                subnets[0].as_str(),
                vpcs[0].as_str()
            ),
            (
                db.as_str(),
                "10.2.1.20".to_string(),
                subnets[1].as_str(),
                vpcs[1].as_str()
            ),
        ]
    );
    assert_eq!(listed[0].security_group_ids, [sg]);
    assert_eq!(listed[0].state, InstanceState::Running);
    assert_eq!(listed[1].state, InstanceState::Stopped);
    assert_eq!(ec2.instances(EU, &vpcs).await.unwrap(), []);
}
