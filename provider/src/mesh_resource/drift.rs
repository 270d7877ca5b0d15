//! Drift: the steps the planner would take to bring EC2 back to what the prior state
//! describes. Each step names the components it touches (so the plan can show them as
//! changing) and reads as a sentence in the warning that lists the repairs.

use std::collections::BTreeSet;

use crate::ec2::types::{IngressRule, Protocol};
use crate::ec2::types::{Inventory, TAG_COMPONENT};
use crate::mesh::key::{Key, RouteVia};
use crate::mesh::model::Mesh;
use crate::mesh::plan::{Op, Plan};

/// A component key as written in a `peering:component` tag or a route table label;
/// unlike [`Key::parse`] this also reads a main route table's `rtb/VPC`.
fn parse_label(label: &str) -> Option<Key> {
    Key::parse(label).or_else(|| {
        let vpc = label.strip_prefix("rtb/")?;
        crate::mesh::key::is_name(vpc).then(|| Key::MainRouteTable(vpc.to_string()))
    })
}

/// The component an object of the inventory is, by its id.
fn key_of_id(inv: &Inventory, id: &str) -> Option<Key> {
    let tags = inv
        .subnets
        .iter()
        .find(|s| s.id == id)
        .map(|s| &s.tags)
        .or_else(|| {
            inv.route_tables
                .iter()
                .find(|t| t.id == id)
                .map(|t| &t.tags)
        })?;
    parse_label(tags.get(TAG_COMPONENT)?)
}

/// The components a step touches.
pub fn keys_of(op: &Op, inv: &Inventory) -> Vec<Key> {
    let v = |vpc: &String| vpc.clone();
    match op {
        Op::CreateVpc { vpc, .. } => vec![Key::Vpc(v(vpc))],
        // No value of the state shows the attribute, and the VPC's id stays: nothing to
        // mark unknown (the plan shows the repair through the mesh's id).
        Op::EnableDnsHostnames { .. } => vec![],
        Op::FindMainRouteTable { vpc, .. } => vec![Key::MainRouteTable(v(vpc))],
        Op::CreateSubnet { vpc, subnet, .. } => vec![Key::Subnet(v(vpc), subnet.clone())],
        Op::CreateRouteTable { vpc, subnet, .. } => vec![Key::RouteTable(v(vpc), subnet.clone())],
        Op::AssociateRouteTable { vpc, subnet, .. } => {
            vec![Key::Association(v(vpc), subnet.clone())]
        }
        Op::CreateInternetGateway { vpc, .. } | Op::AttachInternetGateway { vpc, .. } => {
            vec![Key::InternetGateway(v(vpc))]
        }
        Op::CreateSecurityGroup { vpc, .. }
        | Op::AuthorizeIngress { vpc, .. }
        | Op::RevokeIngress { vpc, .. } => {
            vec![Key::SecurityGroup(v(vpc))]
        }
        Op::CreatePeering { pair, .. }
        | Op::AcceptPeering { pair, .. }
        | Op::WaitPeeringActive { pair, .. }
        | Op::SetPeeringDns { pair, .. } => vec![Key::Peering(pair.clone())],
        Op::PutRoute { table, .. } => vec![table.clone()],
        // A missing or changed block shows as an unknown `ipv6_cidr_block` (see
        // state::ipv6), which keeps the ids known: the VPC and subnet stay.
        Op::AssociateVpcIpv6 { .. }
        | Op::AssociateSubnetIpv6 { .. }
        | Op::DisassociateSubnetIpv6 { .. } => vec![],
        // A block on a VPC without `ipv6` shows in no attribute: the mesh's id stands for it.
        Op::DisassociateVpcIpv6 { vpc, .. } => vec![Key::Vpc(v(vpc))],
        Op::SetTags { key, .. } => vec![key.clone()],
        Op::DeleteRoute { table, .. } => parse_label(table).into_iter().collect(),
        Op::DisassociateRouteTable {
            route_table_id,
            subnet_id,
            ..
        } => [key_of_id(inv, subnet_id), key_of_id(inv, route_table_id)]
            .into_iter()
            .flatten()
            .collect(),
        Op::DetachInternetGateway { gateway, .. } => {
            parse_label(&gateway.label).into_iter().collect()
        }
        Op::DeletePeering(d)
        | Op::DeleteSecurityGroup(d)
        | Op::DeleteRouteTable(d)
        | Op::DeleteSubnet(d)
        | Op::DeleteInternetGateway(d)
        | Op::DeleteVpc(d) => parse_label(&d.label).into_iter().collect(),
    }
}

/// Every component a plan touches, including the ones it creates.
pub fn touched(plan: &Plan, inv: &Inventory) -> BTreeSet<Key> {
    plan.steps
        .iter()
        .flat_map(|s| keys_of(&s.op, inv))
        .collect()
}

/// Does the key belong to VPCs that are all in `mesh`? Changes to VPCs the
/// configuration drops show in the plan anyway.
pub fn within(key: &Key, mesh: &Mesh) -> bool {
    match key {
        Key::Peering(pair) => mesh.vpcs.contains_key(&pair.a) && mesh.vpcs.contains_key(&pair.b),
        other => other.vpc().is_some_and(|v| mesh.vpcs.contains_key(v)),
    }
}

/// One repair in plain words.
pub fn describe(op: &Op) -> String {
    let via = |via: &RouteVia| match via {
        RouteVia::Peering(p) => format!("peering {}", p.key()),
        RouteVia::InternetGateway(v) => format!("the internet gateway of VPC {v}"),
    };
    match op {
        Op::CreateVpc { vpc, cidr, .. } => format!("VPC {vpc} ({cidr}) is missing: it will be created again"),
        Op::EnableDnsHostnames { vpc, .. } => format!("DNS hostnames are off in VPC {vpc} (the mesh turns them on, for DNS names across peerings): they will be turned on again"),
        Op::FindMainRouteTable { vpc, .. } => format!("the main route table of VPC {vpc} will be looked up"),
        Op::CreateSubnet { vpc, subnet, cidr, .. } => format!("subnet {subnet} ({cidr}) of VPC {vpc} is missing: it will be created again"),
        Op::CreateRouteTable { vpc, subnet, .. } => format!("the route table of subnet {subnet} in VPC {vpc} is missing: it will be created again"),
        Op::AssociateRouteTable { vpc, subnet, .. } => {
            format!("subnet {subnet} of VPC {vpc} is not associated with its route table: it will be associated again")
        }
        Op::CreateInternetGateway { vpc, .. } => format!("the internet gateway of VPC {vpc} is missing: it will be created again"),
        Op::AttachInternetGateway { vpc, .. } => format!("the internet gateway of VPC {vpc} is not attached: it will be attached"),
        Op::CreateSecurityGroup { vpc, .. } => format!("the security group of VPC {vpc} is missing: it will be created again"),
        Op::AuthorizeIngress { vpc, rules, .. } => {
            format!("the security group of VPC {vpc} lacks rules ({}): they will be added", rules_text(rules))
        }
        Op::RevokeIngress { vpc, rules, .. } => {
            format!("the security group of VPC {vpc} has rules the mesh does not want ({}): they will be removed", rules_text(rules))
        }
        Op::CreatePeering { pair, .. } => format!("peering {} is missing or no longer usable: it will be created again", pair.key()),
        Op::AcceptPeering { pair, .. } => format!("peering {} is not accepted: it will be accepted", pair.key()),
        Op::WaitPeeringActive { pair, .. } => format!("peering {} is not active yet: apply waits for it", pair.key()),
        Op::SetPeeringDns { pair, allow, .. } => format!("DNS resolution on peering {} will be set to {allow}", pair.key()),
        Op::PutRoute { table, destination, via: v, .. } => {
            format!("route table {table} lacks the route to {destination} via {}: it will be put back", via(v))
        }
        Op::SetTags { key, .. } => format!("the tags of {key} differ from the mesh's: they will be set again"),
        Op::AssociateVpcIpv6 { vpc, .. } => format!("VPC {vpc} has no IPv6 block: EC2 will be asked for one"),
        Op::DisassociateVpcIpv6 { vpc, .. } => format!("VPC {vpc} has an IPv6 block the mesh does not want: it will be disassociated"),
        Op::AssociateSubnetIpv6 { vpc, subnet, cidr, .. } => format!("subnet {subnet} of VPC {vpc} lacks its IPv6 block {cidr}: it will be associated"),
        Op::DisassociateSubnetIpv6 { vpc, subnet, .. } => format!("subnet {subnet} of VPC {vpc} has an IPv6 block the mesh does not want: it will be disassociated"),
        Op::DeleteRoute { table, destination, .. } => format!("route table {table} has a stale route to {destination}: it will be deleted"),
        Op::DisassociateRouteTable { route_table_id, subnet_id, .. } => {
            format!("subnet {subnet_id} is associated with route table {route_table_id}: the association will be removed")
        }
        Op::DetachInternetGateway { gateway, vpc_id } => {
            format!("internet gateway {} ({}) will be detached from {vpc_id}", gateway.id, gateway.label)
        }
        Op::DeletePeering(d)
        | Op::DeleteSecurityGroup(d)
        | Op::DeleteRouteTable(d)
        | Op::DeleteSubnet(d)
        | Op::DeleteInternetGateway(d)
        | Op::DeleteVpc(d) => format!("{} ({}) carries this mesh's tag but is not part of it (a duplicate or a leftover): it will be deleted", d.id, d.label),
    }
}

fn rules_text(rules: &[IngressRule]) -> String {
    let one = |r: &IngressRule| match r.protocol {
        Protocol::Icmp => format!("ICMP from {}", r.cidr),
        Protocol::Icmpv6 => format!("ICMPv6 from {}", r.cidr),
        Protocol::Tcp { from, to } if from == to => format!("TCP {from} from {}", r.cidr),
        Protocol::Tcp { from, to } => format!("TCP {from}-{to} from {}", r.cidr),
    };
    rules.iter().map(one).collect::<Vec<_>>().join(", ")
}
