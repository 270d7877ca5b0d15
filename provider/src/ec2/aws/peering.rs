//! VPC peering connections: create, accept, find/status/wait, DNS options, delete.

use aws_sdk_ec2::types::{PeeringConnectionOptionsRequest, ResourceType};

use super::convert::{flatten_peering, tag_spec};
use super::errors::{api_code, gone_is_done};
use super::network::no_id;
use super::{AwsEc2, STATE_TIMEOUT};
use crate::ec2::types::{PeeringObs, PeeringStatus, Tags};
use crate::ec2::Action;
use crate::ec2::Ec2Error;

fn peering_not_found(id: &str) -> Ec2Error {
    Ec2Error::NotFound {
        kind: "VPC peering connection",
        id: id.to_string(),
    }
}

impl AwsEc2 {
    pub(super) async fn create_peering_impl(
        &self,
        region: &str,
        vpc_id: &str,
        peer_vpc_id: &str,
        peer_region: &str,
        peer_owner_id: Option<&str>,
        tags: &Tags,
    ) -> Result<String, Ec2Error> {
        let client = self.client(region).await;
        let spec = tag_spec(ResourceType::VpcPeeringConnection, tags);
        let out = self
            .send_create(
                region,
                Action::CreateVpcPeeringConnection,
                &[vpc_id, peer_vpc_id],
                || {
                    client
                        .create_vpc_peering_connection()
                        .vpc_id(vpc_id)
                        .peer_vpc_id(peer_vpc_id)
                        .peer_region(peer_region)
                        .set_peer_owner_id(peer_owner_id.map(str::to_string))
                        .set_tag_specifications(spec.clone().map(|s| vec![s]))
                        .send()
                },
            )
            .await?;
        let id = out
            .vpc_peering_connection()
            .and_then(|p| p.vpc_peering_connection_id())
            .ok_or_else(|| no_id("VPC peering connection"))?
            .to_string();
        self.remember_created(&id);
        Ok(id)
    }

    /// The peering in any state, terminal ones included; NotFound when EC2 does not
    /// know it (or answers about another id).
    pub(super) async fn find_peering_by_id(
        &self,
        region: &str,
        id: &str,
    ) -> Result<PeeringObs, Ec2Error> {
        let client = self.client(region).await;
        let out = self
            .send(region, Action::DescribeVpcPeeringConnections, &[id], || {
                client
                    .describe_vpc_peering_connections()
                    .vpc_peering_connection_ids(id)
                    .send()
            })
            .await?;
        out.vpc_peering_connections()
            .iter()
            .filter_map(|p| flatten_peering(p, region))
            .find(|p| p.id == id)
            .ok_or_else(|| peering_not_found(id))
    }

    /// The peering unless it is gone or dead (terminal states count as NotFound).
    pub(super) async fn status_peering(
        &self,
        region: &str,
        id: &str,
    ) -> Result<PeeringObs, Ec2Error> {
        let p = self.find_peering_by_id(region, id).await?;
        if p.status.is_terminal() {
            return Err(peering_not_found(id));
        }
        Ok(p)
    }

    /// Accepting an already active peering (a retry after a lost answer) is success.
    pub(super) async fn accept_peering_impl(
        &self,
        accepter_region: &str,
        id: &str,
    ) -> Result<(), Ec2Error> {
        let client = self.client(accepter_region).await;
        let r = self
            .send(
                accepter_region,
                Action::AcceptVpcPeeringConnection,
                &[id],
                || {
                    client
                        .accept_vpc_peering_connection()
                        .vpc_peering_connection_id(id)
                        .send()
                },
            )
            .await;
        match r {
            Err(e) if api_code(&e) == Some("InvalidStateTransition") => {
                let p = self.find_peering_by_id(accepter_region, id).await?;
                match p.status {
                    PeeringStatus::Active | PeeringStatus::Provisioning => Ok(()),
                    _ => Err(e),
                }
            }
            other => other.map(drop),
        }
    }

    /// Each side's AllowDnsResolutionFromRemoteVpc is set in that side's region; one
    /// call when both sides share a region.
    pub(super) async fn set_peering_dns_impl(
        &self,
        requester_region: &str,
        accepter_region: &str,
        id: &str,
        allow: bool,
    ) -> Result<(), Ec2Error> {
        let options = PeeringConnectionOptionsRequest::builder()
            .allow_dns_resolution_from_remote_vpc(allow)
            .build();
        let same_region = requester_region == accepter_region;
        let client = self.client(requester_region).await;
        self.send(
            requester_region,
            Action::ModifyVpcPeeringConnectionOptions,
            &[id],
            || {
                let call = client
                    .modify_vpc_peering_connection_options()
                    .vpc_peering_connection_id(id)
                    .requester_peering_connection_options(options.clone());
                if same_region {
                    call.accepter_peering_connection_options(options.clone())
                        .send()
                } else {
                    call.send()
                }
            },
        )
        .await?;
        if !same_region {
            let client = self.client(accepter_region).await;
            self.send(
                accepter_region,
                Action::ModifyVpcPeeringConnectionOptions,
                &[id],
                || {
                    client
                        .modify_vpc_peering_connection_options()
                        .vpc_peering_connection_id(id)
                        .accepter_peering_connection_options(options.clone())
                        .send()
                },
            )
            .await?;
        }
        Ok(())
    }

    /// One side's AllowDnsResolutionFromRemoteVpc, in that side's region.
    pub(super) async fn set_peering_dns_side_impl(
        &self,
        region: &str,
        id: &str,
        requester_side: bool,
        allow: bool,
    ) -> Result<(), Ec2Error> {
        let options = PeeringConnectionOptionsRequest::builder()
            .allow_dns_resolution_from_remote_vpc(allow)
            .build();
        let client = self.client(region).await;
        self.send(
            region,
            Action::ModifyVpcPeeringConnectionOptions,
            &[id],
            || {
                let call = client
                    .modify_vpc_peering_connection_options()
                    .vpc_peering_connection_id(id);
                if requester_side {
                    call.requester_peering_connection_options(options.clone())
                        .send()
                } else {
                    call.accepter_peering_connection_options(options.clone())
                        .send()
                }
            },
        )
        .await
        .map(drop)
    }

    /// DeleteVpcPeeringConnection, then wait until EC2 reports it `deleted` (or forgets it).
    pub(super) async fn delete_peering_impl(&self, region: &str, id: &str) -> Result<(), Ec2Error> {
        let client = self.client(region).await;
        let deleted = self
            .send(region, Action::DeleteVpcPeeringConnection, &[id], || {
                client
                    .delete_vpc_peering_connection()
                    .vpc_peering_connection_id(id)
                    .send()
            })
            .await;
        match deleted {
            // Rejected, failed or expired peerings cannot be deleted; they are gone already.
            Err(e) if api_code(&e) == Some("InvalidStateTransition") => {
                let p = self.find_peering_by_id(region, id).await;
                return match p {
                    Ok(p) if p.status.is_terminal() => Ok(()),
                    Err(Ec2Error::NotFound { .. }) => Ok(()),
                    _ => Err(e),
                };
            }
            other => self.deleted(id, other.map(drop))?,
        }
        let terminal = [
            PeeringStatus::Deleted,
            PeeringStatus::Rejected,
            PeeringStatus::Failed,
            PeeringStatus::Expired,
        ];
        gone_is_done(
            self.wait_peering_impl(region, id, &terminal, STATE_TIMEOUT)
                .await
                .map(drop),
        )
    }
}
