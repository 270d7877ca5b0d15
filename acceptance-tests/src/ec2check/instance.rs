//! EC2 instances as the network lab needs them: where each one sits, its
//! addresses, groups and whether it runs.

use aws_sdk_ec2::types as sdk;

use super::snapshot::Tags;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instance {
    pub id: String,
    pub subnet_id: Option<String>,
    pub vpc_id: Option<String>,
    pub private_ip: Option<String>,
    pub public_ip: Option<String>,
    pub security_group_ids: Vec<String>,
    /// `pending`, `running`, `stopping`, `stopped`, `shutting-down`, `terminated`.
    pub state: String,
    pub tags: Tags,
}

impl Instance {
    /// The `Name` tag, if any.
    pub fn name(&self) -> Option<&str> {
        self.tags.get("Name").map(String::as_str)
    }
}

pub fn of_reservation(r: &sdk::Reservation) -> Vec<Instance> {
    r.instances().iter().map(convert).collect()
}

/// The instance's groups and its network interfaces' groups: moto lists
/// groups given per interface (RunInstances with NetworkInterfaces) only
/// there. The lab models one interface, so the union is what applies.
fn security_group_ids(i: &sdk::Instance) -> Vec<String> {
    let on_interfaces = i.network_interfaces().iter().flat_map(|n| n.groups());
    let mut ids: Vec<String> = Vec::new();
    for group in i.security_groups().iter().chain(on_interfaces) {
        if let Some(id) = group.group_id().filter(|id| !ids.iter().any(|x| x == id)) {
            ids.push(id.to_string());
        }
    }
    ids
}

pub fn convert(i: &sdk::Instance) -> Instance {
    let owned = |s: Option<&str>| s.map(str::to_string);
    Instance {
        id: i.instance_id().unwrap_or_default().to_string(),
        subnet_id: owned(i.subnet_id()),
        vpc_id: owned(i.vpc_id()),
        private_ip: owned(i.private_ip_address()),
        public_ip: owned(i.public_ip_address()),
        security_group_ids: security_group_ids(i),
        state: i
            .state()
            .and_then(|s| s.name())
            .map(|n| n.as_str().to_string())
            .unwrap_or_default(),
        tags: i
            .tags()
            .iter()
            .filter_map(|t| Some((t.key()?.to_string(), t.value()?.to_string())))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use aws_sdk_ec2::types::{GroupIdentifier, Instance, InstanceNetworkInterface};

    use super::security_group_ids;

    fn group(id: &str) -> GroupIdentifier {
        GroupIdentifier::builder().group_id(id).build()
    }

    fn interface(groups: &[&str]) -> InstanceNetworkInterface {
        let mut n = InstanceNetworkInterface::builder();
        for g in groups {
            n = n.groups(group(g));
        }
        n.build()
    }

    #[test]
    fn groups_per_interface_and_per_instance_each_count_once() {
        let per_instance = Instance::builder()
            .security_groups(group("sg-1"))
            .network_interfaces(interface(&["sg-1", "sg-2"]))
            .build();
        assert_eq!(security_group_ids(&per_instance), ["sg-1", "sg-2"]);
        // moto leaves the instance-level list empty for groups given per interface.
        let per_interface = Instance::builder()
            .network_interfaces(interface(&["sg-2"]))
            .build();
        assert_eq!(security_group_ids(&per_interface), ["sg-2"]);
    }

    #[test]
    fn a_detached_group_is_gone_from_the_instance() {
        let detached = Instance::builder()
            .network_interfaces(interface(&["sg-ssh"]))
            .build();
        assert_eq!(security_group_ids(&detached), ["sg-ssh"]);
    }
}
