//! Internet gateways (a detach waits until EC2 shows the gateway detached) and routes.

use ipnet::IpNet;

use super::convert::{filter, tag_spec};
use super::errors::{api_code, gone_is_done};
use super::network::no_id;
use super::{AwsEc2, STATE_TIMEOUT};
use crate::ec2::types::{RouteTarget, Tags};
use crate::ec2::Action;
use crate::ec2::Ec2Error;
use aws_sdk_ec2::types::ResourceType;
use tokio::time::Instant;

impl AwsEc2 {
    pub(super) async fn create_internet_gateway_impl(
        &self,
        region: &str,
        tags: &Tags,
    ) -> Result<String, Ec2Error> {
        let client = self.client(region).await;
        let spec = tag_spec(ResourceType::InternetGateway, tags);
        let out = self
            .send_create(region, Action::CreateInternetGateway, &[], || {
                client
                    .create_internet_gateway()
                    .set_tag_specifications(spec.clone().map(|s| vec![s]))
                    .send()
            })
            .await?;
        let id = out
            .internet_gateway()
            .and_then(|g| g.internet_gateway_id())
            .ok_or_else(|| no_id("internet gateway"))?
            .to_string();
        self.remember_created(&id);
        Ok(id)
    }

    /// Already attached to this VPC (e.g. a retry after a lost answer) is success.
    pub(super) async fn attach_internet_gateway_impl(
        &self,
        region: &str,
        igw: &str,
        vpc_id: &str,
    ) -> Result<(), Ec2Error> {
        let client = self.client(region).await;
        let r = self
            .send(
                region,
                Action::AttachInternetGateway,
                &[igw, vpc_id],
                || {
                    client
                        .attach_internet_gateway()
                        .internet_gateway_id(igw)
                        .vpc_id(vpc_id)
                        .send()
                },
            )
            .await;
        match r {
            Err(e) if api_code(&e) == Some("Resource.AlreadyAssociated") => {
                let out = self
                    .send(region, Action::DescribeInternetGateways, &[igw], || {
                        client
                            .describe_internet_gateways()
                            .filters(filter("internet-gateway-id", [igw]))
                            .send()
                    })
                    .await?;
                let attached_here = out.internet_gateways().iter().any(|g| {
                    g.internet_gateway_id() == Some(igw)
                        && g.attachments().iter().any(|a| a.vpc_id() == Some(vpc_id))
                });
                if attached_here {
                    Ok(())
                } else {
                    Err(e)
                }
            }
            other => other.map(drop),
        }
    }

    /// Not attached (any more) is success, like NotFound.
    pub(super) async fn detach_internet_gateway_impl(
        &self,
        region: &str,
        igw: &str,
        vpc_id: &str,
    ) -> Result<(), Ec2Error> {
        let client = self.client(region).await;
        let r = self
            .send(
                region,
                Action::DetachInternetGateway,
                &[igw, vpc_id],
                || {
                    client
                        .detach_internet_gateway()
                        .internet_gateway_id(igw)
                        .vpc_id(vpc_id)
                        .send()
                },
            )
            .await;
        match r {
            Err(e) if api_code(&e) == Some("Gateway.NotAttached") => {}
            other => gone_is_done(other.map(drop))?,
        }
        self.wait_igw_detached(region, igw, vpc_id).await
    }

    /// Polls DescribeInternetGateways until the gateway no longer lists an attachment
    /// to `vpc_id` (not even `detaching`): deleting it, or the VPC, before that answers
    /// `DependencyViolation`. A gateway that is gone counts as detached.
    async fn wait_igw_detached(
        &self,
        region: &str,
        igw: &str,
        vpc_id: &str,
    ) -> Result<(), Ec2Error> {
        let client = self.client(region).await;
        let deadline = Instant::now() + STATE_TIMEOUT;
        loop {
            let out = self
                .send(region, Action::DescribeInternetGateways, &[igw], || {
                    client
                        .describe_internet_gateways()
                        .filters(filter("internet-gateway-id", [igw]))
                        .send()
                })
                .await?;
            let state = out
                .internet_gateways()
                .iter()
                .filter(|g| g.internet_gateway_id() == Some(igw))
                .flat_map(|g| g.attachments())
                .find(|a| a.vpc_id() == Some(vpc_id))
                .map(|a| a.state().map_or("attached", |s| s.as_str()).to_string())
                .filter(|state| state != "detached");
            let Some(state) = state else {
                return Ok(());
            };
            if Instant::now() + self.poll_interval > deadline {
                return Err(Ec2Error::Timeout {
                    what: format!(
                        "EC2 Internet Gateway ({igw}) to detach from {vpc_id} (current state: {state})"
                    ),
                    after: STATE_TIMEOUT,
                });
            }
            tokio::time::sleep(self.poll_interval).await;
        }
    }

    pub(super) async fn delete_internet_gateway_impl(
        &self,
        region: &str,
        igw: &str,
    ) -> Result<(), Ec2Error> {
        let client = self.client(region).await;
        let r = self
            .send(region, Action::DeleteInternetGateway, &[igw], || {
                client
                    .delete_internet_gateway()
                    .internet_gateway_id(igw)
                    .send()
            })
            .await;
        self.deleted(igw, r.map(drop))
    }

    /// CreateRoute; when the destination is taken, ReplaceRoute.
    pub(super) async fn put_route_impl(
        &self,
        region: &str,
        rtb: &str,
        dest: IpNet,
        target: &RouteTarget,
    ) -> Result<(), Ec2Error> {
        let client = self.client(region).await;
        let (v4, v6) = destination_fields(dest);
        let (gateway, peering) = match target {
            RouteTarget::Gateway(igw) => (Some(igw.clone()), None),
            RouteTarget::Peering(pcx) => (None, Some(pcx.clone())),
            RouteTarget::Local | RouteTarget::Other(_) => {
                return Err(Ec2Error::Api {
                    code: "InvalidParameterValue".into(),
                    message: "the mesh only routes to internet gateways and peerings".into(),
                })
            }
        };
        let target_id = gateway
            .as_deref()
            .or(peering.as_deref())
            .unwrap_or_default();
        let ids = [rtb, target_id];
        let created = self
            .send(region, Action::CreateRoute, &ids, || {
                client
                    .create_route()
                    .route_table_id(rtb)
                    .set_destination_cidr_block(v4.clone())
                    .set_destination_ipv6_cidr_block(v6.clone())
                    .set_gateway_id(gateway.clone())
                    .set_vpc_peering_connection_id(peering.clone())
                    .send()
            })
            .await;
        match created {
            Err(e) if api_code(&e) == Some("RouteAlreadyExists") => self
                .send(region, Action::ReplaceRoute, &ids, || {
                    client
                        .replace_route()
                        .route_table_id(rtb)
                        .set_destination_cidr_block(v4.clone())
                        .set_destination_ipv6_cidr_block(v6.clone())
                        .set_gateway_id(gateway.clone())
                        .set_vpc_peering_connection_id(peering.clone())
                        .send()
                })
                .await
                .map(drop),
            other => other.map(drop),
        }
    }

    pub(super) async fn delete_route_impl(
        &self,
        region: &str,
        rtb: &str,
        dest: IpNet,
    ) -> Result<(), Ec2Error> {
        let client = self.client(region).await;
        let (v4, v6) = destination_fields(dest);
        let r = self
            .send(region, Action::DeleteRoute, &[rtb], || {
                client
                    .delete_route()
                    .route_table_id(rtb)
                    .set_destination_cidr_block(v4.clone())
                    .set_destination_ipv6_cidr_block(v6.clone())
                    .send()
            })
            .await;
        gone_is_done(r.map(drop))
    }
}

/// (DestinationCidrBlock, DestinationIpv6CidrBlock): EC2 takes each family in its own
/// field. Written canonical (compressed, lower case): emulators compare them as text.
fn destination_fields(dest: IpNet) -> (Option<String>, Option<String>) {
    match dest {
        IpNet::V4(v4) => (Some(v4.to_string()), None),
        IpNet::V6(v6) => (None, Some(v6.to_string())),
    }
}
