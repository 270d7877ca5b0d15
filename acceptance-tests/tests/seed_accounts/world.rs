//! The dual-stack seed mesh over two accounts: its configuration, before and after the
//! lab exists, and its instances, each launched in its VPC's own account.

use std::collections::BTreeMap;

use acceptance_tests::ec2check::Ec2Check;
use acceptance_tests::mesh_fixture::MeshOutputs;
use aws_sdk_ec2::types::{
    InstanceNetworkInterfaceSpecification, InstanceType, IpPermission, IpRange, ResourceType, Tag,
    TagSpecification,
};

pub const REGION: &str = "us-east-1";
/// The account `dev` of the provider's `accounts`: moto acts in 222222222222 for it.
pub const DEV_ROLE: &str = "arn:aws:iam::222222222222:role/seed-dev";
pub const BASTION: &str = "bastion";
const BASTION_IP: &str = "10.1.1.249";

/// Each server is named after its VPC: (name, IPv4 address, whether its VPC is in `dev`).
pub const SERVERS: [(&str, &str, bool); 4] = [
    ("production", "10.1.2.249", false),
    ("development", "10.2.1.29", false),
    ("testing", "10.3.1.129", true),
    ("shared", "10.4.1.22", true),
];

/// Where the data sources log in, once the lab exists.
pub struct LabAccess {
    pub bastion_address: String,
    pub private_key_file: String,
    pub known_hosts_file: String,
    /// Each server's IPv6 address, by name.
    pub ipv6: BTreeMap<String, String>,
}

/// main.tf: the provider with account `dev`, the mesh (production and development in the
/// provider's account, testing and shared in `dev`, all dual-stack), and with `lab` the
/// two connectivity checks, one over IPv4 and one over IPv6.
pub fn configuration(endpoint: &str, lab: Option<&LabAccess>) -> String {
    let mut hcl = format!(
        r#"provider "peering" {{
  region    = "{REGION}"
  endpoints = {{ ec2 = "{endpoint}", sts = "{endpoint}" }}
  accounts  = {{ dev = {{ assume_role = {{ role_arn = "{DEV_ROLE}" }} }} }}
}}

resource "peering_mesh" "lab" {{
  name = "seed-accounts"
  vpcs = {{
    production = {{
      cidr_block = "10.1.0.0/16", ipv6 = true
      subnets = {{
        public  = {{ cidr_block = "10.1.1.0/24", availability_zone = "{REGION}a", public = true }}
        private = {{ cidr_block = "10.1.2.0/24", availability_zone = "{REGION}a" }}
      }}
    }}
    development = {{
      cidr_block = "10.2.0.0/16", ipv6 = true
      subnets    = {{ private = {{ cidr_block = "10.2.1.0/24", availability_zone = "{REGION}a" }} }}
    }}
    testing = {{
      cidr_block = "10.3.0.0/16", ipv6 = true, account = "dev"
      subnets    = {{ private = {{ cidr_block = "10.3.1.0/24", availability_zone = "{REGION}a" }} }}
    }}
    shared = {{
      cidr_block = "10.4.0.0/16", ipv6 = true, account = "dev"
      subnets    = {{ private = {{ cidr_block = "10.4.1.0/24", availability_zone = "{REGION}a" }} }}
    }}
  }}
  # SSH from the bastion's subnet; over IPv6 the lab is closed, so from anywhere.
  ssh_ingress_cidrs = ["10.1.1.0/24", "::/0"]
}}

output "vpcs" {{
  value = peering_mesh.lab.vpcs
}}
output "id" {{
  value = peering_mesh.lab.id
}}
output "peerings" {{
  value = peering_mesh.lab.peerings
}}
output "peering_count" {{
  value = peering_mesh.lab.peering_count
}}
output "reachability" {{
  value = peering_mesh.lab.reachability
}}
"#
    );
    let Some(lab) = lab else {
        return hcl;
    };
    let v4: Vec<String> = SERVERS
        .iter()
        .map(|(name, ip, _)| format!("{name} = \"{ip}\""))
        .collect();
    let v6: Vec<String> = SERVERS
        .iter()
        .map(|(name, _, _)| format!("{name} = \"{}\"", lab.ipv6[*name]))
        .collect();
    for (check, hosts) in [("v4", v4), ("v6", v6)] {
        hcl += &format!(
            r#"
data "peering_connectivity" "{check}" {{
  hosts     = {{ {hosts} }}
  transport = "ssh"
  ssh {{
    bastion_address = "{bastion}"
    bastion_user    = "root"
    user            = "root"
    private_key     = file("{key}")
    known_hosts     = file("{known}")
  }}
  host_vpcs  = {{ production = "production", development = "development", testing = "testing", shared = "shared" }}
  expect     = peering_mesh.lab.reachability
  mesh_id    = peering_mesh.lab.id
  echo_count = 1
  timeout_ms = 1000
}}

output "{check}" {{
  value = {{
    all_as_expected = data.peering_connectivity.{check}.all_as_expected
    diagnosis       = data.peering_connectivity.{check}.diagnosis
    report          = data.peering_connectivity.{check}.report
  }}
}}
"#,
            hosts = hosts.join(", "),
            bastion = lab.bastion_address,
            key = lab.private_key_file,
            known = lab.known_hosts_file,
        );
    }
    hcl
}

/// The value of an SDK call; panics naming the call on an error.
fn ok<T, E: std::fmt::Debug>(what: &str, result: Result<T, E>) -> T {
    result.unwrap_or_else(|e| panic!("{what}: {e:?}"))
}

/// The bastion (production's public subnet, a public IPv4 address, SSH from anywhere) and
/// one server per VPC in its private subnet, each in its VPC's account and with one IPv6
/// address (AssignIpv6Addresses after launch: moto ignores IPv6 asked per interface).
/// Returns each instance's IPv6 address by name.
pub fn launch(own: &Ec2Check, dev: &Ec2Check, mesh: &MeshOutputs) -> BTreeMap<String, String> {
    let subnet = |vpc: &str, name: &str| mesh.vpcs[vpc].subnets[name].id.clone();
    let group = |vpc: &str| mesh.vpcs[vpc].security_group_id.clone();
    let bastion_group = ssh_from_anywhere(own, &mesh.vpcs["production"].vpc_id);
    let mut ipv6 = BTreeMap::new();
    let bastion_groups = vec![group("production"), bastion_group];
    let address = run(
        own,
        BASTION,
        &subnet("production", "public"),
        BASTION_IP,
        bastion_groups,
        true,
    );
    ipv6.insert(BASTION.to_string(), address);
    for (name, ip, in_dev) in SERVERS {
        let ec2 = if in_dev { dev } else { own };
        let address = run(
            ec2,
            name,
            &subnet(name, "private"),
            ip,
            vec![group(name)],
            false,
        );
        ipv6.insert(name.to_string(), address);
    }
    ipv6
}

fn ssh_from_anywhere(ec2: &Ec2Check, vpc: &str) -> String {
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
        .expect("id")
        .to_string();
    let ssh = IpPermission::builder()
        .ip_protocol("tcp")
        .from_port(22)
        .to_port(22)
        .ip_ranges(IpRange::builder().cidr_ip("0.0.0.0/0").build())
        .build();
    let call = c
        .authorize_security_group_ingress()
        .group_id(&id)
        .ip_permissions(ssh);
    ok("AuthorizeSecurityGroupIngress", ec2.block_on(call.send()));
    id
}

/// RunInstances with a fixed private IPv4 address, then one IPv6 address on its interface;
/// returns that IPv6 address.
fn run(
    ec2: &Ec2Check,
    name: &str,
    subnet: &str,
    ip: &str,
    groups: Vec<String>,
    public: bool,
) -> String {
    let nic = InstanceNetworkInterfaceSpecification::builder()
        .device_index(0)
        .subnet_id(subnet)
        .private_ip_address(ip)
        .associate_public_ip_address(public)
        .set_groups(Some(groups))
        .build();
    let tag = TagSpecification::builder()
        .resource_type(ResourceType::Instance)
        .tags(Tag::builder().key("Name").value(name).build())
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
    let interface = out.instances()[0].network_interfaces()[0]
        .network_interface_id()
        .expect("interface id")
        .to_string();
    let call = ec2
        .client()
        .assign_ipv6_addresses()
        .network_interface_id(&interface)
        .ipv6_address_count(1);
    let assigned = ok("AssignIpv6Addresses", ec2.block_on(call.send()));
    assigned
        .assigned_ipv6_addresses()
        .first()
        .unwrap_or_else(|| panic!("{name} got no IPv6 address"))
        .to_string()
}
