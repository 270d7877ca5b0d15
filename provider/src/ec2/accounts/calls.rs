//! `impl Ec2 for AccountsEc2`: most calls go to the place's account with the bare
//! region; peerings between accounts involve both.

use std::time::Duration;

use async_trait::async_trait;
use ipnet::{IpNet, Ipv4Net, Ipv6Net};

use super::AccountsEc2;
use crate::ec2::place;
use crate::ec2::types::{
    IngressRule, InstanceObs, Inventory, PeeringObs, PeeringStatus, RouteTarget, Tags,
};
use crate::ec2::{Ec2, Ec2Error};

#[async_trait]
impl Ec2 for AccountsEc2 {
    /// The provider's own account: the mesh id stays tied to it.
    async fn account_id(&self) -> Result<String, Ec2Error> {
        self.own.account_id().await
    }

    async fn inventory(
        &self,
        at: &str,
        mesh_id: &str,
        adopted_vpc_ids: &[String],
    ) -> Result<Inventory, Ec2Error> {
        self.inventory_at(at, mesh_id, adopted_vpc_ids).await
    }

    async fn instances(&self, at: &str, vpc_ids: &[String]) -> Result<Vec<InstanceObs>, Ec2Error> {
        let (ec2, region) = self.at(at).await?;
        let mut found = ec2.instances(region, vpc_ids).await?;
        found.iter_mut().for_each(|i| i.region = at.to_string());
        Ok(found)
    }

    async fn create_vpc(&self, at: &str, cidr: Ipv4Net, tags: &Tags) -> Result<String, Ec2Error> {
        let (ec2, region) = self.at(at).await?;
        ec2.create_vpc(region, cidr, tags).await
    }

    async fn delete_vpc(&self, at: &str, vpc_id: &str) -> Result<(), Ec2Error> {
        let (ec2, region) = self.at(at).await?;
        ec2.delete_vpc(region, vpc_id).await
    }

    async fn enable_dns_hostnames(&self, at: &str, vpc_id: &str) -> Result<(), Ec2Error> {
        let (ec2, region) = self.at(at).await?;
        ec2.enable_dns_hostnames(region, vpc_id).await
    }

    async fn create_subnet(
        &self,
        at: &str,
        vpc_id: &str,
        cidr: Ipv4Net,
        availability_zone: Option<&str>,
        tags: &Tags,
    ) -> Result<String, Ec2Error> {
        let (ec2, region) = self.at(at).await?;
        ec2.create_subnet(region, vpc_id, cidr, availability_zone, tags)
            .await
    }

    async fn delete_subnet(&self, at: &str, subnet_id: &str) -> Result<(), Ec2Error> {
        let (ec2, region) = self.at(at).await?;
        ec2.delete_subnet(region, subnet_id).await
    }

    async fn create_route_table(
        &self,
        at: &str,
        vpc_id: &str,
        tags: &Tags,
    ) -> Result<String, Ec2Error> {
        let (ec2, region) = self.at(at).await?;
        ec2.create_route_table(region, vpc_id, tags).await
    }

    async fn associate_route_table(
        &self,
        at: &str,
        route_table_id: &str,
        subnet_id: &str,
    ) -> Result<String, Ec2Error> {
        let (ec2, region) = self.at(at).await?;
        ec2.associate_route_table(region, route_table_id, subnet_id)
            .await
    }

    async fn disassociate_route_table(
        &self,
        at: &str,
        association_id: &str,
    ) -> Result<(), Ec2Error> {
        let (ec2, region) = self.at(at).await?;
        ec2.disassociate_route_table(region, association_id).await
    }

    async fn delete_route_table(&self, at: &str, route_table_id: &str) -> Result<(), Ec2Error> {
        let (ec2, region) = self.at(at).await?;
        ec2.delete_route_table(region, route_table_id).await
    }

    async fn create_internet_gateway(&self, at: &str, tags: &Tags) -> Result<String, Ec2Error> {
        let (ec2, region) = self.at(at).await?;
        ec2.create_internet_gateway(region, tags).await
    }

    async fn attach_internet_gateway(
        &self,
        at: &str,
        igw_id: &str,
        vpc_id: &str,
    ) -> Result<(), Ec2Error> {
        let (ec2, region) = self.at(at).await?;
        ec2.attach_internet_gateway(region, igw_id, vpc_id).await
    }

    async fn detach_internet_gateway(
        &self,
        at: &str,
        igw_id: &str,
        vpc_id: &str,
    ) -> Result<(), Ec2Error> {
        let (ec2, region) = self.at(at).await?;
        ec2.detach_internet_gateway(region, igw_id, vpc_id).await
    }

    async fn delete_internet_gateway(&self, at: &str, igw_id: &str) -> Result<(), Ec2Error> {
        let (ec2, region) = self.at(at).await?;
        ec2.delete_internet_gateway(region, igw_id).await
    }

    async fn put_route(
        &self,
        at: &str,
        route_table_id: &str,
        destination: IpNet,
        target: &RouteTarget,
    ) -> Result<(), Ec2Error> {
        let (ec2, region) = self.at(at).await?;
        ec2.put_route(region, route_table_id, destination, target)
            .await
    }

    async fn delete_route(
        &self,
        at: &str,
        route_table_id: &str,
        destination: IpNet,
    ) -> Result<(), Ec2Error> {
        let (ec2, region) = self.at(at).await?;
        ec2.delete_route(region, route_table_id, destination).await
    }

    async fn create_security_group(
        &self,
        at: &str,
        vpc_id: &str,
        name: &str,
        description: &str,
        tags: &Tags,
    ) -> Result<String, Ec2Error> {
        let (ec2, region) = self.at(at).await?;
        ec2.create_security_group(region, vpc_id, name, description, tags)
            .await
    }

    async fn associate_vpc_ipv6(&self, at: &str, vpc_id: &str) -> Result<String, Ec2Error> {
        let (ec2, region) = self.at(at).await?;
        ec2.associate_vpc_ipv6(region, vpc_id).await
    }

    async fn disassociate_vpc_cidr(&self, at: &str, association_id: &str) -> Result<(), Ec2Error> {
        let (ec2, region) = self.at(at).await?;
        ec2.disassociate_vpc_cidr(region, association_id).await
    }

    async fn associate_subnet_ipv6(
        &self,
        at: &str,
        subnet_id: &str,
        cidr: Ipv6Net,
    ) -> Result<String, Ec2Error> {
        let (ec2, region) = self.at(at).await?;
        ec2.associate_subnet_ipv6(region, subnet_id, cidr).await
    }

    async fn disassociate_subnet_cidr(
        &self,
        at: &str,
        association_id: &str,
    ) -> Result<(), Ec2Error> {
        let (ec2, region) = self.at(at).await?;
        ec2.disassociate_subnet_cidr(region, association_id).await
    }

    async fn delete_security_group(&self, at: &str, group_id: &str) -> Result<(), Ec2Error> {
        let (ec2, region) = self.at(at).await?;
        ec2.delete_security_group(region, group_id).await
    }

    async fn authorize_ingress(
        &self,
        at: &str,
        group_id: &str,
        rules: &[IngressRule],
    ) -> Result<(), Ec2Error> {
        let (ec2, region) = self.at(at).await?;
        ec2.authorize_ingress(region, group_id, rules).await
    }

    async fn revoke_ingress(
        &self,
        at: &str,
        group_id: &str,
        rules: &[IngressRule],
    ) -> Result<(), Ec2Error> {
        let (ec2, region) = self.at(at).await?;
        ec2.revoke_ingress(region, group_id, rules).await
    }

    /// In the requester's account; toward another account with its id as PeerOwnerId,
    /// then tagged in the accepter's account too (each account keeps its own tags).
    async fn create_peering(
        &self,
        at: &str,
        vpc_id: &str,
        peer_vpc_id: &str,
        peer_at: &str,
        tags: &Tags,
    ) -> Result<String, Ec2Error> {
        self.create_peering_across(at, vpc_id, peer_vpc_id, peer_at, tags)
            .await
    }

    async fn create_peering_to_account(
        &self,
        at: &str,
        vpc_id: &str,
        peer_vpc_id: &str,
        peer_region: &str,
        peer_owner_id: &str,
        tags: &Tags,
    ) -> Result<String, Ec2Error> {
        let (ec2, region) = self.at(at).await?;
        ec2.create_peering_to_account(
            region,
            vpc_id,
            peer_vpc_id,
            peer_region,
            peer_owner_id,
            tags,
        )
        .await
    }

    /// In the accepter's account, whose place this is.
    async fn accept_peering(&self, accepter_at: &str, peering_id: &str) -> Result<(), Ec2Error> {
        let (ec2, region) = self.at(accepter_at).await?;
        ec2.accept_peering(region, peering_id).await
    }

    async fn describe_peering(&self, at: &str, peering_id: &str) -> Result<PeeringObs, Ec2Error> {
        let (ec2, region) = self.at(at).await?;
        let p = ec2.describe_peering(region, peering_id).await?;
        self.with_places(p, place::account_of(at)).await
    }

    async fn wait_peering(
        &self,
        at: &str,
        peering_id: &str,
        target: &[PeeringStatus],
        timeout: Duration,
    ) -> Result<PeeringObs, Ec2Error> {
        let (ec2, region) = self.at(at).await?;
        let p = ec2
            .wait_peering(region, peering_id, target, timeout)
            .await?;
        self.with_places(p, place::account_of(at)).await
    }

    /// Each side by its own account when the sides are in two.
    async fn set_peering_dns(
        &self,
        requester_at: &str,
        accepter_at: &str,
        peering_id: &str,
        allow: bool,
    ) -> Result<(), Ec2Error> {
        self.set_peering_dns_across(requester_at, accepter_at, peering_id, allow)
            .await
    }

    async fn set_peering_dns_side(
        &self,
        at: &str,
        peering_id: &str,
        requester_side: bool,
        allow: bool,
    ) -> Result<(), Ec2Error> {
        let (ec2, region) = self.at(at).await?;
        ec2.set_peering_dns_side(region, peering_id, requester_side, allow)
            .await
    }

    /// Either side may delete a peering; this is the place's account.
    async fn delete_peering(&self, at: &str, peering_id: &str) -> Result<(), Ec2Error> {
        let (ec2, region) = self.at(at).await?;
        ec2.delete_peering(region, peering_id).await
    }

    /// In the place's account; a peering's tags also in the other side's account when
    /// that is another one.
    async fn set_tags(
        &self,
        at: &str,
        resource_ids: &[String],
        add: &Tags,
        remove: &[String],
    ) -> Result<(), Ec2Error> {
        self.set_tags_across(at, resource_ids, add, remove).await
    }
}
