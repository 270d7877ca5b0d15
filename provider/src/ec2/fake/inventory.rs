//! The fake's `inventory`: the same selection rules as the AWS implementation.

use std::collections::BTreeSet;

use super::state::State;
use crate::ec2::types::{
    InternetGatewayObs, Inventory, RouteObs, RouteTableObs, SecurityGroupObs, SubnetObs, VpcObs,
    TAG_MESH,
};

impl State {
    /// Ids of the VPCs in `region` tagged with `mesh_id`.
    pub fn vpcs_tagged(&self, region: &str, mesh_id: &str) -> Vec<String> {
        self.vpcs
            .iter()
            .filter(|(_, v)| {
                v.region == region && v.tags.get(TAG_MESH).map(String::as_str) == Some(mesh_id)
            })
            .map(|(id, _)| id.clone())
            .collect()
    }

    pub fn inventory(&self, region: &str, mesh_id: &str, adopted_vpc_ids: &[String]) -> Inventory {
        let tagged = |tags: &crate::ec2::types::Tags| {
            tags.get(TAG_MESH).map(String::as_str) == Some(mesh_id)
        };
        let vpcs: Vec<VpcObs> = self
            .vpcs
            .iter()
            .filter(|(id, v)| {
                v.region == region && (tagged(&v.tags) || adopted_vpc_ids.contains(id))
            })
            .map(|(id, v)| VpcObs {
                id: id.clone(),
                region: region.to_string(),
                cidr: v.cidr,
                state: "available".to_string(),
                tags: v.tags.clone(),
                // Read for the mesh's own VPCs only, like the AWS implementation.
                dns_hostnames: tagged(&v.tags).then_some(v.dns_hostnames),
                ipv6_cidr: v.ipv6.as_ref().map(|(block, _)| *block),
                ipv6_association_id: v.ipv6.as_ref().map(|(_, id)| id.clone()),
            })
            .collect();
        let in_scope: BTreeSet<&str> = vpcs.iter().map(|v| v.id.as_str()).collect();
        let subnets = self
            .subnets
            .iter()
            .filter(|(_, s)| s.region == region && in_scope.contains(s.vpc_id.as_str()))
            .map(|(id, s)| SubnetObs {
                id: id.clone(),
                region: region.to_string(),
                vpc_id: s.vpc_id.clone(),
                cidr: s.cidr,
                availability_zone: s.availability_zone.clone(),
                tags: s.tags.clone(),
                ipv6_cidr: s.ipv6.as_ref().map(|(block, _)| *block),
                ipv6_association_id: s.ipv6.as_ref().map(|(_, id)| id.clone()),
            })
            .collect();
        let route_tables = self
            .route_tables
            .iter()
            .filter(|(_, t)| t.region == region && in_scope.contains(t.vpc_id.as_str()))
            .map(|(id, t)| RouteTableObs {
                id: id.clone(),
                region: region.to_string(),
                vpc_id: t.vpc_id.clone(),
                main: t.main,
                associations: t
                    .associations
                    .iter()
                    .map(|(a, s)| (a.clone(), s.clone()))
                    .collect(),
                routes: t
                    .routes
                    .iter()
                    .map(|(dest, target)| RouteObs {
                        destination: *dest,
                        target: target.clone(),
                        state: self.route_state(&t.vpc_id, target).to_string(),
                    })
                    .collect(),
                tags: t.tags.clone(),
            })
            .collect();
        let internet_gateways = self
            .igws
            .iter()
            .filter(|(_, g)| {
                g.region == region
                    && (tagged(&g.tags)
                        || g.attached_vpc
                            .as_deref()
                            .is_some_and(|v| in_scope.contains(v)))
            })
            .map(|(id, g)| InternetGatewayObs {
                id: id.clone(),
                region: region.to_string(),
                // A detaching gateway is reported detached, as the AWS implementation does.
                attached_vpc_ids: g
                    .attached_vpc
                    .iter()
                    .filter(|_| g.detaching == 0)
                    .cloned()
                    .collect(),
                tags: g.tags.clone(),
            })
            .collect();
        let security_groups = self
            .sgs
            .iter()
            .filter(|(_, g)| g.region == region && in_scope.contains(g.vpc_id.as_str()))
            .map(|(id, g)| SecurityGroupObs {
                id: id.clone(),
                region: region.to_string(),
                vpc_id: g.vpc_id.clone(),
                name: g.name.clone(),
                rules: g.rules.iter().cloned().collect(),
                foreign_rules: g.foreign_rules,
                tags: g.tags.clone(),
            })
            .collect();
        let peerings = self
            .peerings
            .values()
            .filter(|p| {
                p.requester_region == region
                    && !p.status.is_terminal()
                    && (tagged(&p.tags)
                        || in_scope.contains(p.requester_vpc_id.as_str())
                        || in_scope.contains(p.accepter_vpc_id.as_str()))
            })
            .cloned()
            .collect();
        Inventory {
            vpcs,
            subnets,
            route_tables,
            internet_gateways,
            security_groups,
            peerings,
        }
    }
}
