//! `instances`: the instances of given VPCs, for the connectivity diagnosis. One
//! DescribeInstances (paginated) per 200 VPC ids, filtered by VPC and by every state but
//! `terminated`; the results are filtered here as well, whatever the endpoint honours.

use std::net::{Ipv4Addr, Ipv6Addr};

use aws_sdk_ec2::types::Instance;

use super::convert::{filter, flatten_tags};
use super::inventory::{describe_all, MAX_FILTER_VALUES};
use super::AwsEc2;
use crate::ec2::types::{InstanceObs, InstanceState};
use crate::ec2::Action;
use crate::ec2::Ec2Error;

/// Every state but `terminated`: a terminated instance is gone for the diagnosis.
fn live_states() -> Vec<&'static str> {
    InstanceState::ALL
        .into_iter()
        .filter(|s| *s != InstanceState::Terminated)
        .map(InstanceState::as_str)
        .collect()
}

impl AwsEc2 {
    pub(super) async fn instances_impl(
        &self,
        region: &str,
        vpc_ids: &[String],
    ) -> Result<Vec<InstanceObs>, Ec2Error> {
        let client = self.client(region).await;
        let mut found = Vec::new();
        for chunk in vpc_ids.chunks(MAX_FILTER_VALUES) {
            let filters = vec![
                filter("vpc-id", chunk.iter().cloned()),
                filter("instance-state-name", live_states()),
            ];
            let reservations = describe_all!(
                self,
                region,
                Action::DescribeInstances,
                client
                    .describe_instances()
                    .set_filters(Some(filters.clone())),
                reservations
            );
            let instances = reservations.iter().flat_map(|r| r.instances());
            found.extend(
                instances
                    .filter_map(|i| flatten_instance(i, region))
                    .filter(|i| i.state != InstanceState::Terminated)
                    .filter(|i| chunk.contains(&i.vpc_id)),
            );
        }
        Ok(found)
    }
}

/// None for an instance without id, VPC, subnet, private IPv4 address or known state.
fn flatten_instance(i: &Instance, region: &str) -> Option<InstanceObs> {
    let state = i.state()?.name()?.as_str();
    let private_ip = i.private_ip_address()?.parse().ok()?;
    Some(InstanceObs {
        id: i.instance_id()?.to_string(),
        region: region.to_string(),
        vpc_id: i.vpc_id()?.to_string(),
        subnet_id: i.subnet_id()?.to_string(),
        private_ip,
        public_ip: i.public_ip_address().and_then(|a| a.parse().ok()),
        private_ips: private_ips(i, private_ip),
        ipv6_addresses: ipv6_addresses(i),
        security_group_ids: security_groups(i),
        state: InstanceState::parse(state)?,
        tags: flatten_tags(i.tags()),
    })
}

/// The primary address, then every interface's private IPv4 addresses, each once.
fn private_ips(i: &Instance, primary: Ipv4Addr) -> Vec<Ipv4Addr> {
    let interfaces = i.network_interfaces().iter().flat_map(|n| {
        let listed = n
            .private_ip_addresses()
            .iter()
            .filter_map(|a| a.private_ip_address());
        n.private_ip_address().into_iter().chain(listed)
    });
    let mut ips = vec![primary];
    for ip in interfaces.filter_map(|a| a.parse::<Ipv4Addr>().ok()) {
        if !ips.contains(&ip) {
            ips.push(ip);
        }
    }
    ips
}

/// Every interface's IPv6 addresses, each once, in interface order. (The instance has no
/// IPv6 field of its own that the interfaces do not already list.)
fn ipv6_addresses(i: &Instance) -> Vec<Ipv6Addr> {
    let listed = i
        .network_interfaces()
        .iter()
        .flat_map(|n| n.ipv6_addresses())
        .filter_map(|a| a.ipv6_address()?.parse::<Ipv6Addr>().ok());
    let mut addresses = Vec::new();
    for address in listed {
        if !addresses.contains(&address) {
            addresses.push(address);
        }
    }
    addresses
}

/// The instance-level groups, then every interface's groups, each once.
fn security_groups(i: &Instance) -> Vec<String> {
    let interfaces = i.network_interfaces().iter().flat_map(|n| n.groups());
    let mut ids: Vec<String> = Vec::new();
    for id in i
        .security_groups()
        .iter()
        .chain(interfaces)
        .filter_map(|g| g.group_id())
    {
        if !ids.iter().any(|known| known == id) {
            ids.push(id.to_string());
        }
    }
    ids
}

#[cfg(test)]
mod tests {
    use aws_sdk_ec2::types::{
        GroupIdentifier, InstanceIpv6Address, InstanceNetworkInterface, InstancePrivateIpAddress,
        InstanceStateName, Tag,
    };

    use super::*;

    fn instance(state: InstanceStateName, ip: Option<&str>) -> Instance {
        Instance::builder()
            .instance_id("i-1")
            .vpc_id("vpc-1")
            .subnet_id("subnet-1")
            .set_private_ip_address(ip.map(str::to_string))
            .public_ip_address("203.0.113.7")
            .security_groups(GroupIdentifier::builder().group_id("sg-1").build())
            .security_groups(GroupIdentifier::builder().group_id("sg-2").build())
            .state(
                aws_sdk_ec2::types::InstanceState::builder()
                    .name(state)
                    .build(),
            )
            .tags(Tag::builder().key("Name").value("web").build())
            .build()
    }

    #[test]
    fn instances_flatten_with_state_groups_and_addresses() {
        let i = flatten_instance(
            &instance(InstanceStateName::Stopped, Some("10.1.2.249")),
            "r",
        )
        .expect("complete instance");
        assert_eq!(i.state, InstanceState::Stopped);
        assert_eq!(i.private_ip.to_string(), "10.1.2.249");
        assert_eq!(
            i.public_ip.map(|a| a.to_string()).as_deref(),
            Some("203.0.113.7")
        );
        assert_eq!(i.security_group_ids, ["sg-1", "sg-2"]);
        assert_eq!(i.tags.get("Name").map(String::as_str), Some("web"));
        assert!(flatten_instance(&instance(InstanceStateName::Running, None), "r").is_none());
    }

    #[test]
    fn every_state_but_terminated_is_asked_for() {
        assert_eq!(
            live_states(),
            ["pending", "running", "shutting-down", "stopping", "stopped"]
        );
        for s in InstanceState::ALL {
            assert_eq!(InstanceState::parse(s.as_str()), Some(s));
        }
    }

    fn group(id: &str) -> GroupIdentifier {
        GroupIdentifier::builder().group_id(id).build()
    }

    fn interface(groups: &[&str], ips: &[&str]) -> InstanceNetworkInterface {
        let mut n = InstanceNetworkInterface::builder().private_ip_address(ips[0]);
        for g in groups {
            n = n.groups(group(g));
        }
        for ip in ips {
            let a = InstancePrivateIpAddress::builder().private_ip_address(*ip);
            n = n.private_ip_addresses(a.build());
        }
        n.build()
    }

    /// As moto and `aws_instance` with `network_interface` blocks report it: no
    /// instance-level groups, groups and addresses per interface.
    fn two_interfaces(instance_groups: &[&str]) -> Instance {
        let mut b = Instance::builder()
            .instance_id("i-2")
            .vpc_id("vpc-1")
            .subnet_id("subnet-1")
            .private_ip_address("10.1.2.10")
            .state(
                aws_sdk_ec2::types::InstanceState::builder()
                    .name(InstanceStateName::Running)
                    .build(),
            )
            .network_interfaces(interface(&["sg-a", "sg-b"], &["10.1.2.10", "10.1.2.11"]))
            .network_interfaces(interface(&["sg-b", "sg-c"], &["10.1.3.20"]));
        for g in instance_groups {
            b = b.security_groups(group(g));
        }
        b.build()
    }

    #[test]
    fn groups_are_the_union_of_the_instance_and_every_interface() {
        let i = flatten_instance(&two_interfaces(&[]), "r").expect("complete instance");
        assert_eq!(i.security_group_ids, ["sg-a", "sg-b", "sg-c"]);
        let i = flatten_instance(&two_interfaces(&["sg-z", "sg-a"]), "r").unwrap();
        assert_eq!(i.security_group_ids, ["sg-z", "sg-a", "sg-b", "sg-c"]);
    }

    #[test]
    fn every_interface_address_belongs_to_the_instance() {
        let i = flatten_instance(&two_interfaces(&[]), "r").unwrap();
        let ips: Vec<String> = i.private_ips.iter().map(|a| a.to_string()).collect();
        assert_eq!(ips, ["10.1.2.10", "10.1.2.11", "10.1.3.20"]);
        assert_eq!(i.private_ip.to_string(), "10.1.2.10");
        let plain = flatten_instance(&instance(InstanceStateName::Running, Some("10.1.2.9")), "r");
        assert_eq!(plain.unwrap().private_ips, [i_ip("10.1.2.9")]);
    }

    #[test]
    fn every_interface_ipv6_address_belongs_to_the_instance() {
        let v6 = |a: &str| InstanceIpv6Address::builder().ipv6_address(a).build();
        let first = InstanceNetworkInterface::builder()
            .ipv6_addresses(v6("2400:6500:13e1:8000:9c0c:9034:d794:9142"))
            .ipv6_addresses(v6("not an address"))
            .build();
        let second = InstanceNetworkInterface::builder()
            .ipv6_addresses(v6("2400:6500:13e1:8001::7"))
            .ipv6_addresses(v6("2400:6500:13e1:8000:9c0c:9034:d794:9142"))
            .build();
        let mut i = instance(InstanceStateName::Running, Some("10.1.2.9"));
        i.network_interfaces = Some(vec![first, second]);
        let i = flatten_instance(&i, "r").unwrap();
        let shown: Vec<String> = i.ipv6_addresses.iter().map(|a| a.to_string()).collect();
        assert_eq!(
            shown,
            [
                "2400:6500:13e1:8000:9c0c:9034:d794:9142",
                "2400:6500:13e1:8001::7"
            ]
        );
        let plain = flatten_instance(&instance(InstanceStateName::Running, Some("10.1.2.9")), "r");
        assert!(plain.unwrap().ipv6_addresses.is_empty());
    }

    fn i_ip(a: &str) -> Ipv4Addr {
        a.parse().unwrap()
    }
}
