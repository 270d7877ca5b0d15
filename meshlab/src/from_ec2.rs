//! A [`LabSpec`] from what the EC2 API says (moto, through [`crate::query`]),
//! in one account or several ([`accounts`]). IPv6 blocks, routes, rules and
//! addresses are read with their IPv4 counterparts. Objects the lab cannot
//! model are left out: rules that name a security group instead of a CIDR,
//! terminated instances, instances without a private IPv4.

use std::collections::BTreeMap;

use ipnet::IpNet;
use roxmltree::Node;

use ipv6::{ipv6_addresses, ipv6_block, keep_carried_ipv6};

use crate::query::{child, each_item, items, text, Ec2Api};
use crate::spec::*;

impl LabSpec {
    /// Everything in `region` of the EC2 API at `endpoint` (moto's
    /// `http://127.0.0.1:PORT`), read with one paginated Describe per kind,
    /// in the own account only (see [`LabSpec::from_ec2_accounts`] for more).
    pub fn from_ec2(endpoint: &str, region: &str) -> Result<LabSpec, String> {
        LabSpec::from_ec2_accounts(endpoint, region, &[])
    }

    /// The VPCs of [`LabSpec::from_ec2`] that `keep` accepts, as
    /// [`LabSpec::retain_vpcs`] keeps them (e.g. one test's VPCs of a moto that
    /// holds others). Instance names are made unique among the kept instances
    /// only, so a `Name` another test's instance also has stays as it is.
    pub fn from_ec2_vpcs(
        endpoint: &str,
        region: &str,
        keep: impl Fn(&str) -> bool,
    ) -> Result<LabSpec, String> {
        LabSpec::from_ec2_accounts_vpcs(endpoint, region, &[], keep)
    }

    /// Everything one account's `api` shows, names as tagged.
    pub(crate) fn from_api(api: &Ec2Api) -> Result<LabSpec, String> {
        LabSpec::from_answers(|action| api.describe_all(action))
    }

    /// The spec from the pages `pages(action)` returns for each Describe call,
    /// instance names as tagged (not yet made unique).
    fn from_answers(
        mut pages: impl FnMut(&str) -> Result<Vec<String>, String>,
    ) -> Result<LabSpec, String> {
        let mut read = |action: &str, set: &str, each: &mut dyn FnMut(Node)| {
            each_item(&pages(action)?, action, set, each)
        };
        let mut spec = LabSpec::default();
        // (subnet, route table) of every explicit association.
        let mut associations: Vec<(String, String)> = Vec::new();
        read("DescribeVpcs", "vpcSet", &mut |v: Node| {
            spec.vpcs.extend(vpc(v))
        })?;
        read("DescribeRouteTables", "routeTableSet", &mut |t: Node| {
            let (table, subnets) = route_table(t);
            associations.extend(subnets.into_iter().map(|s| (s, table.id.clone())));
            spec.route_tables.push(table);
        })?;
        read("DescribeSubnets", "subnetSet", &mut |s: Node| {
            spec.subnets.extend(subnet(s, &associations))
        })?;
        read(
            "DescribeVpcPeeringConnections",
            "vpcPeeringConnectionSet",
            &mut |p: Node| spec.peerings.push(peering(p)),
        )?;
        read(
            "DescribeInternetGateways",
            "internetGatewaySet",
            &mut |g: Node| spec.internet_gateways.push(gateway(g)),
        )?;
        read(
            "DescribeSecurityGroups",
            "securityGroupInfo",
            &mut |g: Node| spec.security_groups.push(security_group(g)),
        )?;
        read("DescribeInstances", "reservationSet", &mut |r: Node| {
            spec.instances
                .extend(items(r, "instancesSet").filter_map(instance))
        })?;
        keep_carried_ipv6(&mut spec);
        Ok(spec)
    }
}

fn owned(value: Option<&str>) -> String {
    value.unwrap_or_default().to_string()
}

fn vpc(v: Node) -> Option<VpcSpec> {
    Some(VpcSpec {
        id: text(v, "vpcId")?.into(),
        cidr: text(v, "cidrBlock")?.parse().ok()?,
        ipv6_cidr: ipv6_block(v),
        owner_id: text(v, "ownerId").map(str::to_string),
    })
}

/// The table and the subnets explicitly associated with it.
fn route_table(t: Node) -> (RouteTableSpec, Vec<String>) {
    let associations: Vec<Node> = items(t, "associationSet").collect();
    let table = RouteTableSpec {
        id: owned(text(t, "routeTableId")),
        vpc_id: owned(text(t, "vpcId")),
        main: associations
            .iter()
            .any(|a| text(*a, "main") == Some("true")),
        routes: items(t, "routeSet").filter_map(route).collect(),
    };
    let subnets = associations
        .iter()
        .filter_map(|a| text(*a, "subnetId"))
        .map(str::to_string)
        .collect();
    (table, subnets)
}

fn route(r: Node) -> Option<RouteSpec> {
    let destination = text(r, "destinationCidrBlock")
        .or_else(|| text(r, "destinationIpv6CidrBlock"))?
        .parse()
        .ok()?;
    let target = match (text(r, "vpcPeeringConnectionId"), text(r, "gatewayId")) {
        (Some(peering), _) => RouteTarget::Peering(peering.into()),
        (None, Some("local")) => RouteTarget::Local,
        (None, Some(g)) if g.starts_with("igw-") => RouteTarget::InternetGateway(g.into()),
        (None, other) => RouteTarget::Other(other.unwrap_or("unknown").into()),
    };
    Some(RouteSpec {
        destination,
        target,
    })
}

fn subnet(s: Node, associations: &[(String, String)]) -> Option<SubnetSpec> {
    let id = text(s, "subnetId")?;
    Some(SubnetSpec {
        id: id.into(),
        vpc_id: owned(text(s, "vpcId")),
        cidr: text(s, "cidrBlock")?.parse().ok()?,
        ipv6_cidr: ipv6_block(s),
        route_table_id: associations
            .iter()
            .find(|(subnet, _)| subnet == id)
            .map(|(_, table)| table.clone()),
    })
}

fn peering(p: Node) -> PeeringSpec {
    let vpc_of = |side: &str| owned(child(p, side).and_then(|info| text(info, "vpcId")));
    PeeringSpec {
        id: owned(text(p, "vpcPeeringConnectionId")),
        requester_vpc_id: vpc_of("requesterVpcInfo"),
        accepter_vpc_id: vpc_of("accepterVpcInfo"),
        status: owned(child(p, "status").and_then(|s| text(s, "code"))),
    }
}

fn gateway(g: Node) -> GatewaySpec {
    let attached = items(g, "attachmentSet").find(|a| {
        !matches!(
            text(*a, "state").unwrap_or_default(),
            "detached" | "detaching"
        )
    });
    GatewaySpec {
        id: owned(text(g, "internetGatewayId")),
        vpc_id: attached.and_then(|a| text(a, "vpcId")).map(str::to_string),
    }
}

fn security_group(g: Node) -> SecurityGroupSpec {
    let port = |p: Node, name: &str| -> Option<i32> { text(p, name).and_then(|n| n.parse().ok()) };
    let mut ingress: Vec<IngressSpec> = Vec::new();
    for permission in items(g, "ipPermissions") {
        let Some(protocol) = text(permission, "ipProtocol").and_then(Protocol::parse) else {
            continue;
        };
        let v4 = items(permission, "ipRanges").filter_map(|r| text(r, "cidrIp"));
        let v6 = items(permission, "ipv6Ranges").filter_map(|r| text(r, "cidrIpv6"));
        for range in v4.chain(v6) {
            // Parsed as a network, so that host bits moto keeps verbatim are dropped.
            let Some(source) = range.parse::<IpNet>().ok().map(|n| n.trunc()) else {
                continue;
            };
            let rule = IngressSpec {
                protocol,
                from_port: port(permission, "fromPort"),
                to_port: port(permission, "toPort"),
                source,
            };
            if !ingress.contains(&rule) {
                ingress.push(rule);
            }
        }
    }
    SecurityGroupSpec {
        id: owned(text(g, "groupId")),
        ingress,
    }
}

fn instance(i: Node) -> Option<InstanceSpec> {
    let state = match child(i, "instanceState").and_then(|s| text(s, "name"))? {
        "pending" | "running" => InstanceState::Running,
        "stopping" | "stopped" => InstanceState::Stopped,
        _ => return None,
    };
    let id = text(i, "instanceId")?;
    let name = items(i, "tagSet")
        .find(|t| text(*t, "key") == Some("Name"))
        .and_then(|t| text(t, "value"))
        .unwrap_or(id);
    Some(InstanceSpec {
        id: id.into(),
        name: name.into(),
        subnet_id: text(i, "subnetId")?.into(),
        private_ip: text(i, "privateIpAddress")?.parse().ok()?,
        security_group_ids: security_group_ids(i),
        state,
        public_ip: text(i, "ipAddress").and_then(|ip| ip.parse().ok()),
        ipv6_addresses: ipv6_addresses(i),
    })
}

/// The instance's groups and its network interfaces' groups: moto lists
/// groups given per interface (RunInstances with NetworkInterfaces) only
/// there. The lab models one interface, so the union is what applies.
fn security_group_ids(i: Node) -> Vec<String> {
    let on_interfaces = items(i, "networkInterfaceSet").flat_map(|n| items(n, "groupSet"));
    let mut ids: Vec<String> = Vec::new();
    for group in items(i, "groupSet").chain(on_interfaces) {
        if let Some(id) = text(group, "groupId").filter(|id| !ids.iter().any(|x| x == id)) {
            ids.push(id.to_string());
        }
    }
    ids
}

/// `spec` cut to the VPCs `keep` accepts, then its instance names made unique.
pub(crate) fn kept(mut spec: LabSpec, keep: impl Fn(&str) -> bool) -> LabSpec {
    spec.retain_vpcs(keep);
    unique_names(&mut spec.instances);
    spec
}

/// A `Name` tag two instances share is made unique with the id.
pub(crate) fn unique_names(specs: &mut [InstanceSpec]) {
    let mut uses: BTreeMap<String, usize> = BTreeMap::new();
    for spec in specs.iter() {
        *uses.entry(spec.name.clone()).or_default() += 1;
    }
    for spec in specs.iter_mut() {
        if uses[&spec.name] > 1 {
            spec.name = format!("{}-{}", spec.name, spec.id);
        }
    }
}

mod accounts;
mod ipv6;
#[cfg(test)]
mod tests;
