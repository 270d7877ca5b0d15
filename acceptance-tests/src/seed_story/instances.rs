//! The story's instances, launched through the EC2 API into the subnets and
//! security groups the mesh made: a bastion with a public IP in
//! production's public subnet, and one server in each VPC's private subnet.

use std::collections::BTreeMap;

use aws_sdk_ec2::types::{
    Instance, InstanceNetworkInterfaceSpecification, InstanceType, IpPermission, IpRange,
    ResourceType, Tag, TagSpecification,
};

use crate::ec2check::Ec2Check;
use crate::mesh_fixture::MeshOutputs;

pub const BASTION: &str = "bastion";
pub const BASTION_IP: &str = "10.1.1.249";
/// Each server is named after its VPC.
pub const SERVERS: [(&str, &str); 4] = [
    ("production", "10.1.2.249"),
    ("development", "10.2.1.29"),
    ("testing", "10.3.1.129"),
    ("shared", "10.4.1.22"),
];

/// The value of an SDK call; panics naming the call on an error.
pub(super) fn ok<T, E: std::fmt::Debug>(what: &str, result: Result<T, E>) -> T {
    result.unwrap_or_else(|e| panic!("{what}: {e:?}"))
}

/// Launches the bastion and the servers; returns instance ids by name.
pub fn launch(ec2: &Ec2Check, mesh: &MeshOutputs) -> BTreeMap<String, String> {
    let subnet = |vpc: &str, name: &str| {
        let subnets = &mesh.vpcs[vpc].subnets;
        subnets
            .get(name)
            .unwrap_or_else(|| panic!("the mesh has no subnet {vpc}.{name}: {subnets:?}"))
            .id
            .clone()
    };
    let mesh_group = |vpc: &str| mesh.vpcs[vpc].security_group_id.clone();
    let mut ids = BTreeMap::new();
    let production = &mesh.vpcs["production"].vpc_id;
    let bastion_group = ssh_from_anywhere(ec2, production);
    let bastion = Launch {
        name: BASTION,
        subnet: subnet("production", "public"),
        ip: BASTION_IP,
        groups: vec![mesh_group("production"), bastion_group],
        public: true,
    };
    ids.insert(BASTION.to_string(), instance_id(&bastion.run(ec2)));
    for (name, ip) in SERVERS {
        let server = Launch {
            name,
            subnet: subnet(name, "private"),
            ip,
            groups: vec![mesh_group(name)],
            public: false,
        };
        ids.insert(name.to_string(), instance_id(&server.run(ec2)));
    }
    ids
}

fn instance_id(instance: &Instance) -> String {
    instance.instance_id().expect("instance id").to_string()
}

/// The bastion's own group: SSH from anywhere (in the lab: from the runner).
pub fn ssh_from_anywhere(ec2: &Ec2Check, vpc: &str) -> String {
    let c = ec2.client();
    let created = ec2.block_on(
        c.create_security_group()
            .group_name("seed-bastion")
            .description("SSH from anywhere")
            .vpc_id(vpc)
            .send(),
    );
    let id = ok("CreateSecurityGroup", created)
        .group_id()
        .expect("group id")
        .to_string();
    let ssh = IpPermission::builder()
        .ip_protocol("tcp")
        .from_port(22)
        .to_port(22)
        .ip_ranges(IpRange::builder().cidr_ip("0.0.0.0/0").build())
        .build();
    let authorized = ec2.block_on(
        c.authorize_security_group_ingress()
            .group_id(&id)
            .ip_permissions(ssh)
            .send(),
    );
    ok("AuthorizeSecurityGroupIngress", authorized);
    id
}

/// One instance to launch: its Name tag, subnet, private IP, groups and whether
/// it gets a public IP.
pub struct Launch<'a> {
    pub name: &'a str,
    pub subnet: String,
    pub ip: &'a str,
    pub groups: Vec<String>,
    pub public: bool,
}

impl Launch<'_> {
    /// RunInstances with a fixed private IP; returns the instance as launched.
    pub fn run(&self, ec2: &Ec2Check) -> Instance {
        let nic = InstanceNetworkInterfaceSpecification::builder()
            .device_index(0)
            .subnet_id(&self.subnet)
            .private_ip_address(self.ip)
            .associate_public_ip_address(self.public)
            .set_groups(Some(self.groups.clone()))
            .build();
        let tag = TagSpecification::builder()
            .resource_type(ResourceType::Instance)
            .tags(Tag::builder().key("Name").value(self.name).build())
            .build();
        let request = ec2
            .client()
            .run_instances()
            .image_id("ami-12345678")
            .instance_type(InstanceType::T3Micro)
            .min_count(1)
            .max_count(1)
            .network_interfaces(nic)
            .tag_specifications(tag);
        let out = ok("RunInstances", ec2.block_on(request.send()));
        out.instances()[0].clone()
    }
}
