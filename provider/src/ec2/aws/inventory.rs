//! `inventory`: a fixed number of filtered, paginated Describe calls per region,
//! whatever the size of the mesh (for meshes of up to 200 VPCs per region, the most
//! values one EC2 filter takes), plus one DescribeVpcAttribute per VPC the mesh owns
//! there (its DNS hostnames; EC2 has no batch form, see `vpc_dns.rs`).
//!
//! VPCs by the mesh tag (+ adopted VPCs by id); subnets, route tables and security
//! groups by VPC id; internet gateways by tag and by attachment; peerings by requester
//! and by accepter VPC id. Results are filtered here as well, because the emulator
//! (moto) ignores the filters of DescribeVpcPeeringConnections.
//!
//! Peerings are reported in their requester's region only (so a cross-region peering
//! appears once across regions), and not when terminal (`deleted`, `rejected`,
//! `failed`, `expired`): those will never carry traffic again.

use std::collections::{BTreeMap, BTreeSet};

use super::convert::*;
use super::AwsEc2;
use crate::ec2::types::{Inventory, PeeringObs, TAG_MESH};
use crate::ec2::Action;
use crate::ec2::Ec2Error;

/// The most values one Describe filter accepts.
pub(super) const MAX_FILTER_VALUES: usize = 200;

/// Runs a paginated Describe until its last page; `$items` picks the list from a page.
macro_rules! describe_all {
    ($self:expr, $region:expr, $action:expr, $request:expr, $items:ident) => {{
        let mut items = Vec::new();
        let mut next: Option<String> = None;
        loop {
            let page = $self
                .send($region, $action, &[], || {
                    $request.set_next_token(next.clone()).send()
                })
                .await?;
            items.extend(page.$items().iter().cloned());
            next = page
                .next_token()
                .filter(|t| !t.is_empty())
                .map(str::to_string);
            if next.is_none() {
                break items;
            }
        }
    }};
}
pub(super) use describe_all;

impl AwsEc2 {
    pub(super) async fn inventory_impl(
        &self,
        region: &str,
        mesh_id: &str,
        adopted_vpc_ids: &[String],
    ) -> Result<Inventory, Ec2Error> {
        let client = self.client(region).await;
        let mesh_tag = format!("tag:{TAG_MESH}");
        let tagged = |tags: &crate::ec2::types::Tags| {
            tags.get(TAG_MESH).map(String::as_str) == Some(mesh_id)
        };

        let mut vpcs = describe_all!(
            self,
            region,
            Action::DescribeVpcs,
            client.describe_vpcs().filters(filter(&mesh_tag, [mesh_id])),
            vpcs
        );
        if !adopted_vpc_ids.is_empty() {
            let adopted = adopted_vpc_ids.iter().take(MAX_FILTER_VALUES).cloned();
            let filters = filter("vpc-id", adopted);
            vpcs.extend(describe_all!(
                self,
                region,
                Action::DescribeVpcs,
                client.describe_vpcs().filters(filters.clone()),
                vpcs
            ));
        }
        let mut vpcs: BTreeMap<String, _> = vpcs
            .iter()
            .filter_map(|v| flatten_vpc(v, region))
            .filter(|v| tagged(&v.tags) || adopted_vpc_ids.contains(&v.id))
            .map(|v| (v.id.clone(), v))
            .collect();
        let owned: Vec<String> = vpcs
            .values()
            .filter(|v| tagged(&v.tags))
            .map(|v| v.id.clone())
            .collect();
        for (id, on) in self.dns_hostnames(region, &owned).await? {
            if let Some(v) = vpcs.get_mut(&id) {
                v.dns_hostnames = Some(on);
            }
        }
        let scope: BTreeSet<&str> = vpcs.keys().map(String::as_str).collect();
        let in_scope = |vpc_id: &str| scope.contains(vpc_id);

        let mut igws = describe_all!(
            self,
            region,
            Action::DescribeInternetGateways,
            client
                .describe_internet_gateways()
                .filters(filter(&mesh_tag, [mesh_id])),
            internet_gateways
        );
        let mut inventory = Inventory {
            vpcs: vpcs.values().cloned().collect(),
            ..Inventory::default()
        };
        if !scope.is_empty() {
            let by_vpc = |name: &str| {
                filter(
                    name,
                    scope.iter().take(MAX_FILTER_VALUES).map(|s| s.to_string()),
                )
            };
            let subnets = describe_all!(
                self,
                region,
                Action::DescribeSubnets,
                client.describe_subnets().filters(by_vpc("vpc-id")),
                subnets
            );
            let tables = describe_all!(
                self,
                region,
                Action::DescribeRouteTables,
                client.describe_route_tables().filters(by_vpc("vpc-id")),
                route_tables
            );
            igws.extend(describe_all!(
                self,
                region,
                Action::DescribeInternetGateways,
                client
                    .describe_internet_gateways()
                    .filters(by_vpc("attachment.vpc-id")),
                internet_gateways
            ));
            let groups = describe_all!(
                self,
                region,
                Action::DescribeSecurityGroups,
                client.describe_security_groups().filters(by_vpc("vpc-id")),
                security_groups
            );
            let mut peerings = describe_all!(
                self,
                region,
                Action::DescribeVpcPeeringConnections,
                client
                    .describe_vpc_peering_connections()
                    .filters(by_vpc("requester-vpc-info.vpc-id")),
                vpc_peering_connections
            );
            peerings.extend(describe_all!(
                self,
                region,
                Action::DescribeVpcPeeringConnections,
                client
                    .describe_vpc_peering_connections()
                    .filters(by_vpc("accepter-vpc-info.vpc-id")),
                vpc_peering_connections
            ));
            inventory.subnets = subnets
                .iter()
                .filter_map(|s| flatten_subnet(s, region))
                .filter(|s| in_scope(&s.vpc_id))
                .collect();
            inventory.route_tables = tables
                .iter()
                .filter_map(|t| flatten_route_table(t, region))
                .filter(|t| in_scope(&t.vpc_id))
                .collect();
            inventory.security_groups = groups
                .iter()
                .filter_map(|g| flatten_security_group(g, region))
                .filter(|g| in_scope(&g.vpc_id))
                .collect();
            let ours = |p: &PeeringObs| {
                p.requester_region == region
                    && !p.status.is_terminal()
                    && (tagged(&p.tags)
                        || in_scope(&p.requester_vpc_id)
                        || in_scope(&p.accepter_vpc_id))
            };
            let unique: BTreeMap<String, PeeringObs> = peerings
                .iter()
                .filter_map(|p| flatten_peering(p, region))
                .filter(ours)
                .map(|p| (p.id.clone(), p))
                .collect();
            inventory.peerings = unique.into_values().collect();
        }
        let igws: BTreeMap<String, _> = igws
            .iter()
            .filter_map(|g| flatten_internet_gateway(g, region))
            .filter(|g| tagged(&g.tags) || g.attached_vpc_ids.iter().any(|v| in_scope(v)))
            .map(|g| (g.id.clone(), g))
            .collect();
        inventory.internet_gateways = igws.into_values().collect();
        Ok(inventory)
    }
}
