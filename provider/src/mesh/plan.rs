//! The planner: a pure, deterministic function from the desired components and the
//! inventory to a [`Plan`], a DAG of steps that leaves the executor no choices. Objects
//! are matched by their `peering:component` tag (set algebra on stable keys): what is
//! desired and missing is created, what exists and is not desired is deleted, what
//! differs is changed or replaced.

mod build;
mod dns;
mod graph;
mod index;
mod ipv6;
mod members;
mod peerings;
mod removal;
mod render;
mod routes;

use std::collections::BTreeMap;

use ipnet::{IpNet, Ipv4Net, Ipv6Net};

use super::desired::Desired;
use super::key::{Key, RouteVia};
use super::model::Pair;
use crate::ec2::types::{IngressRule, Inventory, Tags};

pub use render::render;
#[cfg(test)]
pub(crate) use render::rules_text;

/// Index of a step in [`Plan::steps`].
pub type StepId = usize;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    pub mesh_id: String,
    /// Ids of the desired components that exist already. Steps name components by key;
    /// the executor starts its id map from this and adds what it creates.
    pub known: BTreeMap<Key, String>,
    /// In dependency order: every step comes after the steps it depends on.
    pub steps: Vec<Step>,
    /// Objects that are not the mesh's and stand where it needs to be: left as they are,
    /// and what depends on them is not planned. The resource reports each with its fix.
    pub blocked: Vec<Blocker>,
}

/// Something of someone else's in the mesh's way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blocker {
    /// The component that cannot be made, e.g. `pcx/alpha:beta` or `rtb/alpha>10.2.0.0/16`.
    pub component: String,
    /// What is in the way (object id, target, owner tags) and the fix, in sentences.
    pub message: String,
}

impl Plan {
    /// Nothing to do (blocked components aside: nothing can be done about them).
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub op: Op,
    /// Steps that must succeed before this one (all smaller than its own index).
    pub after: Vec<StepId>,
}

/// An object found in EC2 that goes away: not desired, a duplicate, or replaced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Doomed {
    pub region: String,
    pub id: String,
    /// Its `peering:component` tag, or `untagged`.
    pub label: String,
}

/// One EC2 operation. Components that exist or are created in the same run are named by
/// key; objects being deleted by id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    CreateVpc {
        vpc: String,
        region: String,
        cidr: Ipv4Net,
        tags: Tags,
    },
    /// Turns the VPC's DNS hostnames back on (the mesh enables them at create; someone
    /// turned them off).
    EnableDnsHostnames {
        vpc: String,
        region: String,
    },
    /// Records the id of the main route table AWS created with the VPC.
    FindMainRouteTable {
        vpc: String,
        region: String,
    },
    CreateSubnet {
        vpc: String,
        subnet: String,
        region: String,
        cidr: Ipv4Net,
        availability_zone: Option<String>,
        tags: Tags,
    },
    CreateRouteTable {
        vpc: String,
        subnet: String,
        region: String,
        tags: Tags,
    },
    AssociateRouteTable {
        vpc: String,
        subnet: String,
        region: String,
    },
    CreateInternetGateway {
        vpc: String,
        region: String,
        tags: Tags,
    },
    AttachInternetGateway {
        vpc: String,
        region: String,
    },
    CreateSecurityGroup {
        vpc: String,
        region: String,
        group_name: String,
        description: String,
        tags: Tags,
    },
    AuthorizeIngress {
        vpc: String,
        region: String,
        rules: Vec<IngressRule>,
    },
    RevokeIngress {
        vpc: String,
        region: String,
        rules: Vec<IngressRule>,
    },
    CreatePeering {
        pair: Pair,
        requester_region: String,
        accepter_region: String,
        tags: Tags,
    },
    /// Waits until the request is pending acceptance (or already past it), then accepts
    /// in the accepter's region.
    AcceptPeering {
        pair: Pair,
        requester_region: String,
        accepter_region: String,
    },
    WaitPeeringActive {
        pair: Pair,
        region: String,
    },
    SetPeeringDns {
        pair: Pair,
        requester_region: String,
        accepter_region: String,
        allow: bool,
    },
    /// Create or replace the route `destination` in `table` (a route table key).
    PutRoute {
        table: Key,
        region: String,
        destination: IpNet,
        via: RouteVia,
    },
    SetTags {
        key: Key,
        region: String,
        add: Tags,
        remove: Vec<String>,
    },
    DeleteRoute {
        region: String,
        route_table_id: String,
        table: String,
        destination: IpNet,
    },
    /// Asks EC2 for an Amazon-provided IPv6 /56 for the VPC.
    AssociateVpcIpv6 {
        vpc: String,
        region: String,
    },
    /// Gives the subnet its /64 of the VPC's block.
    AssociateSubnetIpv6 {
        vpc: String,
        subnet: String,
        region: String,
        cidr: Ipv6Net,
    },
    /// Takes a subnet's IPv6 block away (IPv6 turned off, or another /64 wanted).
    DisassociateSubnetIpv6 {
        vpc: String,
        subnet: String,
        region: String,
        association_id: String,
    },
    /// Takes the VPC's IPv6 block away: after its subnets' blocks, routes and rules.
    DisassociateVpcIpv6 {
        vpc: String,
        region: String,
        association_id: String,
    },
    DeletePeering(Doomed),
    DeleteSecurityGroup(Doomed),
    DisassociateRouteTable {
        region: String,
        association_id: String,
        route_table_id: String,
        subnet_id: String,
    },
    DeleteRouteTable(Doomed),
    DeleteSubnet(Doomed),
    DetachInternetGateway {
        gateway: Doomed,
        vpc_id: String,
    },
    DeleteInternetGateway(Doomed),
    DeleteVpc(Doomed),
}

/// "it carries no tags" / "its tags: Name=x, peering:mesh=mesh-1": who an object in the
/// way belongs to, as far as its tags tell (the first few).
pub(super) fn owner_tags(tags: &Tags) -> String {
    if tags.is_empty() {
        return "it carries no tags".to_string();
    }
    let mut shown: Vec<String> = tags
        .iter()
        .take(4)
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    if tags.len() > shown.len() {
        shown.push(format!("and {} more", tags.len() - shown.len()));
    }
    format!("its tags: {}", shown.join(", "))
}

/// Which of the resource's timeouts bounds a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Create,
    Update,
    Delete,
}

impl Op {
    /// The component a step works on, as error messages and the render name it.
    pub fn component(&self) -> String {
        match self {
            Op::CreateVpc { vpc, .. } | Op::FindMainRouteTable { vpc, .. } => {
                let key = if matches!(self, Op::CreateVpc { .. }) {
                    Key::Vpc(vpc.clone())
                } else {
                    Key::MainRouteTable(vpc.clone())
                };
                key.to_string()
            }
            Op::EnableDnsHostnames { vpc, .. }
            | Op::AssociateVpcIpv6 { vpc, .. }
            | Op::DisassociateVpcIpv6 { vpc, .. } => Key::Vpc(vpc.clone()).to_string(),
            Op::AssociateSubnetIpv6 { vpc, subnet, .. }
            | Op::DisassociateSubnetIpv6 { vpc, subnet, .. } => {
                Key::Subnet(vpc.clone(), subnet.clone()).to_string()
            }
            Op::CreateSubnet { vpc, subnet, .. } => {
                Key::Subnet(vpc.clone(), subnet.clone()).to_string()
            }
            Op::CreateRouteTable { vpc, subnet, .. } => {
                Key::RouteTable(vpc.clone(), subnet.clone()).to_string()
            }
            Op::AssociateRouteTable { vpc, subnet, .. } => {
                Key::Association(vpc.clone(), subnet.clone()).to_string()
            }
            Op::CreateInternetGateway { vpc, .. } | Op::AttachInternetGateway { vpc, .. } => {
                Key::InternetGateway(vpc.clone()).to_string()
            }
            Op::CreateSecurityGroup { vpc, .. }
            | Op::AuthorizeIngress { vpc, .. }
            | Op::RevokeIngress { vpc, .. } => Key::SecurityGroup(vpc.clone()).to_string(),
            Op::CreatePeering { pair, .. }
            | Op::AcceptPeering { pair, .. }
            | Op::WaitPeeringActive { pair, .. }
            | Op::SetPeeringDns { pair, .. } => Key::Peering(pair.clone()).to_string(),
            Op::PutRoute {
                table, destination, ..
            } => format!("{table}>{destination}"),
            Op::SetTags { key, .. } => key.to_string(),
            Op::DeleteRoute {
                table, destination, ..
            } => format!("{table}>{destination}"),
            Op::DisassociateRouteTable { association_id, .. } => association_id.clone(),
            Op::DetachInternetGateway { gateway, .. } => gateway.label.clone(),
            Op::DeletePeering(d)
            | Op::DeleteSecurityGroup(d)
            | Op::DeleteRouteTable(d)
            | Op::DeleteSubnet(d)
            | Op::DeleteInternetGateway(d)
            | Op::DeleteVpc(d) => d.label.clone(),
        }
    }

    pub fn phase(&self) -> Phase {
        match self {
            Op::SetTags { .. }
            | Op::SetPeeringDns { .. }
            | Op::RevokeIngress { .. }
            | Op::EnableDnsHostnames { .. } => Phase::Update,
            Op::DeleteRoute { .. }
            | Op::DisassociateSubnetIpv6 { .. }
            | Op::DisassociateVpcIpv6 { .. }
            | Op::DeletePeering(_)
            | Op::DeleteSecurityGroup(_)
            | Op::DisassociateRouteTable { .. }
            | Op::DeleteRouteTable(_)
            | Op::DeleteSubnet(_)
            | Op::DetachInternetGateway { .. }
            | Op::DeleteInternetGateway(_)
            | Op::DeleteVpc(_) => Phase::Delete,
            _ => Phase::Create,
        }
    }
}

/// The plan that takes `actual` to `desired`. Pure and deterministic: the same inputs
/// give the same plan, whatever order the inventory lists objects in.
pub fn plan(desired: &Desired, actual: &Inventory) -> Plan {
    build::Builder::new(desired, actual).build()
}

#[cfg(test)]
mod tests;
