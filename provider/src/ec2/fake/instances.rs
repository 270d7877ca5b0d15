//! Instances in the fake: the mesh never launches any, so tests put them there out of
//! band (like `aws_instance` next to the mesh) and stop, start or terminate them.
//! Listing leaves terminated ones out, as the AWS implementation does; an instance keeps
//! its subnet from being deleted (`DependencyViolation`), as in AWS.

use std::net::{Ipv4Addr, Ipv6Addr};

use super::state::{api, State};
use super::FakeEc2;
use crate::ec2::types::{InstanceObs, InstanceState, Tags};
use crate::ec2::Ec2Error;

pub(super) struct Instance {
    pub region: String,
    pub vpc_id: String,
    pub subnet_id: String,
    pub private_ip: Ipv4Addr,
    /// The instance-level list (`SecurityGroupIds` at launch); empty when the groups
    /// were given per network interface, as EC2 and moto then report it.
    pub security_group_ids: Vec<String>,
    /// Network interfaces, the primary first.
    pub interfaces: Vec<Interface>,
    pub state: InstanceState,
}

/// One network interface: its private addresses and its own groups.
pub(super) struct Interface {
    pub private_ips: Vec<Ipv4Addr>,
    pub ipv6_addresses: Vec<Ipv6Addr>,
    pub security_group_ids: Vec<String>,
}

impl Instance {
    /// Every private address of every interface, each once.
    fn private_ips(&self) -> Vec<Ipv4Addr> {
        let mut ips = vec![self.private_ip];
        for ip in self.interfaces.iter().flat_map(|n| &n.private_ips) {
            if !ips.contains(ip) {
                ips.push(*ip);
            }
        }
        ips
    }

    /// Every IPv6 address of every interface, each once.
    fn ipv6_addresses(&self) -> Vec<Ipv6Addr> {
        let mut addresses: Vec<Ipv6Addr> = Vec::new();
        for address in self.interfaces.iter().flat_map(|n| &n.ipv6_addresses) {
            if !addresses.contains(address) {
                addresses.push(*address);
            }
        }
        addresses
    }

    /// The instance-level groups and every interface's, each once, as the AWS
    /// implementation reads them.
    fn all_groups(&self) -> Vec<String> {
        let mut ids: Vec<String> = Vec::new();
        let on_interfaces = self.interfaces.iter().flat_map(|n| &n.security_group_ids);
        for id in self.security_group_ids.iter().chain(on_interfaces) {
            if !ids.contains(id) {
                ids.push(id.clone());
            }
        }
        ids
    }
}

impl State {
    /// The live instances of `vpc_ids` in `region`.
    pub fn instances(&self, region: &str, vpc_ids: &[String]) -> Vec<InstanceObs> {
        self.instances
            .iter()
            .filter(|(_, i)| i.region == region && vpc_ids.contains(&i.vpc_id))
            .filter(|(_, i)| i.state != InstanceState::Terminated)
            .map(|(id, i)| InstanceObs {
                id: id.clone(),
                region: i.region.clone(),
                vpc_id: i.vpc_id.clone(),
                subnet_id: i.subnet_id.clone(),
                private_ip: i.private_ip,
                public_ip: None,
                private_ips: i.private_ips(),
                ipv6_addresses: i.ipv6_addresses(),
                security_group_ids: i.all_groups(),
                state: i.state,
                tags: Tags::new(),
            })
            .collect()
    }

    pub fn refuse_if_instances_in(&self, subnet_id: &str) -> Result<(), Ec2Error> {
        let used = self
            .instances
            .values()
            .any(|i| i.subnet_id == subnet_id && i.state != InstanceState::Terminated);
        if used {
            return Err(api(
                "DependencyViolation",
                format!("The subnet '{subnet_id}' has dependencies and cannot be deleted."),
            ));
        }
        Ok(())
    }
}

impl FakeEc2 {
    /// A running instance in `subnet_id` with private address `ip` and `security_groups`.
    /// Panics on what EC2 would refuse: an unknown subnet, an address outside it or
    /// already taken, a group of another VPC.
    pub fn run_instance(&self, subnet_id: &str, ip: Ipv4Addr, security_groups: &[&str]) -> String {
        self.launch(subnet_id, ip, security_groups, false)
    }

    /// [`FakeEc2::run_instance`] with the groups given per network interface: the
    /// instance-level list stays empty and the primary interface holds them.
    pub fn run_instance_per_interface(
        &self,
        subnet_id: &str,
        ip: Ipv4Addr,
        security_groups: &[&str],
    ) -> String {
        self.launch(subnet_id, ip, security_groups, true)
    }

    /// Attaches another network interface with `ips` and its own `security_groups`.
    pub fn attach_interface(&self, instance_id: &str, ips: &[Ipv4Addr], security_groups: &[&str]) {
        self.with_instance(instance_id, |i| {
            i.interfaces.push(Interface {
                private_ips: ips.to_vec(),
                ipv6_addresses: Vec::new(),
                security_group_ids: security_groups.iter().map(|g| g.to_string()).collect(),
            })
        });
    }

    /// Gives network interface `interface` (0: the primary) of the instance IPv6
    /// `addresses` too, as AssignIpv6Addresses does. Unchecked: tests choose addresses in
    /// the subnet's /64 as they see fit (moto checks nothing either).
    pub fn assign_ipv6_addresses(
        &self,
        instance_id: &str,
        interface: usize,
        addresses: &[Ipv6Addr],
    ) {
        self.with_instance(instance_id, |i| {
            let n = i
                .interfaces
                .get_mut(interface)
                .expect("assign_ipv6_addresses: no such interface");
            n.ipv6_addresses.extend_from_slice(addresses);
        });
    }

    /// Runs `change` on instance `instance_id`; panics when there is none (a test's
    /// mistake, not an EC2 answer).
    fn with_instance(&self, instance_id: &str, change: impl FnOnce(&mut Instance)) {
        let mut inner = self.lock();
        let i = inner.state.instances.get_mut(instance_id);
        change(i.unwrap_or_else(|| panic!("unknown instance {instance_id}")));
    }

    fn launch(
        &self,
        subnet_id: &str,
        ip: Ipv4Addr,
        security_groups: &[&str],
        per_interface: bool,
    ) -> String {
        let mut inner = self.lock();
        let s = &mut inner.state;
        let subnet = s
            .subnets
            .get(subnet_id)
            .expect("run_instance: unknown subnet");
        let (region, vpc_id, cidr) = (subnet.region.clone(), subnet.vpc_id.clone(), subnet.cidr);
        assert!(cidr.contains(&ip), "{ip} is outside {cidr}");
        let taken = s.instances.values().any(|i| {
            i.private_ip == ip && i.vpc_id == vpc_id && i.state != InstanceState::Terminated
        });
        assert!(!taken, "{ip} is already in use");
        for g in security_groups {
            let group = s.sgs.get(*g).expect("run_instance: unknown security group");
            assert_eq!(group.vpc_id, vpc_id, "{g} is in another VPC");
        }
        let groups: Vec<String> = security_groups.iter().map(|g| g.to_string()).collect();
        let instance = Instance {
            region,
            vpc_id,
            subnet_id: subnet_id.to_string(),
            private_ip: ip,
            security_group_ids: if per_interface {
                Vec::new()
            } else {
                groups.clone()
            },
            interfaces: vec![Interface {
                private_ips: vec![ip],
                ipv6_addresses: Vec::new(),
                security_group_ids: groups,
            }],
            state: InstanceState::Running,
        };
        let id = s.new_id("i");
        s.instances.insert(id.clone(), instance);
        id
    }

    pub fn stop_instance(&self, instance_id: &str) {
        self.set_instance_state(instance_id, InstanceState::Stopped);
    }

    pub fn start_instance(&self, instance_id: &str) {
        self.set_instance_state(instance_id, InstanceState::Running);
    }

    /// Forces any state, e.g. `Pending`, `Stopping` or `Terminated`.
    pub fn set_instance_state(&self, instance_id: &str, state: InstanceState) {
        if let Some(i) = self.lock().state.instances.get_mut(instance_id) {
            i.state = state;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ec2::Action;
    use crate::ec2::Ec2;

    const US: &str = "us-east-1";

    #[tokio::test]
    async fn instances_are_listed_by_vpc_without_terminated_ones() {
        let fake = FakeEc2::new();
        let net = |s: &str| s.parse().unwrap();
        let a = fake.add_vpc(US, net("10.1.0.0/16"), &Tags::new());
        let b = fake.add_vpc(US, net("10.2.0.0/16"), &Tags::new());
        let tags = Tags::new();
        let sa = fake.create_subnet(US, &a, net("10.1.1.0/24"), None, &tags);
        let sb = fake.create_subnet(US, &b, net("10.2.1.0/24"), None, &tags);
        let (sa, sb) = (sa.await.unwrap(), sb.await.unwrap());
        let sg = fake.create_security_group(US, &a, "web", "web", &tags);
        let sg = sg.await.unwrap();
        let web = fake.run_instance(&sa, "10.1.1.10".parse().unwrap(), &[&sg]);
        let gone = fake.run_instance(&sa, "10.1.1.11".parse().unwrap(), &[]);
        let other = fake.run_instance(&sb, "10.2.1.10".parse().unwrap(), &[]);
        fake.set_instance_state(&gone, InstanceState::Terminated);
        fake.stop_instance(&web);

        let listed = fake.instances(US, std::slice::from_ref(&a)).await.unwrap();
        assert_eq!(listed.len(), 1, "{listed:?}");
        let i = &listed[0];
        assert_eq!(
            (i.id.as_str(), i.state),
            (web.as_str(), InstanceState::Stopped)
        );
        assert_eq!(
            (i.subnet_id.as_str(), i.vpc_id.as_str()),
            (sa.as_str(), a.as_str())
        );
        assert_eq!(i.security_group_ids, [sg]);
        assert_eq!(i.private_ip.to_string(), "10.1.1.10");
        assert!(i.ipv6_addresses.is_empty());
        let v6: Vec<Ipv6Addr> = ["2001:db8:1::10", "2001:db8:1::11", "2001:db8:1::10"]
            .iter()
            .map(|a| a.parse().unwrap())
            .collect();
        fake.attach_interface(&web, &[], &[]);
        fake.assign_ipv6_addresses(&web, 0, &v6[..1]);
        fake.assign_ipv6_addresses(&web, 1, &v6[1..]);
        let listed = fake.instances(US, std::slice::from_ref(&a)).await.unwrap();
        assert_eq!(listed[0].ipv6_addresses, v6[..2]);
        fake.start_instance(&web);
        let both = fake.instances(US, &[a, b.clone()]).await.unwrap();
        let ids: Vec<&str> = both.iter().map(|i| i.id.as_str()).collect();
        assert_eq!(ids, [web.as_str(), other.as_str()]);
        assert!(fake.instances("eu-west-2", &[b]).await.unwrap().is_empty());
        assert!(fake.instances(US, &[]).await.unwrap().is_empty());
        assert_eq!(
            fake.count(Action::DescribeInstances),
            4,
            "no call without VPCs"
        );
    }

    #[tokio::test]
    async fn a_subnet_with_an_instance_cannot_be_deleted() {
        let fake = FakeEc2::new();
        let vpc = fake.add_vpc(US, "10.1.0.0/16".parse().unwrap(), &Tags::new());
        let subnet = fake
            .create_subnet(US, &vpc, "10.1.1.0/24".parse().unwrap(), None, &Tags::new())
            .await
            .unwrap();
        let i = fake.run_instance(&subnet, "10.1.1.5".parse().unwrap(), &[]);
        let refused = fake.delete_subnet(US, &subnet).await.unwrap_err();
        assert!(matches!(&refused, Ec2Error::Api { code, .. } if code == "DependencyViolation"));
        fake.set_instance_state(&i, InstanceState::Terminated);
        fake.delete_subnet(US, &subnet).await.unwrap();
    }
}
