//! VPCs, subnets, route tables and their associations.

use std::time::Duration;

use aws_sdk_ec2::types::ResourceType;
use ipnet::Ipv4Net;
use tokio::time::Instant;

use super::convert::{flatten_vpc, tag_spec};

use super::{AwsEc2, STATE_TIMEOUT};
use crate::ec2::types::{Tags, VpcObs};
use crate::ec2::Action;
use crate::ec2::Ec2Error;

/// A create answered without the id of what it created.
pub(super) fn no_id(what: &str) -> Ec2Error {
    Ec2Error::Api {
        code: "IncompleteResponse".into(),
        message: format!("EC2 answered without the id of the new {what}"),
    }
}

/// A client token, unique per logical call and reused by its retries, so a repeated
/// create after a lost answer returns the first result instead of a second object.
/// (Deterministic tokens across runs would hand back objects deleted since.)
pub(super) fn client_token() -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            .as_nanos(),
    );
    format!("peering-{:016x}", h.finish())
}

impl AwsEc2 {
    /// The VPC, or NotFound (also when EC2 returns some other VPC).
    pub(super) async fn find_vpc_by_id(
        &self,
        region: &str,
        vpc_id: &str,
    ) -> Result<VpcObs, Ec2Error> {
        let client = self.client(region).await;
        let out = self
            .send(region, Action::DescribeVpcs, &[vpc_id], || {
                client.describe_vpcs().vpc_ids(vpc_id).send()
            })
            .await?;
        out.vpcs()
            .iter()
            .filter_map(|v| flatten_vpc(v, region))
            .find(|v| v.id == vpc_id)
            .ok_or_else(|| Ec2Error::NotFound {
                kind: "VPC",
                id: vpc_id.to_string(),
            })
    }

    pub(super) async fn wait_vpc_available(
        &self,
        region: &str,
        vpc_id: &str,
        timeout: Duration,
    ) -> Result<VpcObs, Ec2Error> {
        let deadline = Instant::now() + timeout;
        loop {
            let vpc = self.find_vpc_by_id(region, vpc_id).await?;
            if vpc.state == "available" {
                return Ok(vpc);
            }
            if Instant::now() + self.poll_interval > deadline {
                return Err(Ec2Error::Timeout {
                    what: format!(
                        "EC2 VPC ({vpc_id}) to be available (current state: {})",
                        vpc.state
                    ),
                    after: timeout,
                });
            }
            tokio::time::sleep(self.poll_interval).await;
        }
    }

    /// CreateVpc, wait `available`, then DNS hostnames on (needed for DNS resolution
    /// across peerings; DNS support is on by default).
    pub(super) async fn create_vpc_impl(
        &self,
        region: &str,
        cidr: Ipv4Net,
        tags: &Tags,
    ) -> Result<String, Ec2Error> {
        let client = self.client(region).await;
        let spec = tag_spec(ResourceType::Vpc, tags);
        let out = self
            .send_create(region, Action::CreateVpc, &[], || {
                client
                    .create_vpc()
                    .cidr_block(cidr.to_string())
                    .set_tag_specifications(spec.clone().map(|s| vec![s]))
                    .send()
            })
            .await?;
        let id = out
            .vpc()
            .and_then(|v| v.vpc_id())
            .ok_or_else(|| no_id("VPC"))?
            .to_string();
        self.remember_created(&id);
        self.wait_vpc_available(region, &id, STATE_TIMEOUT).await?;
        self.enable_dns_hostnames_impl(region, &id).await?;
        Ok(id)
    }

    pub(super) async fn delete_vpc_impl(&self, region: &str, vpc_id: &str) -> Result<(), Ec2Error> {
        let client = self.client(region).await;
        let r = self
            .send(region, Action::DeleteVpc, &[vpc_id], || {
                client.delete_vpc().vpc_id(vpc_id).send()
            })
            .await;
        self.deleted(vpc_id, r.map(drop))
    }

    pub(super) async fn create_subnet_impl(
        &self,
        region: &str,
        vpc_id: &str,
        cidr: Ipv4Net,
        availability_zone: Option<&str>,
        tags: &Tags,
    ) -> Result<String, Ec2Error> {
        let client = self.client(region).await;
        let spec = tag_spec(ResourceType::Subnet, tags);
        let out = self
            .send_create(region, Action::CreateSubnet, &[vpc_id], || {
                client
                    .create_subnet()
                    .vpc_id(vpc_id)
                    .cidr_block(cidr.to_string())
                    .set_availability_zone(availability_zone.map(str::to_string))
                    .set_tag_specifications(spec.clone().map(|s| vec![s]))
                    .send()
            })
            .await?;
        let id = out
            .subnet()
            .and_then(|s| s.subnet_id())
            .ok_or_else(|| no_id("subnet"))?
            .to_string();
        self.remember_created(&id);
        Ok(id)
    }

    pub(super) async fn delete_subnet_impl(
        &self,
        region: &str,
        subnet_id: &str,
    ) -> Result<(), Ec2Error> {
        let client = self.client(region).await;
        let r = self
            .send(region, Action::DeleteSubnet, &[subnet_id], || {
                client.delete_subnet().subnet_id(subnet_id).send()
            })
            .await;
        self.deleted(subnet_id, r.map(drop))
    }

    pub(super) async fn create_route_table_impl(
        &self,
        region: &str,
        vpc_id: &str,
        tags: &Tags,
    ) -> Result<String, Ec2Error> {
        let client = self.client(region).await;
        let spec = tag_spec(ResourceType::RouteTable, tags);
        let token = client_token();
        let out = self
            .send(region, Action::CreateRouteTable, &[vpc_id], || {
                client
                    .create_route_table()
                    .vpc_id(vpc_id)
                    .client_token(&token)
                    .set_tag_specifications(spec.clone().map(|s| vec![s]))
                    .send()
            })
            .await?;
        let id = out
            .route_table()
            .and_then(|t| t.route_table_id())
            .ok_or_else(|| no_id("route table"))?
            .to_string();
        self.remember_created(&id);
        Ok(id)
    }

    pub(super) async fn associate_route_table_impl(
        &self,
        region: &str,
        rtb: &str,
        subnet: &str,
    ) -> Result<String, Ec2Error> {
        let client = self.client(region).await;
        let out = self
            .send_create(region, Action::AssociateRouteTable, &[rtb, subnet], || {
                client
                    .associate_route_table()
                    .route_table_id(rtb)
                    .subnet_id(subnet)
                    .send()
            })
            .await?;
        let id = out
            .association_id()
            .ok_or_else(|| no_id("route table association"))?
            .to_string();
        self.remember_created(&id);
        Ok(id)
    }

    pub(super) async fn disassociate_route_table_impl(
        &self,
        region: &str,
        association_id: &str,
    ) -> Result<(), Ec2Error> {
        let client = self.client(region).await;
        let r = self
            .send(
                region,
                Action::DisassociateRouteTable,
                &[association_id],
                || {
                    client
                        .disassociate_route_table()
                        .association_id(association_id)
                        .send()
                },
            )
            .await;
        self.deleted(association_id, r.map(drop))
    }

    pub(super) async fn delete_route_table_impl(
        &self,
        region: &str,
        rtb: &str,
    ) -> Result<(), Ec2Error> {
        let client = self.client(region).await;
        let r = self
            .send(region, Action::DeleteRouteTable, &[rtb], || {
                client.delete_route_table().route_table_id(rtb).send()
            })
            .await;
        self.deleted(rtb, r.map(drop))
    }
}
