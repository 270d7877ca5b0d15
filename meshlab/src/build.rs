//! Building a [`LabSpec`] by hand, the way tests describe a network: short
//! calls that panic on malformed input (a typo in a test is a test bug).

use std::collections::BTreeSet;
use std::net::Ipv4Addr;

use ipnet::{IpNet, Ipv4Net};

use crate::spec::*;

#[track_caller]
fn net(cidr: &str) -> Ipv4Net {
    cidr.parse()
        .unwrap_or_else(|e| panic!("bad CIDR {cidr}: {e}"))
}

#[track_caller]
fn any_net(cidr: &str) -> IpNet {
    cidr.parse()
        .unwrap_or_else(|e| panic!("bad CIDR {cidr}: {e}"))
}

/// ICMPv6 (every type) from `source` (EC2 protocol "58", ports -1).
pub fn icmpv6_from(source: &str) -> IngressSpec {
    rule(Protocol::Icmpv6, None, source)
}

/// ICMP (every type) from `source`.
pub fn icmp_from(source: &str) -> IngressSpec {
    rule(Protocol::Icmp, None, source)
}

/// TCP to `port` from `source`.
pub fn tcp_from(port: u16, source: &str) -> IngressSpec {
    rule(Protocol::Tcp, Some(port.into()), source)
}

/// Everything from `source`.
pub fn all_from(source: &str) -> IngressSpec {
    rule(Protocol::All, None, source)
}

#[track_caller]
fn rule(protocol: Protocol, port: Option<i32>, source: &str) -> IngressSpec {
    IngressSpec {
        protocol,
        from_port: port,
        to_port: port,
        source: any_net(source),
    }
}

impl LabSpec {
    /// The id [`LabSpec::add_vpc`] gives the main route table of `vpc_id`.
    pub fn main_table_id(vpc_id: &str) -> String {
        format!("{vpc_id}-main")
    }

    /// A VPC with its main route table holding the local route.
    #[track_caller]
    pub fn add_vpc(&mut self, id: &str, cidr: &str) -> &mut Self {
        let cidr = net(cidr);
        self.vpcs.push(VpcSpec {
            id: id.into(),
            cidr,
            ipv6_cidr: None,
            owner_id: None,
        });
        self.route_tables.push(RouteTableSpec {
            id: Self::main_table_id(id),
            vpc_id: id.into(),
            main: true,
            routes: vec![RouteSpec {
                destination: cidr.into(),
                target: RouteTarget::Local,
            }],
        });
        self
    }

    /// A subnet using its VPC's main route table.
    #[track_caller]
    pub fn add_subnet(&mut self, id: &str, vpc_id: &str, cidr: &str) -> &mut Self {
        self.subnets.push(SubnetSpec {
            id: id.into(),
            vpc_id: vpc_id.into(),
            cidr: net(cidr),
            ipv6_cidr: None,
            route_table_id: None,
        });
        self
    }

    /// A route table (with the local routes) associated with `subnet_id`.
    #[track_caller]
    pub fn add_route_table(&mut self, id: &str, subnet_id: &str) -> &mut Self {
        let subnet = self.subnet_mut(subnet_id);
        subnet.route_table_id = Some(id.into());
        let vpc_id = subnet.vpc_id.clone();
        let vpc = self.vpc(&vpc_id).expect("VPC exists");
        let blocks = std::iter::once(IpNet::from(vpc.cidr)).chain(vpc.ipv6_cidr.map(IpNet::from));
        let routes = blocks
            .map(|destination| RouteSpec {
                destination,
                target: RouteTarget::Local,
            })
            .collect();
        self.route_tables.push(RouteTableSpec {
            id: id.into(),
            vpc_id,
            main: false,
            routes,
        });
        self
    }

    #[track_caller]
    pub fn add_route(
        &mut self,
        table_id: &str,
        destination: &str,
        target: RouteTarget,
    ) -> &mut Self {
        let table = self.table_mut(table_id);
        table.routes.push(RouteSpec {
            destination: any_net(destination),
            target,
        });
        self
    }

    #[track_caller]
    pub fn remove_route(&mut self, table_id: &str, destination: &str) -> &mut Self {
        let destination = any_net(destination);
        let table = self.table_mut(table_id);
        table.routes.retain(|r| r.destination != destination);
        self
    }

    /// An active peering plus, in both main tables, a route to the other CIDR
    /// (and to the other IPv6 block when both VPCs are dual-stack).
    #[track_caller]
    pub fn peer(&mut self, id: &str, requester: &str, accepter: &str) -> &mut Self {
        self.peerings.push(PeeringSpec {
            id: id.into(),
            requester_vpc_id: requester.into(),
            accepter_vpc_id: accepter.into(),
            status: "active".into(),
        });
        let both_ipv6 = [requester, accepter]
            .iter()
            .all(|v| self.vpc(v).expect("VPC exists").ipv6_cidr.is_some());
        for (from, to) in [(requester, accepter), (accepter, requester)] {
            let to_vpc = self.vpc(to).expect("VPC exists");
            let mut blocks = vec![to_vpc.cidr.to_string()];
            if both_ipv6 {
                blocks.extend(to_vpc.ipv6_cidr.map(|b| b.to_string()));
            }
            for block in blocks {
                self.add_route(
                    &Self::main_table_id(from),
                    &block,
                    RouteTarget::Peering(id.into()),
                );
            }
        }
        self
    }

    #[track_caller]
    pub fn set_peering_status(&mut self, id: &str, status: &str) -> &mut Self {
        let peering = self
            .peerings
            .iter_mut()
            .find(|p| p.id == id)
            .expect("peering exists");
        peering.status = status.into();
        self
    }

    /// An internet gateway attached to `vpc_id`.
    pub fn add_gateway(&mut self, id: &str, vpc_id: &str) -> &mut Self {
        self.internet_gateways.push(GatewaySpec {
            id: id.into(),
            vpc_id: Some(vpc_id.into()),
        });
        self
    }

    pub fn add_group(&mut self, id: &str, ingress: Vec<IngressSpec>) -> &mut Self {
        self.security_groups.push(SecurityGroupSpec {
            id: id.into(),
            ingress,
        });
        self
    }

    /// A running instance `i-NAME` called `name`, without a public IP.
    #[track_caller]
    pub fn add_instance(
        &mut self,
        name: &str,
        subnet_id: &str,
        ip: &str,
        groups: &[&str],
    ) -> &mut Self {
        self.instances.push(InstanceSpec {
            id: format!("i-{name}"),
            name: name.into(),
            subnet_id: subnet_id.into(),
            private_ip: ip.parse().unwrap_or_else(|e| panic!("bad IP {ip}: {e}")),
            security_group_ids: groups.iter().map(|g| g.to_string()).collect(),
            state: InstanceState::Running,
            public_ip: None,
            ipv6_addresses: Vec::new(),
        });
        self
    }

    #[track_caller]
    pub(crate) fn vpc_mut(&mut self, id: &str) -> &mut VpcSpec {
        self.vpcs
            .iter_mut()
            .find(|v| v.id == id)
            .unwrap_or_else(|| panic!("no VPC {id}"))
    }

    #[track_caller]
    pub(crate) fn subnet_mut(&mut self, id: &str) -> &mut SubnetSpec {
        self.subnets
            .iter_mut()
            .find(|s| s.id == id)
            .unwrap_or_else(|| panic!("no subnet {id}"))
    }

    #[track_caller]
    fn table_mut(&mut self, id: &str) -> &mut RouteTableSpec {
        self.route_tables
            .iter_mut()
            .find(|t| t.id == id)
            .unwrap_or_else(|| panic!("no route table {id}"))
    }

    #[track_caller]
    pub fn instance_mut(&mut self, name: &str) -> &mut InstanceSpec {
        self.instances
            .iter_mut()
            .find(|i| i.name == name)
            .unwrap_or_else(|| panic!("no instance {name}"))
    }

    #[track_caller]
    pub fn set_public_ip(&mut self, name: &str, ip: Ipv4Addr) -> &mut Self {
        self.instance_mut(name).public_ip = Some(ip);
        self
    }

    #[track_caller]
    pub fn set_state(&mut self, name: &str, state: InstanceState) -> &mut Self {
        self.instance_mut(name).state = state;
        self
    }

    /// Keeps only the VPCs `keep` accepts: their subnets, route tables, attached
    /// gateways and instances, the peerings between two of them, and the
    /// security groups those instances use (e.g. one test's VPCs of a moto that
    /// holds others).
    pub fn retain_vpcs(&mut self, keep: impl Fn(&str) -> bool) -> &mut Self {
        self.vpcs.retain(|v| keep(&v.id));
        self.subnets.retain(|s| keep(&s.vpc_id));
        self.route_tables.retain(|t| keep(&t.vpc_id));
        self.internet_gateways
            .retain(|g| g.vpc_id.as_deref().is_some_and(&keep));
        self.peerings
            .retain(|p| keep(&p.requester_vpc_id) && keep(&p.accepter_vpc_id));
        let subnets: BTreeSet<&str> = self.subnets.iter().map(|s| s.id.as_str()).collect();
        self.instances
            .retain(|i| subnets.contains(i.subnet_id.as_str()));
        let groups: BTreeSet<&str> = self
            .instances
            .iter()
            .flat_map(|i| i.security_group_ids.iter().map(String::as_str))
            .collect();
        self.security_groups
            .retain(|g| groups.contains(g.id.as_str()));
        self
    }
}
