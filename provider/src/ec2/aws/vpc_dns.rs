//! The `enableDnsHostnames` attribute of VPCs: read for the mesh's own VPCs in
//! `inventory`, turned on at create and when it drifted off.
//!
//! DescribeVpcs does not return VPC attributes, and DescribeVpcAttribute takes one VPC
//! and one attribute per call: reading it costs one request per VPC the mesh owns in
//! the region, on every refresh. They run concurrently (paced like every request).

use std::collections::BTreeMap;

use aws_sdk_ec2::types::{AttributeBooleanValue, VpcAttributeName};
use futures::future::join_all;

use super::errors::api_code;
use super::AwsEc2;
use crate::ec2::Action;
use crate::ec2::Ec2Error;

/// Answers that leave the attribute unread rather than failing the whole inventory: the
/// read-only credentials of the `peering_connectivity` data source may lack
/// `ec2:DescribeVpcAttribute`, and a VPC deleted meanwhile has no attribute.
fn unreadable(err: &Ec2Error) -> bool {
    matches!(err, Ec2Error::NotFound { .. })
        || matches!(
            api_code(err),
            Some("UnauthorizedOperation" | "AccessDenied" | "AccessDeniedException")
        )
}

impl AwsEc2 {
    /// DNS hostnames of each of `vpc_ids` that could be read.
    pub(super) async fn dns_hostnames(
        &self,
        region: &str,
        vpc_ids: &[String],
    ) -> Result<BTreeMap<String, bool>, Ec2Error> {
        let client = self.client(region).await;
        let reads = vpc_ids.iter().map(|vpc_id| {
            let client = client.clone();
            async move {
                let out = self
                    .send(
                        region,
                        Action::DescribeVpcAttribute,
                        &[vpc_id.as_str()],
                        || {
                            client
                                .describe_vpc_attribute()
                                .vpc_id(vpc_id)
                                .attribute(VpcAttributeName::EnableDnsHostnames)
                                .send()
                        },
                    )
                    .await;
                match out {
                    Ok(out) => Ok(out
                        .enable_dns_hostnames()
                        .and_then(|a| a.value())
                        .map(|on| (vpc_id.clone(), on))),
                    Err(e) if unreadable(&e) => Ok(None),
                    Err(e) => Err(e),
                }
            }
        });
        let mut found = BTreeMap::new();
        for read in join_all(reads).await {
            found.extend(read?);
        }
        Ok(found)
    }

    /// ModifyVpcAttribute: DNS hostnames on (DNS resolution across peerings needs them;
    /// DNS support is on by default).
    pub(super) async fn enable_dns_hostnames_impl(
        &self,
        region: &str,
        vpc_id: &str,
    ) -> Result<(), Ec2Error> {
        let client = self.client(region).await;
        let on = AttributeBooleanValue::builder().value(true).build();
        self.send(region, Action::ModifyVpcAttribute, &[vpc_id], || {
            client
                .modify_vpc_attribute()
                .vpc_id(vpc_id)
                .enable_dns_hostnames(on.clone())
                .send()
        })
        .await
        .map(drop)
    }
}
