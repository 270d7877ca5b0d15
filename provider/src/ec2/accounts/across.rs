//! What involves more than one call: an inventory's places, and peerings between two
//! accounts (create, DNS options, tags).

use super::AccountsEc2;
use crate::ec2::place;
use crate::ec2::types::{Inventory, Tags};
use crate::ec2::{Ec2, Ec2Error};

impl AccountsEc2 {
    /// The inventory of `at`, every object in that place, peerings only where their
    /// requester is.
    pub(super) async fn inventory_at(
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

    pub(super) async fn create_peering_across(
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

    pub(super) async fn set_peering_dns_across(
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

    pub(super) async fn set_tags_across(
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
