//! Dual-stack specs by hand: IPv6 blocks for VPCs and subnets, addresses for
//! instances, as EC2 would list them.

use std::net::Ipv6Addr;

use ipnet::Ipv6Net;

use crate::spec::*;

#[track_caller]
fn net6(cidr: &str) -> Ipv6Net {
    cidr.parse()
        .unwrap_or_else(|e| panic!("bad IPv6 CIDR {cidr}: {e}"))
}

impl LabSpec {
    /// Makes `vpc_id` dual-stack with the IPv6 block `cidr` (a /56 in EC2): the
    /// block and its local route in every table of the VPC, as EC2 adds them.
    #[track_caller]
    pub fn set_vpc_ipv6(&mut self, vpc_id: &str, cidr: &str) -> &mut Self {
        let block = net6(cidr);
        self.vpc_mut(vpc_id).ipv6_cidr = Some(block);
        for table in self.route_tables.iter_mut().filter(|t| t.vpc_id == vpc_id) {
            table.routes.push(RouteSpec {
                destination: block.into(),
                target: RouteTarget::Local,
            });
        }
        self
    }

    /// Gives `subnet_id` the IPv6 block `cidr` (a /64 of its VPC's block).
    #[track_caller]
    pub fn set_subnet_ipv6(&mut self, subnet_id: &str, cidr: &str) -> &mut Self {
        self.subnet_mut(subnet_id).ipv6_cidr = Some(net6(cidr));
        self
    }

    /// Adds the IPv6 address `ip` to instance `name`.
    #[track_caller]
    pub fn add_instance_ipv6(&mut self, name: &str, ip: &str) -> &mut Self {
        let ip: Ipv6Addr = ip.parse().unwrap_or_else(|e| panic!("bad IP {ip}: {e}"));
        self.instance_mut(name).ipv6_addresses.push(ip);
        self
    }
}
