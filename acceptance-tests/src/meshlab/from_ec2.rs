//! A [`LabSpec`] from what the EC2 API says (an [`Ec2Snapshot`] of moto or
//! real AWS). Objects the lab cannot model are left out: IPv6 routes and
//! rules, rules that name a security group instead of a CIDR, terminated
//! instances, instances without a private IPv4.

use std::collections::BTreeMap;

use crate::ec2check::{self, Ec2Snapshot};

use super::spec::*;

impl LabSpec {
    pub fn from_snapshot(snapshot: &Ec2Snapshot) -> LabSpec {
        LabSpec {
            vpcs: snapshot.vpcs.iter().filter_map(vpc).collect(),
            subnets: snapshot.subnets.iter().filter_map(|s| subnet(snapshot, s)).collect(),
            route_tables: snapshot.route_tables.iter().map(route_table).collect(),
            peerings: snapshot.peerings.iter().map(peering).collect(),
            internet_gateways: snapshot.internet_gateways.iter().map(gateway).collect(),
            security_groups: snapshot.security_groups.iter().map(security_group).collect(),
            instances: instances(&snapshot.instances),
        }
    }
}

fn vpc(v: &ec2check::Vpc) -> Option<VpcSpec> {
    Some(VpcSpec { id: v.id.clone(), cidr: v.cidr_block.parse().ok()? })
}

fn subnet(snapshot: &Ec2Snapshot, s: &ec2check::Subnet) -> Option<SubnetSpec> {
    let explicit = snapshot.route_tables.iter().find(|t| t.subnet_ids.contains(&s.id));
    Some(SubnetSpec {
        id: s.id.clone(),
        vpc_id: s.vpc_id.clone(),
        cidr: s.cidr_block.parse().ok()?,
        route_table_id: explicit.map(|t| t.id.clone()),
    })
}

fn route_table(t: &ec2check::RouteTable) -> RouteTableSpec {
    RouteTableSpec {
        id: t.id.clone(),
        vpc_id: t.vpc_id.clone(),
        main: t.main,
        routes: t.routes.iter().filter_map(route).collect(),
    }
}

fn route(r: &ec2check::Route) -> Option<RouteSpec> {
    let destination = r.destination.as_deref()?.parse().ok()?;
    let target = match (&r.peering_id, r.gateway_id.as_deref()) {
        (Some(peering), _) => RouteTarget::Peering(peering.clone()),
        (None, Some("local")) => RouteTarget::Local,
        (None, Some(g)) if g.starts_with("igw-") => RouteTarget::InternetGateway(g.into()),
        (None, other) => RouteTarget::Other(other.unwrap_or("unknown").into()),
    };
    Some(RouteSpec { destination, target })
}

fn peering(p: &ec2check::Peering) -> PeeringSpec {
    PeeringSpec {
        id: p.id.clone(),
        requester_vpc_id: p.requester_vpc_id.clone(),
        accepter_vpc_id: p.accepter_vpc_id.clone(),
        status: p.status.clone(),
    }
}

fn gateway(g: &ec2check::InternetGateway) -> GatewaySpec {
    let attached = g
        .attachments
        .iter()
        .find(|(_, state)| !matches!(state.as_str(), "detached" | "detaching"));
    GatewaySpec { id: g.id.clone(), vpc_id: attached.map(|(vpc, _)| vpc.clone()) }
}

fn security_group(g: &ec2check::SecurityGroup) -> SecurityGroupSpec {
    let ingress = g
        .ingress
        .iter()
        .filter_map(|r| {
            Some(IngressSpec {
                protocol: Protocol::parse(&r.protocol)?,
                from_port: r.from_port,
                to_port: r.to_port,
                source: r.cidr.parse().ok()?,
            })
        })
        .collect();
    SecurityGroupSpec { id: g.id.clone(), ingress }
}

/// Live instances; a `Name` tag two instances share is made unique with the id.
fn instances(all: &[ec2check::Instance]) -> Vec<InstanceSpec> {
    let mut specs: Vec<InstanceSpec> = all.iter().filter_map(instance).collect();
    let mut uses: BTreeMap<String, usize> = BTreeMap::new();
    for spec in &specs {
        *uses.entry(spec.name.clone()).or_default() += 1;
    }
    for spec in &mut specs {
        if uses[&spec.name] > 1 {
            spec.name = format!("{}-{}", spec.name, spec.id);
        }
    }
    specs
}

fn instance(i: &ec2check::Instance) -> Option<InstanceSpec> {
    let state = match i.state.as_str() {
        "pending" | "running" => InstanceState::Running,
        "stopping" | "stopped" => InstanceState::Stopped,
        _ => return None,
    };
    Some(InstanceSpec {
        id: i.id.clone(),
        name: i.name().unwrap_or(&i.id).to_string(),
        subnet_id: i.subnet_id.clone()?,
        private_ip: i.private_ip.as_deref()?.parse().ok()?,
        security_group_ids: i.security_group_ids.clone(),
        state,
        public_ip: i.public_ip.as_deref().and_then(|ip| ip.parse().ok()),
    })
}
