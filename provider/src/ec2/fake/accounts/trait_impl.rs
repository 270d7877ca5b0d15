//! `impl Ec2 for FakeAccount`: each call in the world, on this account's regions.

use std::time::Duration;

use async_trait::async_trait;
use ipnet::{IpNet, Ipv4Net, Ipv6Net};

use super::{bare, FakeAccount};
use crate::ec2::types::{
    IngressRule, InstanceObs, Inventory, PeeringObs, PeeringStatus, RouteTarget, Tags,
};
use crate::ec2::{Ec2, Ec2Error};

#[async_trait]
impl Ec2 for FakeAccount {
    async fn account_id(&self) -> Result<String, Ec2Error> {
        Ok(self.id.clone())
    }

    async fn inventory(
        &self,
        region: &str,
        mesh_id: &str,
        adopted: &[String],
    ) -> Result<Inventory, Ec2Error> {
        self.note("inventory", region);
        let mut inv = self
            .world
            .inventory(&self.w(region), mesh_id, adopted)
            .await?;
        inv.vpcs.iter_mut().for_each(|v| v.region = bare(&v.region));
        for s in &mut inv.subnets {
            s.region = bare(&s.region);
            s.availability_zone = bare(&s.availability_zone);
        }
        inv.route_tables
            .iter_mut()
            .for_each(|t| t.region = bare(&t.region));
        inv.internet_gateways
            .iter_mut()
            .for_each(|g| g.region = bare(&g.region));
        inv.security_groups
            .iter_mut()
            .for_each(|g| g.region = bare(&g.region));
        inv.peerings = inv.peerings.into_iter().map(|p| self.peering(p)).collect();
        Ok(inv)
    }

    async fn instances(
        &self,
        region: &str,
        vpc_ids: &[String],
    ) -> Result<Vec<InstanceObs>, Ec2Error> {
        let mut found = self.world.instances(&self.w(region), vpc_ids).await?;
        found.iter_mut().for_each(|i| i.region = bare(&i.region));
        Ok(found)
    }

    async fn create_vpc(
        &self,
        region: &str,
        cidr: Ipv4Net,
        tags: &Tags,
    ) -> Result<String, Ec2Error> {
        self.note("create_vpc", &cidr.to_string());
        self.world.create_vpc(&self.w(region), cidr, tags).await
    }

    async fn delete_vpc(&self, region: &str, vpc_id: &str) -> Result<(), Ec2Error> {
        self.note("delete_vpc", vpc_id);
        self.world.delete_vpc(&self.w(region), vpc_id).await
    }

    async fn enable_dns_hostnames(&self, region: &str, vpc_id: &str) -> Result<(), Ec2Error> {
        self.world
            .enable_dns_hostnames(&self.w(region), vpc_id)
            .await
    }

    async fn create_subnet(
        &self,
        region: &str,
        vpc_id: &str,
        cidr: Ipv4Net,
        zone: Option<&str>,
        tags: &Tags,
    ) -> Result<String, Ec2Error> {
        self.note("create_subnet", &cidr.to_string());
        let zone = zone.map(|z| self.w(z));
        let world = &self.world;
        world
            .create_subnet(&self.w(region), vpc_id, cidr, zone.as_deref(), tags)
            .await
    }

    async fn delete_subnet(&self, region: &str, subnet_id: &str) -> Result<(), Ec2Error> {
        self.world.delete_subnet(&self.w(region), subnet_id).await
    }

    async fn create_route_table(
        &self,
        region: &str,
        vpc_id: &str,
        tags: &Tags,
    ) -> Result<String, Ec2Error> {
        self.world
            .create_route_table(&self.w(region), vpc_id, tags)
            .await
    }

    async fn associate_route_table(
        &self,
        region: &str,
        table: &str,
        subnet: &str,
    ) -> Result<String, Ec2Error> {
        self.world
            .associate_route_table(&self.w(region), table, subnet)
            .await
    }

    async fn disassociate_route_table(
        &self,
        region: &str,
        association: &str,
    ) -> Result<(), Ec2Error> {
        self.world
            .disassociate_route_table(&self.w(region), association)
            .await
    }

    async fn delete_route_table(&self, region: &str, table: &str) -> Result<(), Ec2Error> {
        self.world.delete_route_table(&self.w(region), table).await
    }

    async fn create_internet_gateway(&self, region: &str, tags: &Tags) -> Result<String, Ec2Error> {
        self.world
            .create_internet_gateway(&self.w(region), tags)
            .await
    }

    async fn attach_internet_gateway(
        &self,
        region: &str,
        igw: &str,
        vpc: &str,
    ) -> Result<(), Ec2Error> {
        self.world
            .attach_internet_gateway(&self.w(region), igw, vpc)
            .await
    }

    async fn detach_internet_gateway(
        &self,
        region: &str,
        igw: &str,
        vpc: &str,
    ) -> Result<(), Ec2Error> {
        self.world
            .detach_internet_gateway(&self.w(region), igw, vpc)
            .await
    }

    async fn delete_internet_gateway(&self, region: &str, igw: &str) -> Result<(), Ec2Error> {
        self.world
            .delete_internet_gateway(&self.w(region), igw)
            .await
    }

    async fn put_route(
        &self,
        region: &str,
        table: &str,
        to: IpNet,
        target: &RouteTarget,
    ) -> Result<(), Ec2Error> {
        self.note("put_route", table);
        self.world
            .put_route(&self.w(region), table, to, target)
            .await
    }

    async fn delete_route(&self, region: &str, table: &str, to: IpNet) -> Result<(), Ec2Error> {
        self.world.delete_route(&self.w(region), table, to).await
    }

    async fn associate_vpc_ipv6(&self, region: &str, vpc_id: &str) -> Result<String, Ec2Error> {
        self.world.associate_vpc_ipv6(&self.w(region), vpc_id).await
    }

    async fn disassociate_vpc_cidr(&self, region: &str, association: &str) -> Result<(), Ec2Error> {
        let world = &self.world;
        world
            .disassociate_vpc_cidr(&self.w(region), association)
            .await
    }

    async fn associate_subnet_ipv6(
        &self,
        region: &str,
        subnet_id: &str,
        cidr: Ipv6Net,
    ) -> Result<String, Ec2Error> {
        let world = &self.world;
        world
            .associate_subnet_ipv6(&self.w(region), subnet_id, cidr)
            .await
    }

    async fn disassociate_subnet_cidr(
        &self,
        region: &str,
        association: &str,
    ) -> Result<(), Ec2Error> {
        let world = &self.world;
        world
            .disassociate_subnet_cidr(&self.w(region), association)
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
        let world = &self.world;
        world
            .create_security_group(&self.w(region), vpc_id, name, description, tags)
            .await
    }

    async fn delete_security_group(&self, region: &str, group: &str) -> Result<(), Ec2Error> {
        self.world
            .delete_security_group(&self.w(region), group)
            .await
    }

    async fn authorize_ingress(
        &self,
        region: &str,
        group: &str,
        rules: &[IngressRule],
    ) -> Result<(), Ec2Error> {
        self.world
            .authorize_ingress(&self.w(region), group, rules)
            .await
    }

    async fn revoke_ingress(
        &self,
        region: &str,
        group: &str,
        rules: &[IngressRule],
    ) -> Result<(), Ec2Error> {
        self.world
            .revoke_ingress(&self.w(region), group, rules)
            .await
    }

    async fn create_peering(
        &self,
        region: &str,
        vpc_id: &str,
        peer_vpc_id: &str,
        peer_region: &str,
        tags: &Tags,
    ) -> Result<String, Ec2Error> {
        self.note("create_peering", &format!("{vpc_id}:{peer_vpc_id}"));
        let (here, there) = (self.w(region), self.w(peer_region));
        self.world
            .create_peering(&here, vpc_id, peer_vpc_id, &there, tags)
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
        self.note(
            "create_peering_to_account",
            &format!("{vpc_id}:{peer_vpc_id} {peer_owner_id}"),
        );
        let there = format!("{peer_owner_id}:{peer_region}");
        self.world
            .create_peering(&self.w(region), vpc_id, peer_vpc_id, &there, tags)
            .await
    }

    async fn accept_peering(&self, region: &str, id: &str) -> Result<(), Ec2Error> {
        self.note("accept_peering", id);
        self.world.accept_peering(&self.w(region), id).await
    }

    async fn describe_peering(&self, region: &str, id: &str) -> Result<PeeringObs, Ec2Error> {
        let p = self.world.describe_peering(&self.w(region), id).await?;
        Ok(self.peering(p))
    }

    async fn wait_peering(
        &self,
        region: &str,
        id: &str,
        target: &[PeeringStatus],
        timeout: Duration,
    ) -> Result<PeeringObs, Ec2Error> {
        let p = self
            .world
            .wait_peering(&self.w(region), id, target, timeout)
            .await?;
        Ok(self.peering(p))
    }

    async fn set_peering_dns(
        &self,
        region: &str,
        peer_region: &str,
        id: &str,
        allow: bool,
    ) -> Result<(), Ec2Error> {
        self.note("set_peering_dns", id);
        let (here, there) = (self.w(region), self.w(peer_region));
        self.world.set_peering_dns(&here, &there, id, allow).await
    }

    async fn set_peering_dns_side(
        &self,
        region: &str,
        id: &str,
        requester: bool,
        allow: bool,
    ) -> Result<(), Ec2Error> {
        self.note("set_peering_dns_side", id);
        self.world
            .set_peering_dns_side(&self.w(region), id, requester, allow)
            .await
    }

    async fn delete_peering(&self, region: &str, id: &str) -> Result<(), Ec2Error> {
        self.note("delete_peering", id);
        self.world.delete_peering(&self.w(region), id).await
    }

    async fn set_tags(
        &self,
        region: &str,
        ids: &[String],
        add: &Tags,
        remove: &[String],
    ) -> Result<(), Ec2Error> {
        self.note("set_tags", &ids.join(","));
        self.world.set_tags(&self.w(region), ids, add, remove).await
    }
}
