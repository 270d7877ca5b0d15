//! `impl Ec2 for AccountsEc2`: most calls go to the place's account with the bare
//! region; peerings between accounts involve both.

use std::time::Duration;

use async_trait::async_trait;
use ipnet::Ipv4Net;

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
        let (ec2, region) = self.at(at).await?;
        let mut inv = ec2.inventory(region, mesh_id, adopted_vpc_ids).await?;
        // Everything of one inventory is in its place.
        let here = || at.to_string();
        inv.vpcs.iter_mut().for_each(|v| v.region = here());
        inv.subnets.iter_mut().for_each(|s| s.region = here());
        inv.route_tables.iter_mut().for_each(|t| t.region = here());
        inv.internet_gateways
            .iter_mut()
            .for_each(|g| g.region = here());
        inv.security_groups
            .iter_mut()
            .for_each(|g| g.region = here());
        let mut peerings = Vec::with_capacity(inv.peerings.len());
        for p in std::mem::take(&mut inv.peerings) {
            let p = self.with_places(p, place::account_of(at)).await?;
            // The accepter's account sees it too: listed once, in the requester's place.
            if p.requester_region == at {
                peerings.push(p);
            }
        }
        inv.peerings = peerings;
        Ok(inv)
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
        destination: Ipv4Net,
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
        destination: Ipv4Net,
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
        let (key, region) = place::split(at);
        let (peer_key, peer_region) = place::split(peer_at);
        let ec2 = self.client(key).await?;
        if key == peer_key {
            return ec2
                .create_peering(region, vpc_id, peer_vpc_id, peer_region, tags)
                .await;
        }
        let peer = self.client(peer_key).await?;
        let owner = self.account_id_of(peer_key).await?;
        let id = ec2
            .create_peering_to_account(region, vpc_id, peer_vpc_id, peer_region, &owner, tags)
            .await?;
        // The peering exists now: a failed tag in the accepter's account must not make
        // the executor look for it (the requester's tags identify it); the next apply
        // sets them again.
        if let Err(e) = peer
            .set_tags(peer_region, std::slice::from_ref(&id), tags, &[])
            .await
        {
            tracing::warn!(peering = %id, account = peer_key.unwrap_or("own"), error = %e, "tagging the peering in the accepter's account failed");
        }
        Ok(id)
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
        let (key, region) = place::split(requester_at);
        let (peer_key, peer_region) = place::split(accepter_at);
        let ec2 = self.client(key).await?;
        if key == peer_key {
            return ec2
                .set_peering_dns(region, peer_region, peering_id, allow)
                .await;
        }
        let peer = self.client(peer_key).await?;
        ec2.set_peering_dns_side(region, peering_id, true, allow)
            .await?;
        peer.set_peering_dns_side(peer_region, peering_id, false, allow)
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
        let (ec2, region) = self.at(at).await?;
        ec2.set_tags(region, resource_ids, add, remove).await?;
        for id in resource_ids.iter().filter(|id| id.starts_with("pcx-")) {
            let p = self.describe_peering(at, id).await?;
            for side in [&p.requester_region, &p.accepter_region] {
                if place::account_of(side) != place::account_of(at) {
                    let (peer, peer_region) = self.at(side).await?;
                    peer.set_tags(peer_region, std::slice::from_ref(id), add, remove)
                        .await?;
                }
            }
        }
        Ok(())
    }
}
