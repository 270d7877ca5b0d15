//! `instances`: the instances of given VPCs, for the connectivity diagnosis. One
//! DescribeInstances (paginated) per 200 VPC ids, filtered by VPC and by every state but
//! `terminated`; the results are filtered here as well, whatever the endpoint honours.

use aws_sdk_ec2::types::Instance;

use super::convert::{filter, flatten_tags};
use super::inventory::{describe_all, MAX_FILTER_VALUES};
use super::AwsEc2;
use crate::ec2::actions::DESCRIBE_INSTANCES;
use crate::ec2::types::{InstanceObs, InstanceState};
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
                DESCRIBE_INSTANCES,
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
    Some(InstanceObs {
        id: i.instance_id()?.to_string(),
        region: region.to_string(),
        vpc_id: i.vpc_id()?.to_string(),
        subnet_id: i.subnet_id()?.to_string(),
        private_ip: i.private_ip_address()?.parse().ok()?,
        public_ip: i.public_ip_address().and_then(|a| a.parse().ok()),
        security_group_ids: i
            .security_groups()
            .iter()
            .filter_map(|g| g.group_id().map(str::to_string))
            .collect(),
        state: InstanceState::parse(state)?,
        tags: flatten_tags(i.tags()),
    })
}

#[cfg(test)]
mod tests {
    use aws_sdk_ec2::types::{GroupIdentifier, InstanceStateName, Tag};

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
}
