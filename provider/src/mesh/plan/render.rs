//! A plan as readable, deterministic text: one line per step, numbered from 1, with the
//! steps it waits for. Tags of new objects are left out (they follow from the keys).

use std::fmt::Write;

use super::{Doomed, Op, Plan};
use crate::ec2::types::{IngressRule, Protocol};
use crate::mesh::key::RouteVia;

pub fn render(plan: &Plan) -> String {
    let mut out = format!(
        "plan for mesh {}: {} steps\n",
        plan.mesh_id,
        plan.steps.len()
    );
    for (i, step) in plan.steps.iter().enumerate() {
        let (verb, detail) = describe(&step.op);
        let _ = write!(
            out,
            "{:>4}. {verb:<12} {:<40} {detail}",
            i + 1,
            step.op.component()
        );
        if !step.after.is_empty() {
            let after: Vec<String> = step.after.iter().map(|a| (a + 1).to_string()).collect();
            let _ = write!(out, "  (after {})", after.join(", "));
        }
        out.push('\n');
    }
    out
}

fn describe(op: &Op) -> (&'static str, String) {
    let gone = |kind: &str, d: &Doomed| format!("{kind} {} in {}", d.id, d.region);
    match op {
        Op::CreateVpc { region, cidr, .. } => ("create", format!("VPC {cidr} in {region}")),
        Op::EnableDnsHostnames { region, .. } => {
            ("modify", format!("enable DNS hostnames in {region}"))
        }
        Op::FindMainRouteTable { region, .. } => ("find", format!("main route table in {region}")),
        Op::CreateSubnet {
            cidr,
            availability_zone,
            region,
            ..
        } => {
            let zone = availability_zone
                .clone()
                .unwrap_or_else(|| format!("any zone of {region}"));
            ("create", format!("subnet {cidr} in {zone}"))
        }
        Op::CreateRouteTable { region, .. } => ("create", format!("route table in {region}")),
        Op::AssociateRouteTable { vpc, subnet, .. } => (
            "associate",
            format!("rtb/{vpc}/{subnet} with subnet/{vpc}/{subnet}"),
        ),
        Op::CreateInternetGateway { region, .. } => {
            ("create", format!("internet gateway in {region}"))
        }
        Op::AttachInternetGateway { vpc, .. } => ("attach", format!("to vpc/{vpc}")),
        Op::CreateSecurityGroup {
            group_name, region, ..
        } => ("create", format!("security group {group_name} in {region}")),
        Op::AuthorizeIngress { rules, .. } => ("authorize", rules_text(rules)),
        Op::RevokeIngress { rules, .. } => ("revoke", rules_text(rules)),
        Op::CreatePeering {
            pair,
            requester_region,
            accepter_region,
            ..
        } => (
            "create",
            format!(
                "peering {} ({requester_region}) -> {} ({accepter_region})",
                pair.a, pair.b
            ),
        ),
        Op::AcceptPeering {
            accepter_region, ..
        } => ("accept", format!("in {accepter_region}")),
        Op::WaitPeeringActive { .. } => ("wait", "until active".to_string()),
        Op::SetPeeringDns { allow, .. } => (
            "modify",
            format!("dns resolution from remote VPC = {allow}"),
        ),
        Op::PutRoute { via, .. } => ("route", format!("via {}", via_text(via))),
        Op::SetTags { add, remove, .. } => {
            let added = add.iter().map(|(k, v)| format!("+{k}={v}"));
            let removed = remove.iter().map(|k| format!("-{k}"));
            ("tag", added.chain(removed).collect::<Vec<_>>().join(" "))
        }
        Op::DeleteRoute {
            route_table_id,
            region,
            ..
        } => ("delete", format!("route from {route_table_id} in {region}")),
        Op::AssociateVpcIpv6 { region, .. } => {
            ("associate", format!("an Amazon IPv6 /56 in {region}"))
        }
        Op::AssociateSubnetIpv6 { cidr, .. } => ("associate", format!("IPv6 {cidr}")),
        Op::DisassociateSubnetIpv6 { association_id, .. }
        | Op::DisassociateVpcIpv6 { association_id, .. } => {
            ("disassociate", format!("IPv6 block {association_id}"))
        }
        Op::DeletePeering(d) => ("delete", gone("peering", d)),
        Op::DeleteSecurityGroup(d) => ("delete", gone("security group", d)),
        Op::DisassociateRouteTable {
            route_table_id,
            subnet_id,
            region,
            ..
        } => (
            "disassociate",
            format!("{route_table_id} from {subnet_id} in {region}"),
        ),
        Op::DeleteRouteTable(d) => ("delete", gone("route table", d)),
        Op::DeleteSubnet(d) => ("delete", gone("subnet", d)),
        Op::DetachInternetGateway { gateway, vpc_id } => (
            "detach",
            format!("{} from {vpc_id} in {}", gateway.id, gateway.region),
        ),
        Op::DeleteInternetGateway(d) => ("delete", gone("internet gateway", d)),
        Op::DeleteVpc(d) => ("delete", gone("VPC", d)),
    }
}

fn via_text(via: &RouteVia) -> String {
    via.key().to_string()
}

pub(crate) fn rules_text(rules: &[IngressRule]) -> String {
    let one = |r: &IngressRule| match r.protocol {
        Protocol::Icmp => format!("icmp from {}", r.cidr),
        Protocol::Icmpv6 => format!("icmpv6 from {}", r.cidr),
        Protocol::Tcp { from, to } if from == to => format!("tcp {from} from {}", r.cidr),
        Protocol::Tcp { from, to } => format!("tcp {from}-{to} from {}", r.cidr),
    };
    rules.iter().map(one).collect::<Vec<_>>().join(", ")
}
