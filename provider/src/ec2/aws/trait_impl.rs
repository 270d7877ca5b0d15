//! `impl Ec2 for AwsEc2`: delegates to the `*_impl` methods of the sibling files.

use std::time::Duration;

use async_trait::async_trait;
use ipnet::{IpNet, Ipv4Net, Ipv6Net};

use super::{sdk_config, AwsEc2};
use crate::ec2::types::{
    IngressRule, InstanceObs, Inventory, PeeringObs, PeeringStatus, RouteTarget, Tags,
};
use crate::ec2::Action;
use crate::ec2::{Ec2, Ec2Error};

impl AwsEc2 {
    /// STS GetCallerIdentity, once per client (in the configured region, or
    /// `us-east-1`; on `endpoints.sts` when set, never on the EC2 endpoint).
    async fn fetch_account_id(&self) -> Result<String, Ec2Error> {
        let sts = sdk_config::sts_client(self.sdk().await, self.config.sts_endpoint.as_deref());
        let region = sts
            .config()
            .region()
            .map(|r| r.to_string())
            .unwrap_or_default();
        let out = self
            .send(&region, Action::GetCallerIdentity, &[], || {
                sts.get_caller_identity().send()
            })
            .await?;
        out.account()
            .map(str::to_string)
            .ok_or_else(|| Ec2Error::Api {
                code: "IncompleteResponse".into(),
                message: "STS answered without an account id".into(),
            })
    }
}

#[async_trait]
impl Ec2 for AwsEc2 {
    async fn account_id(&self) -> Result<String, Ec2Error> {
        self.account_id
            .get_or_try_init(|| self.fetch_account_id())
            .await
            .cloned()
    }

    async fn inventory(
        &self,
        region: &str,
        mesh_id: &str,
        adopted_vpc_ids: &[String],
    ) -> Result<Inventory, Ec2Error> {
        self.inventory_impl(region, mesh_id, adopted_vpc_ids).await
    }

    async fn instances(
        &self,
        region: &str,
        vpc_ids: &[String],
    ) -> Result<Vec<InstanceObs>, Ec2Error> {
        self.instances_impl(region, vpc_ids).await
    }

    async fn create_vpc(
        &self,
        region: &str,
        cidr: Ipv4Net,
        tags: &Tags,
    ) -> Result<String, Ec2Error> {
        self.create_vpc_impl(region, cidr, tags).await
    }

    async fn enable_dns_hostnames(&self, region: &str, vpc_id: &str) -> Result<(), Ec2Error> {
        self.enable_dns_hostnames_impl(region, vpc_id).await
    }

    async fn delete_vpc(&self, region: &str, vpc_id: &str) -> Result<(), Ec2Error> {
        self.delete_vpc_impl(region, vpc_id).await
    }

    async fn create_subnet(
        &self,
        region: &str,
        vpc_id: &str,
        cidr: Ipv4Net,
        availability_zone: Option<&str>,
        tags: &Tags,
    ) -> Result<String, Ec2Error> {
        self.create_subnet_impl(region, vpc_id, cidr, availability_zone, tags)
            .await
    }

    async fn delete_subnet(&self, region: &str, subnet_id: &str) -> Result<(), Ec2Error> {
        self.delete_subnet_impl(region, subnet_id).await
    }

    async fn create_route_table(
        &self,
        region: &str,
        vpc_id: &str,
        tags: &Tags,
    ) -> Result<String, Ec2Error> {
        self.create_route_table_impl(region, vpc_id, tags).await
    }

    async fn associate_route_table(
        &self,
        region: &str,
        route_table_id: &str,
        subnet_id: &str,
    ) -> Result<String, Ec2Error> {
        self.associate_route_table_impl(region, route_table_id, subnet_id)
            .await
    }

    async fn disassociate_route_table(
        &self,
        region: &str,
        association_id: &str,
    ) -> Result<(), Ec2Error> {
        self.disassociate_route_table_impl(region, association_id)
            .await
    }

    async fn delete_route_table(&self, region: &str, route_table_id: &str) -> Result<(), Ec2Error> {
        self.delete_route_table_impl(region, route_table_id).await
    }

    async fn create_internet_gateway(&self, region: &str, tags: &Tags) -> Result<String, Ec2Error> {
        self.create_internet_gateway_impl(region, tags).await
    }

    async fn attach_internet_gateway(
        &self,
        region: &str,
        igw_id: &str,
        vpc_id: &str,
    ) -> Result<(), Ec2Error> {
        self.attach_internet_gateway_impl(region, igw_id, vpc_id)
            .await
    }

    async fn detach_internet_gateway(
        &self,
        region: &str,
        igw_id: &str,
        vpc_id: &str,
    ) -> Result<(), Ec2Error> {
        self.detach_internet_gateway_impl(region, igw_id, vpc_id)
            .await
    }

    async fn delete_internet_gateway(&self, region: &str, igw_id: &str) -> Result<(), Ec2Error> {
        self.delete_internet_gateway_impl(region, igw_id).await
    }

    async fn put_route(
        &self,
        region: &str,
        route_table_id: &str,
        destination: IpNet,
        target: &RouteTarget,
    ) -> Result<(), Ec2Error> {
        self.put_route_impl(region, route_table_id, destination, target)
            .await
    }

    async fn delete_route(
        &self,
        region: &str,
        route_table_id: &str,
        destination: IpNet,
    ) -> Result<(), Ec2Error> {
        self.delete_route_impl(region, route_table_id, destination)
            .await
    }

    async fn associate_vpc_ipv6(&self, region: &str, vpc_id: &str) -> Result<String, Ec2Error> {
        self.associate_vpc_ipv6_impl(region, vpc_id).await
    }

    async fn disassociate_vpc_cidr(
        &self,
        region: &str,
        association_id: &str,
    ) -> Result<(), Ec2Error> {
        self.disassociate_vpc_cidr_impl(region, association_id)
            .await
    }

    async fn associate_subnet_ipv6(
        &self,
        region: &str,
        subnet_id: &str,
        cidr: Ipv6Net,
    ) -> Result<String, Ec2Error> {
        self.associate_subnet_ipv6_impl(region, subnet_id, cidr)
            .await
    }

    async fn disassociate_subnet_cidr(
        &self,
        region: &str,
        association_id: &str,
    ) -> Result<(), Ec2Error> {
        self.disassociate_subnet_cidr_impl(region, association_id)
            .await
    }

    async fn create_security_group(
        &self,
        region: &str,
        vpc_id: &str,
        name: &str,
        description: &str,
        tags: &Tags,
    ) -> Result<String, Ec2Error> {
        self.create_security_group_impl(region, vpc_id, name, description, tags)
            .await
    }

    async fn delete_security_group(&self, region: &str, group_id: &str) -> Result<(), Ec2Error> {
        self.delete_security_group_impl(region, group_id).await
    }

    async fn authorize_ingress(
        &self,
        region: &str,
        group_id: &str,
        rules: &[IngressRule],
    ) -> Result<(), Ec2Error> {
        self.authorize_ingress_impl(region, group_id, rules).await
    }

    async fn revoke_ingress(
        &self,
        region: &str,
        group_id: &str,
        rules: &[IngressRule],
    ) -> Result<(), Ec2Error> {
        self.revoke_ingress_impl(region, group_id, rules).await
    }

    async fn create_peering(
        &self,
        region: &str,
        vpc_id: &str,
        peer_vpc_id: &str,
        peer_region: &str,
        tags: &Tags,
    ) -> Result<String, Ec2Error> {
        self.create_peering_impl(region, vpc_id, peer_vpc_id, peer_region, None, tags)
            .await
    }

    async fn create_peering_to_account(
        &self,
        region: &str,
        vpc_id: &str,
        peer_vpc_id: &str,
        peer_region: &str,
        peer_owner_id: &str,
        tags: &Tags,
    ) -> Result<String, Ec2Error> {
        let owner = Some(peer_owner_id);
        self.create_peering_impl(region, vpc_id, peer_vpc_id, peer_region, owner, tags)
            .await
    }

    async fn set_peering_dns_side(
        &self,
        region: &str,
        peering_id: &str,
        requester_side: bool,
        allow: bool,
    ) -> Result<(), Ec2Error> {
        self.set_peering_dns_side_impl(region, peering_id, requester_side, allow)
            .await
    }

    async fn accept_peering(
        &self,
        accepter_region: &str,
        peering_id: &str,
    ) -> Result<(), Ec2Error> {
        self.accept_peering_impl(accepter_region, peering_id).await
    }

    async fn describe_peering(
        &self,
        region: &str,
        peering_id: &str,
    ) -> Result<PeeringObs, Ec2Error> {
        self.status_peering(region, peering_id).await
    }

    async fn wait_peering(
        &self,
        region: &str,
        peering_id: &str,
        target: &[PeeringStatus],
        timeout: Duration,
    ) -> Result<PeeringObs, Ec2Error> {
        self.wait_peering_impl(region, peering_id, target, timeout)
            .await
    }

    async fn set_peering_dns(
        &self,
        requester_region: &str,
        accepter_region: &str,
        peering_id: &str,
        allow: bool,
    ) -> Result<(), Ec2Error> {
        self.set_peering_dns_impl(requester_region, accepter_region, peering_id, allow)
            .await
    }

    async fn delete_peering(&self, region: &str, peering_id: &str) -> Result<(), Ec2Error> {
        self.delete_peering_impl(region, peering_id).await
    }

    async fn set_tags(
        &self,
        region: &str,
        resource_ids: &[String],
        add: &Tags,
        remove: &[String],
    ) -> Result<(), Ec2Error> {
        self.set_tags_impl(region, resource_ids, add, remove).await
    }
}
