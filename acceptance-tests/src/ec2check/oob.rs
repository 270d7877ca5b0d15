//! Changes made behind Terraform's back, as another team or tool would make them in
//! a shared account: untagged VPCs and peerings, routes to any target, subnets with
//! tags of their choosing (copied mesh tags included), tags added to the mesh's own
//! objects. Each panics on an API error: a scenario that cannot set up its world
//! cannot test anything.

use aws_sdk_ec2::types::{ResourceType, Tag, TagSpecification};

use super::snapshot::Tags;
use super::Ec2Check;

/// Where a hand-made route sends its traffic.
#[derive(Debug, Clone)]
pub enum RouteTo {
    /// A VPC peering connection (`pcx-...`).
    Peering(String),
    /// A gateway id in `GatewayId`: an internet gateway (`igw-...`) or a virtual
    /// private gateway (`vgw-...`).
    Gateway(String),
}

fn sdk_tags(tags: &Tags) -> Vec<Tag> {
    tags.iter()
        .map(|(k, v)| Tag::builder().key(k).value(v).build())
        .collect()
}

fn tag_spec(kind: ResourceType, tags: &Tags) -> Option<TagSpecification> {
    (!tags.is_empty()).then(|| {
        TagSpecification::builder()
            .resource_type(kind)
            .set_tags(Some(sdk_tags(tags)))
            .build()
    })
}

impl Ec2Check {
    /// Creates a VPC with `cidr` and `tags` (none: untagged); returns its id.
    pub fn create_vpc(&self, cidr: &str, tags: &Tags) -> String {
        let out = self
            .block_on(
                self.client
                    .create_vpc()
                    .cidr_block(cidr)
                    .set_tag_specifications(tag_spec(ResourceType::Vpc, tags).map(|t| vec![t]))
                    .send(),
            )
            .unwrap_or_else(|e| panic!("CreateVpc {cidr}: {e:?}"));
        out.vpc()
            .and_then(|v| v.vpc_id())
            .unwrap_or_else(|| panic!("CreateVpc {cidr} answered no id"))
            .to_string()
    }

    /// Creates a subnet with `cidr` in `vpc_id`, carrying `tags`; returns its id.
    pub fn create_subnet(&self, vpc_id: &str, cidr: &str, tags: &Tags) -> String {
        let out = self
            .block_on(
                self.client
                    .create_subnet()
                    .vpc_id(vpc_id)
                    .cidr_block(cidr)
                    .set_tag_specifications(tag_spec(ResourceType::Subnet, tags).map(|t| vec![t]))
                    .send(),
            )
            .unwrap_or_else(|e| panic!("CreateSubnet {cidr} in {vpc_id}: {e:?}"));
        out.subnet()
            .and_then(|s| s.subnet_id())
            .unwrap_or_else(|| panic!("CreateSubnet {cidr} answered no id"))
            .to_string()
    }

    /// Requests an untagged peering from `requester` to `accepter` (same account and
    /// region) and accepts it; returns its id.
    pub fn create_untagged_peering(&self, requester: &str, accepter: &str) -> String {
        let out = self
            .block_on(
                self.client
                    .create_vpc_peering_connection()
                    .vpc_id(requester)
                    .peer_vpc_id(accepter)
                    .send(),
            )
            .unwrap_or_else(|e| panic!("CreateVpcPeeringConnection {requester}: {e:?}"));
        let id = out
            .vpc_peering_connection()
            .and_then(|p| p.vpc_peering_connection_id())
            .unwrap_or_else(|| panic!("CreateVpcPeeringConnection answered no id"))
            .to_string();
        self.block_on(
            self.client
                .accept_vpc_peering_connection()
                .vpc_peering_connection_id(&id)
                .send(),
        )
        .unwrap_or_else(|e| panic!("AcceptVpcPeeringConnection {id}: {e:?}"));
        id
    }

    /// Creates (and attaches to `vpc_id`) a virtual private gateway; returns its id.
    pub fn create_vpn_gateway(&self, vpc_id: &str) -> String {
        let out = self
            .block_on(
                self.client
                    .create_vpn_gateway()
                    .r#type(aws_sdk_ec2::types::GatewayType::Ipsec1)
                    .send(),
            )
            .unwrap_or_else(|e| panic!("CreateVpnGateway: {e:?}"));
        let id = out
            .vpn_gateway()
            .and_then(|g| g.vpn_gateway_id())
            .unwrap_or_else(|| panic!("CreateVpnGateway answered no id"))
            .to_string();
        self.block_on(
            self.client
                .attach_vpn_gateway()
                .vpn_gateway_id(&id)
                .vpc_id(vpc_id)
                .send(),
        )
        .unwrap_or_else(|e| panic!("AttachVpnGateway {id} to {vpc_id}: {e:?}"));
        id
    }

    /// Detaches the virtual private gateway `id` from `vpc_id`.
    pub fn detach_vpn_gateway(&self, id: &str, vpc_id: &str) {
        self.block_on(
            self.client
                .detach_vpn_gateway()
                .vpn_gateway_id(id)
                .vpc_id(vpc_id)
                .send(),
        )
        .unwrap_or_else(|e| panic!("DetachVpnGateway {id} from {vpc_id}: {e:?}"));
    }

    /// CreateRoute in `table` for `destination`, or ReplaceRoute with `replace`.
    pub fn put_route(&self, table: &str, destination: &str, to: &RouteTo, replace: bool) {
        let (peering, gateway) = match to {
            RouteTo::Peering(id) => (Some(id.clone()), None),
            RouteTo::Gateway(id) => (None, Some(id.clone())),
        };
        let result = if replace {
            self.block_on(
                self.client
                    .replace_route()
                    .route_table_id(table)
                    .destination_cidr_block(destination)
                    .set_vpc_peering_connection_id(peering)
                    .set_gateway_id(gateway)
                    .send(),
            )
            .map(drop)
            .map_err(|e| format!("{e:?}"))
        } else {
            self.block_on(
                self.client
                    .create_route()
                    .route_table_id(table)
                    .destination_cidr_block(destination)
                    .set_vpc_peering_connection_id(peering)
                    .set_gateway_id(gateway)
                    .send(),
            )
            .map(drop)
            .map_err(|e| format!("{e:?}"))
        };
        result.unwrap_or_else(|e| panic!("route {destination} via {to:?} in {table}: {e:?}"));
    }

    /// DeleteRoute of `destination` (an IPv4 or IPv6 block) in `table`.
    pub fn delete_route(&self, table: &str, destination: &str) {
        let call = self.client.delete_route().route_table_id(table);
        let call = if destination.contains(':') {
            call.destination_ipv6_cidr_block(destination)
        } else {
            call.destination_cidr_block(destination)
        };
        self.block_on(call.send())
            .unwrap_or_else(|e| panic!("DeleteRoute {destination} in {table}: {e:?}"));
    }

    /// Adds (or overwrites) `tags` on the object `id`, leaving its other tags.
    pub fn add_tags(&self, id: &str, tags: &Tags) {
        self.block_on(
            self.client
                .create_tags()
                .resources(id)
                .set_tags(Some(sdk_tags(tags)))
                .send(),
        )
        .unwrap_or_else(|e| panic!("CreateTags on {id}: {e:?}"));
    }

    /// RevokeSecurityGroupIngress of all ICMP from the IPv4 block `cidr` in `group`.
    pub fn revoke_icmp(&self, group: &str, cidr: &str) {
        let permission = aws_sdk_ec2::types::IpPermission::builder()
            .ip_protocol("icmp")
            .from_port(-1)
            .to_port(-1)
            .ip_ranges(aws_sdk_ec2::types::IpRange::builder().cidr_ip(cidr).build())
            .build();
        self.block_on(
            self.client
                .revoke_security_group_ingress()
                .group_id(group)
                .ip_permissions(permission)
                .send(),
        )
        .unwrap_or_else(|e| panic!("RevokeSecurityGroupIngress icmp {cidr} in {group}: {e:?}"));
    }
}
