//! Out-of-band changes and inspection for tests: what someone else (the console, another
//! tool) does to the account, and what a test wants to assert about the whole account.
//! None of these are logged as calls or subject to faults.

use std::collections::BTreeSet;

use ipnet::{IpNet, Ipv4Net};

use super::FakeEc2;
use crate::ec2::types::{IngressRule, PeeringObs, PeeringStatus, RouteTarget, Tags, TAG_MESH};

impl FakeEc2 {
    /// A VPC that exists before the mesh (to adopt), with its main route table and
    /// default security group.
    pub fn add_vpc(&self, region: &str, cidr: Ipv4Net, tags: &Tags) -> String {
        self.lock().state.create_vpc(region, cidr, tags)
    }

    /// Deletes the VPC and everything in it, whatever depends on it; its peerings
    /// turn `deleted`.
    pub fn delete_vpc_out_of_band(&self, vpc_id: &str) {
        self.lock().state.remove_vpc_and_contents(vpc_id);
    }

    pub fn delete_subnet_out_of_band(&self, subnet_id: &str) {
        let mut inner = self.lock();
        let region = inner.state.subnets.get(subnet_id).map(|s| s.region.clone());
        if let Some(region) = region {
            let _ = inner.state.delete_subnet(&region, subnet_id);
        }
    }

    /// The peering turns `deleted`; routes to it turn `blackhole`.
    pub fn delete_peering_out_of_band(&self, peering_id: &str) {
        self.set_peering_status(peering_id, PeeringStatus::Deleted);
    }

    /// Forces any state, e.g. `Rejected`, `Failed` or `Expired`.
    pub fn set_peering_status(&self, peering_id: &str, status: PeeringStatus) {
        if let Some(p) = self.lock().state.peerings.get_mut(peering_id) {
            p.status = status;
        }
    }

    /// Someone turns the VPC's DNS hostnames on or off.
    pub fn set_dns_hostnames_out_of_band(&self, vpc_id: &str, on: bool) {
        if let Some(v) = self.lock().state.vpcs.get_mut(vpc_id) {
            v.dns_hostnames = on;
        }
    }

    pub fn dns_hostnames(&self, vpc_id: &str) -> Option<bool> {
        self.lock().state.vpcs.get(vpc_id).map(|v| v.dns_hostnames)
    }

    pub fn remove_route(&self, route_table_id: &str, destination: IpNet) {
        if let Some(t) = self.lock().state.route_tables.get_mut(route_table_id) {
            t.routes.remove(&destination);
        }
    }

    /// Adds or replaces a route without any check, e.g. a route someone pointed elsewhere.
    pub fn set_route_out_of_band(
        &self,
        route_table_id: &str,
        destination: IpNet,
        target: RouteTarget,
    ) {
        if let Some(t) = self.lock().state.route_tables.get_mut(route_table_id) {
            t.routes.insert(destination, target);
        }
    }

    pub fn revoke_rule(&self, group_id: &str, rule: &IngressRule) {
        if let Some(g) = self.lock().state.sgs.get_mut(group_id) {
            g.rules.remove(rule);
        }
    }

    pub fn remove_tag_out_of_band(&self, resource_id: &str, key: &str) {
        let mut inner = self.lock();
        let region = object_region(&inner.state, resource_id);
        if let Some(region) = region {
            if let Ok(tags) = inner.state.tags_mut(&region, resource_id) {
                tags.remove(key);
            }
        }
    }

    /// The peering as it is now, whatever its state (None if it never existed).
    pub fn peering(&self, peering_id: &str) -> Option<PeeringObs> {
        self.lock().state.peerings.get(peering_id).cloned()
    }

    /// Ids of every live object tagged `peering:mesh = mesh_id`, in every region
    /// (peerings in a terminal state are not live). Empty after a clean destroy.
    pub fn tagged_ids(&self, mesh_id: &str) -> BTreeSet<String> {
        let inner = self.lock();
        let s = &inner.state;
        let ours = |tags: &Tags| tags.get(TAG_MESH).map(String::as_str) == Some(mesh_id);
        let mut ids = BTreeSet::new();
        ids.extend(
            s.vpcs
                .iter()
                .filter(|(_, o)| ours(&o.tags))
                .map(|(id, _)| id.clone()),
        );
        ids.extend(
            s.subnets
                .iter()
                .filter(|(_, o)| ours(&o.tags))
                .map(|(id, _)| id.clone()),
        );
        ids.extend(
            s.route_tables
                .iter()
                .filter(|(_, o)| ours(&o.tags))
                .map(|(id, _)| id.clone()),
        );
        ids.extend(
            s.igws
                .iter()
                .filter(|(_, o)| ours(&o.tags))
                .map(|(id, _)| id.clone()),
        );
        ids.extend(
            s.sgs
                .iter()
                .filter(|(_, o)| ours(&o.tags))
                .map(|(id, _)| id.clone()),
        );
        ids.extend(
            s.peerings
                .values()
                .filter(|p| ours(&p.tags) && !p.status.is_terminal())
                .map(|p| p.id.clone()),
        );
        ids
    }

    /// Ids of every live object in the account, tagged or not, except the main route
    /// tables and default security groups that come and go with their VPC.
    pub fn live_ids(&self) -> BTreeSet<String> {
        let inner = self.lock();
        let s = &inner.state;
        let mut ids = BTreeSet::new();
        ids.extend(s.vpcs.keys().cloned());
        ids.extend(s.subnets.keys().cloned());
        ids.extend(
            s.route_tables
                .iter()
                .filter(|(_, t)| !t.main)
                .map(|(id, _)| id.clone()),
        );
        ids.extend(s.igws.keys().cloned());
        ids.extend(
            s.sgs
                .iter()
                .filter(|(_, g)| g.name != "default")
                .map(|(id, _)| id.clone()),
        );
        ids.extend(
            s.peerings
                .values()
                .filter(|p| !p.status.is_terminal())
                .map(|p| p.id.clone()),
        );
        ids
    }
}

fn object_region(s: &super::state::State, id: &str) -> Option<String> {
    s.vpcs
        .get(id)
        .map(|o| o.region.clone())
        .or_else(|| s.subnets.get(id).map(|o| o.region.clone()))
        .or_else(|| s.route_tables.get(id).map(|o| o.region.clone()))
        .or_else(|| s.igws.get(id).map(|o| o.region.clone()))
        .or_else(|| s.sgs.get(id).map(|o| o.region.clone()))
        .or_else(|| s.peerings.get(id).map(|o| o.requester_region.clone()))
}
