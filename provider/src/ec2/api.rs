//! The narrow, domain-typed EC2 interface the mesh executor uses. One implementation
//! talks to AWS (or the local emulator) through aws-sdk-ec2; tests use an in-memory fake.
//!
//! Conventions every implementation keeps:
//! - every create tags the object in the same call (TagSpecifications), so an object that
//!   exists is always findable by its tags, even if the response was lost;
//! - creates retry `...NotFound` of objects we just created (eventual consistency), and
//!   throttling / 5xx, within `max_retries`, pacing themselves per API category;
//! - deletes treat NotFound as done; waits honour the given timeout and cancellation.

use std::time::Duration;

use async_trait::async_trait;
use ipnet::{IpNet, Ipv4Net, Ipv6Net};

use crate::wording::seconds;

use super::types::{
    IngressRule, InstanceObs, Inventory, PeeringObs, PeeringStatus, RouteTarget, Tags,
};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Ec2Error {
    /// The object does not exist (or, for peerings, is in a terminal state).
    #[error("{kind} {id} not found")]
    NotFound { kind: &'static str, id: String },
    /// AWS refused: bad request, limit exceeded, permission denied... `code` is the EC2
    /// error code (e.g. `VpcLimitExceeded`), `message` its text.
    #[error("{code}: {message}")]
    Api { code: String, message: String },
    /// Retries exhausted on throttling or server errors: the last failure, as it was.
    #[error("{last} (still failing after {attempts} attempts)")]
    Exhausted { attempts: u32, last: Box<Ec2Error> },
    /// A wait did not reach its target state in time.
    #[error("timed out after {} waiting for {what}", seconds(*after))]
    Timeout { what: String, after: Duration },
    /// Credentials, endpoint or network trouble before EC2 answered; a sentence for the
    /// user (never an SDK debug dump).
    #[error("{0}")]
    Transport(String),
    #[error("cancelled")]
    Cancelled,
    /// A peering turned `failed`, `rejected` or `expired` while it was waited on: it will
    /// never carry traffic. `message` is EC2's status message (e.g. why it failed).
    #[error("{}", peering_failed_text(.id, *.status, .message.as_deref()))]
    PeeringFailed {
        id: String,
        status: PeeringStatus,
        message: Option<String>,
    },
}

/// "VPC peering connection pcx-1 is failed: Overlapping CIDR range. A failed peering
/// never becomes active."
fn peering_failed_text(id: &str, status: PeeringStatus, message: Option<&str>) -> String {
    let status = status.as_str();
    let why = message
        .map(|m| m.trim().trim_end_matches('.'))
        .filter(|m| !m.is_empty())
        .map_or_else(|| " (EC2 gave no reason)".to_string(), |m| format!(": {m}"));
    format!(
        "VPC peering connection {id} is {status}{why}. A {status} peering never becomes active."
    )
}

impl Ec2Error {
    /// EC2 may have done what was asked although the call failed: the answer was lost or
    /// cut off, or EC2 failed internally part-way. A create that failed like this is
    /// looked for by its tags before it is made again.
    pub fn may_have_taken_effect(&self) -> bool {
        match self {
            Ec2Error::Api { code, .. } => {
                matches!(code.as_str(), "InternalError" | "InternalFailure")
                    || code
                        .strip_prefix("HTTP ")
                        .and_then(|s| s.parse::<u16>().ok())
                        .is_some_and(|s| s >= 500 && s != 503)
            }
            Ec2Error::Exhausted { last, .. } => last.may_have_taken_effect(),
            Ec2Error::Transport(_) | Ec2Error::Timeout { .. } | Ec2Error::Cancelled => true,
            Ec2Error::NotFound { .. } | Ec2Error::PeeringFailed { .. } => false,
        }
    }

    /// The EC2 error code, when EC2 answered with one.
    pub fn code(&self) -> Option<&str> {
        match self {
            Ec2Error::Api { code, .. } => Some(code),
            Ec2Error::Exhausted { last, .. } => last.code(),
            _ => None,
        }
    }
}

#[async_trait]
pub trait Ec2: Send + Sync {
    /// Account id of the credentials in use (part of the mesh id).
    async fn account_id(&self) -> Result<String, Ec2Error>;

    /// Everything tagged `peering:mesh = mesh_id` in `region`, plus route tables,
    /// security groups and subnets inside `adopted_vpc_ids` (VPCs the mesh uses but
    /// does not own). A constant number of filtered, paginated Describe calls, plus one
    /// DescribeVpcAttribute per VPC tagged with this mesh (its DNS hostnames, see
    /// [`VpcObs::dns_hostnames`](super::types::VpcObs); None for adopted VPCs and
    /// when the credentials may not read the attribute).
    /// The adopted VPCs themselves are listed in `vpcs` too (when they exist).
    /// Peerings are listed in their requester's region only (a cross-region peering
    /// appears once across regions) and only while not terminal (see
    /// [`PeeringStatus::is_terminal`]).
    async fn inventory(
        &self,
        region: &str,
        mesh_id: &str,
        adopted_vpc_ids: &[String],
    ) -> Result<Inventory, Ec2Error>;

    /// The instances in `vpc_ids` of `region`, terminated ones left out: one filtered,
    /// paginated DescribeInstances per 200 VPCs (none for no VPC). Instances without a
    /// private IPv4 address, VPC or subnet are left out too.
    async fn instances(
        &self,
        region: &str,
        vpc_ids: &[String],
    ) -> Result<Vec<InstanceObs>, Ec2Error>;

    /// CreateVpc with tags, then waits until `available`, then enables DNS hostnames
    /// (ModifyVpcAttribute; DNS resolution across a peering needs them).
    async fn create_vpc(
        &self,
        region: &str,
        cidr: Ipv4Net,
        tags: &Tags,
    ) -> Result<String, Ec2Error>;
    async fn delete_vpc(&self, region: &str, vpc_id: &str) -> Result<(), Ec2Error>;
    /// ModifyVpcAttribute `enableDnsHostnames = true` (what `create_vpc` does), to repair
    /// a VPC of the mesh whose DNS hostnames someone turned off.
    async fn enable_dns_hostnames(&self, region: &str, vpc_id: &str) -> Result<(), Ec2Error>;

    async fn create_subnet(
        &self,
        region: &str,
        vpc_id: &str,
        cidr: Ipv4Net,
        availability_zone: Option<&str>,
        tags: &Tags,
    ) -> Result<String, Ec2Error>;
    async fn delete_subnet(&self, region: &str, subnet_id: &str) -> Result<(), Ec2Error>;

    async fn create_route_table(
        &self,
        region: &str,
        vpc_id: &str,
        tags: &Tags,
    ) -> Result<String, Ec2Error>;
    /// Returns the association id.
    async fn associate_route_table(
        &self,
        region: &str,
        route_table_id: &str,
        subnet_id: &str,
    ) -> Result<String, Ec2Error>;
    async fn disassociate_route_table(
        &self,
        region: &str,
        association_id: &str,
    ) -> Result<(), Ec2Error>;
    async fn delete_route_table(&self, region: &str, route_table_id: &str) -> Result<(), Ec2Error>;

    async fn create_internet_gateway(&self, region: &str, tags: &Tags) -> Result<String, Ec2Error>;
    async fn attach_internet_gateway(
        &self,
        region: &str,
        igw_id: &str,
        vpc_id: &str,
    ) -> Result<(), Ec2Error>;
    async fn detach_internet_gateway(
        &self,
        region: &str,
        igw_id: &str,
        vpc_id: &str,
    ) -> Result<(), Ec2Error>;
    async fn delete_internet_gateway(&self, region: &str, igw_id: &str) -> Result<(), Ec2Error>;

    /// CreateRoute; an existing route to the same destination is replaced (ReplaceRoute).
    async fn put_route(
        &self,
        region: &str,
        route_table_id: &str,
        destination: IpNet,
        target: &RouteTarget,
    ) -> Result<(), Ec2Error>;
    async fn delete_route(
        &self,
        region: &str,
        route_table_id: &str,
        destination: IpNet,
    ) -> Result<(), Ec2Error>;

    async fn create_security_group(
        &self,
        region: &str,
        vpc_id: &str,
        name: &str,
        description: &str,
        tags: &Tags,
    ) -> Result<String, Ec2Error>;
    async fn delete_security_group(&self, region: &str, group_id: &str) -> Result<(), Ec2Error>;
    /// One AuthorizeSecurityGroupIngress call for all `rules`; rules that already exist
    /// are not an error.
    async fn authorize_ingress(
        &self,
        region: &str,
        group_id: &str,
        rules: &[IngressRule],
    ) -> Result<(), Ec2Error>;
    async fn revoke_ingress(
        &self,
        region: &str,
        group_id: &str,
        rules: &[IngressRule],
    ) -> Result<(), Ec2Error>;

    /// CreateVpcPeeringConnection from the requester's region.
    async fn create_peering(
        &self,
        region: &str,
        vpc_id: &str,
        peer_vpc_id: &str,
        peer_region: &str,
        tags: &Tags,
    ) -> Result<String, Ec2Error>;
    /// CreateVpcPeeringConnection toward a VPC of another account: `peer_owner_id` is
    /// that account's id (PeerOwnerId; EC2 does not find the peer VPC without it). The
    /// accepter's account must accept it.
    async fn create_peering_to_account(
        &self,
        region: &str,
        vpc_id: &str,
        peer_vpc_id: &str,
        peer_region: &str,
        peer_owner_id: &str,
        tags: &Tags,
    ) -> Result<String, Ec2Error>;
    /// AcceptVpcPeeringConnection, called in the accepter's region.
    async fn accept_peering(&self, accepter_region: &str, peering_id: &str)
        -> Result<(), Ec2Error>;
    async fn describe_peering(
        &self,
        region: &str,
        peering_id: &str,
    ) -> Result<PeeringObs, Ec2Error>;
    /// Polls until the peering reaches one of `target` (NotFound when it turns terminal
    /// and that was not the target), or `timeout` passes.
    async fn wait_peering(
        &self,
        region: &str,
        peering_id: &str,
        target: &[PeeringStatus],
        timeout: Duration,
    ) -> Result<PeeringObs, Ec2Error>;
    /// AllowDnsResolutionFromRemoteVpc for both sides (each side in its own region).
    async fn set_peering_dns(
        &self,
        requester_region: &str,
        accepter_region: &str,
        peering_id: &str,
        allow: bool,
    ) -> Result<(), Ec2Error>;
    /// AllowDnsResolutionFromRemoteVpc for one side only (the requester's when
    /// `requester_side`), called in that side's region with that side's account: across
    /// accounts each side sets its own.
    async fn set_peering_dns_side(
        &self,
        region: &str,
        peering_id: &str,
        requester_side: bool,
        allow: bool,
    ) -> Result<(), Ec2Error>;
    /// DeleteVpcPeeringConnection and wait for `deleted`.
    async fn delete_peering(&self, region: &str, peering_id: &str) -> Result<(), Ec2Error>;

    /// AssociateVpcCidrBlock with an Amazon-provided IPv6 /56 (EC2 picks the block; the
    /// next inventory shows it). Returns the association id.
    async fn associate_vpc_ipv6(&self, region: &str, vpc_id: &str) -> Result<String, Ec2Error>;
    /// DisassociateVpcCidrBlock of an IPv6 block association; one that is gone is done.
    async fn disassociate_vpc_cidr(
        &self,
        region: &str,
        association_id: &str,
    ) -> Result<(), Ec2Error>;
    /// AssociateSubnetCidrBlock of a /64 of the VPC's IPv6 block. Returns the
    /// association id.
    async fn associate_subnet_ipv6(
        &self,
        region: &str,
        subnet_id: &str,
        cidr: Ipv6Net,
    ) -> Result<String, Ec2Error>;
    /// DisassociateSubnetCidrBlock; one that is gone is done.
    async fn disassociate_subnet_cidr(
        &self,
        region: &str,
        association_id: &str,
    ) -> Result<(), Ec2Error>;

    /// CreateTags / DeleteTags to make `tags` the full set of our managed tags.
    async fn set_tags(
        &self,
        region: &str,
        resource_ids: &[String],
        add: &Tags,
        remove: &[String],
    ) -> Result<(), Ec2Error>;
}
