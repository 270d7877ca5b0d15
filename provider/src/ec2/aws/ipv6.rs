//! IPv6 blocks: an Amazon-provided /56 per VPC, a /64 of it per subnet.

use ipnet::Ipv6Net;

use super::network::no_id;
use super::AwsEc2;
use crate::ec2::Action;
use crate::ec2::Ec2Error;

impl AwsEc2 {
    pub(super) async fn associate_vpc_ipv6_impl(
        &self,
        region: &str,
        vpc_id: &str,
    ) -> Result<String, Ec2Error> {
        let client = self.client(region).await;
        let out = self
            .send(region, Action::AssociateVpcCidrBlock, &[vpc_id], || {
                client
                    .associate_vpc_cidr_block()
                    .vpc_id(vpc_id)
                    .amazon_provided_ipv6_cidr_block(true)
                    .send()
            })
            .await?;
        association_id(
            out.ipv6_cidr_block_association()
                .and_then(|a| a.association_id()),
        )
    }

    pub(super) async fn disassociate_vpc_cidr_impl(
        &self,
        region: &str,
        association_id: &str,
    ) -> Result<(), Ec2Error> {
        let client = self.client(region).await;
        let r = self
            .send(region, Action::DisassociateVpcCidrBlock, &[], || {
                client
                    .disassociate_vpc_cidr_block()
                    .association_id(association_id)
                    .send()
            })
            .await;
        self.deleted(association_id, r.map(drop))
    }

    /// The block goes canonical (compressed, lower case): emulators compare it as text.
    pub(super) async fn associate_subnet_ipv6_impl(
        &self,
        region: &str,
        subnet_id: &str,
        cidr: Ipv6Net,
    ) -> Result<String, Ec2Error> {
        let client = self.client(region).await;
        let out = self
            .send(
                region,
                Action::AssociateSubnetCidrBlock,
                &[subnet_id],
                || {
                    client
                        .associate_subnet_cidr_block()
                        .subnet_id(subnet_id)
                        .ipv6_cidr_block(cidr.to_string())
                        .send()
                },
            )
            .await?;
        association_id(
            out.ipv6_cidr_block_association()
                .and_then(|a| a.association_id()),
        )
    }

    pub(super) async fn disassociate_subnet_cidr_impl(
        &self,
        region: &str,
        association_id: &str,
    ) -> Result<(), Ec2Error> {
        let client = self.client(region).await;
        let r = self
            .send(region, Action::DisassociateSubnetCidrBlock, &[], || {
                client
                    .disassociate_subnet_cidr_block()
                    .association_id(association_id)
                    .send()
            })
            .await;
        self.deleted(association_id, r.map(drop))
    }
}

/// The id of the association an Associate*CidrBlock call made.
fn association_id(id: Option<&str>) -> Result<String, Ec2Error> {
    id.map(str::to_string)
        .ok_or_else(|| no_id("IPv6 block association"))
}
