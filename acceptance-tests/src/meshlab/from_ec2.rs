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
            subnets: snapshot
                .subnets
                .iter()
                .filter_map(|s| subnet(snapshot, s))
                .collect(),
            route_tables: snapshot.route_tables.iter().map(route_table).collect(),
            peerings: snapshot.peerings.iter().map(peering).collect(),
            internet_gateways: snapshot.internet_gateways.iter().map(gateway).collect(),
            security_groups: snapshot
                .security_groups
                .iter()
                .map(security_group)
                .collect(),
            instances: instances(&snapshot.instances),
        }
    }
}

fn vpc(v: &ec2check::Vpc) -> Option<VpcSpec> {
    Some(VpcSpec {
        id: v.id.clone(),
        cidr: v.cidr_block.parse().ok()?,
    })
}

fn subnet(snapshot: &Ec2Snapshot, s: &ec2check::Subnet) -> Option<SubnetSpec> {
    let explicit = snapshot
        .route_tables
        .iter()
        .find(|t| t.subnet_ids.contains(&s.id));
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
    Some(RouteSpec {
        destination,
        target,
    })
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
    GatewaySpec {
        id: g.id.clone(),
        vpc_id: attached.map(|(vpc, _)| vpc.clone()),
    }
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
    SecurityGroupSpec {
        id: g.id.clone(),
        ingress,
    }
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

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use super::*;
    use crate::ec2check;

    #[test]
    fn from_snapshot_reads_tables_peerings_gateways_groups_and_live_instances() {
        let snapshot = seed_snapshot();
        let spec = LabSpec::from_snapshot(&snapshot);
        spec.validate().unwrap();
        let public = spec.subnet("subnet-pub").unwrap();
        assert_eq!(spec.table_of(public).unwrap().id, "rtb-pub");
        assert_eq!(
            spec.table_of(spec.subnet("subnet-priv").unwrap())
                .unwrap()
                .id,
            "rtb-main"
        );
        let routes = &spec.route_table("rtb-pub").unwrap().routes;
        assert_eq!(routes[0].target, RouteTarget::Local);
        assert_eq!(
            routes[1].target,
            RouteTarget::InternetGateway("igw-1".into())
        );
        assert_eq!(
            spec.instances.len(),
            1,
            "the terminated instance is left out"
        );
        assert_eq!(spec.instances[0].name, "bastion");
        assert_eq!(
            spec.reachable_public_ip(&spec.instances[0]),
            Some("54.0.0.9".parse().unwrap())
        );
        assert_eq!(spec.security_groups[0].ingress.len(), 1);
    }

    fn seed_snapshot() -> Ec2Snapshot {
        let table = |id: &str, main: bool, subnets: &[&str], routes: Vec<ec2check::Route>| {
            ec2check::RouteTable {
                id: id.into(),
                vpc_id: "vpc-1".into(),
                main,
                subnet_ids: subnets.iter().map(|s| s.to_string()).collect(),
                routes,
                tags: Default::default(),
            }
        };
        let route = |dest: &str, gateway: &str| ec2check::Route {
            destination: Some(dest.into()),
            peering_id: None,
            gateway_id: Some(gateway.into()),
            state: Some("active".into()),
        };
        let subnet = |id: &str, cidr: &str| ec2check::Subnet {
            id: id.into(),
            vpc_id: "vpc-1".into(),
            cidr_block: cidr.into(),
            tags: Default::default(),
        };
        let instance = |id: &str, state: &str| ec2check::Instance {
            id: id.into(),
            subnet_id: Some("subnet-pub".into()),
            vpc_id: Some("vpc-1".into()),
            private_ip: Some("10.1.1.9".into()),
            public_ip: Some("54.0.0.9".into()),
            security_group_ids: vec!["sg-1".into()],
            state: state.into(),
            tags: BTreeMap::from([("Name".to_string(), "bastion".to_string())]),
        };
        Ec2Snapshot {
            vpcs: vec![ec2check::Vpc {
                id: "vpc-1".into(),
                cidr_block: "10.1.0.0/16".into(),
                tags: Default::default(),
            }],
            subnets: vec![
                subnet("subnet-pub", "10.1.1.0/24"),
                subnet("subnet-priv", "10.1.2.0/24"),
            ],
            route_tables: vec![
                table("rtb-main", true, &[], vec![route("10.1.0.0/16", "local")]),
                table(
                    "rtb-pub",
                    false,
                    &["subnet-pub"],
                    vec![route("10.1.0.0/16", "local"), route("0.0.0.0/0", "igw-1")],
                ),
            ],
            internet_gateways: vec![ec2check::InternetGateway {
                id: "igw-1".into(),
                attachments: vec![("vpc-1".into(), "available".into())],
                tags: Default::default(),
            }],
            security_groups: vec![ec2check::SecurityGroup {
                id: "sg-1".into(),
                vpc_id: "vpc-1".into(),
                name: "bastion".into(),
                ingress: BTreeSet::from([ec2check::IngressRule {
                    protocol: "tcp".into(),
                    from_port: Some(22),
                    to_port: Some(22),
                    cidr: "0.0.0.0/0".into(),
                }]),
                tags: Default::default(),
            }],
            peerings: vec![],
            instances: vec![instance("i-1", "running"), instance("i-2", "terminated")],
        }
    }
}
