//! The dual-stack seed mesh over two accounts: its configuration, before and after the
//! lab exists, and its instances, each launched in its VPC's own account.

use std::collections::BTreeMap;

use acceptance_tests::ec2check::Ec2Check;
use acceptance_tests::mesh_fixture::MeshOutputs;
pub use acceptance_tests::seed_story::BASTION;
use acceptance_tests::seed_story::{ssh_from_anywhere, Launch, BASTION_IP, SERVERS};

pub const REGION: &str = "us-east-1";
/// The account `dev` of the provider's `accounts`: moto acts in 222222222222 for it.
pub const DEV_ROLE: &str = "arn:aws:iam::222222222222:role/seed-dev";
/// The VPCs (and their servers) in account `dev`; the others are in the provider's own.
const IN_DEV: [&str; 2] = ["testing", "shared"];

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
        .map(|(name, ip)| format!("{name} = \"{ip}\""))
        .collect();
    let v6: Vec<String> = SERVERS
        .iter()
        .map(|(name, _)| format!("{name} = \"{}\"", lab.ipv6[*name]))
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

/// The bastion (production's public subnet, a public IPv4 address, SSH from anywhere) and
/// one server per VPC in its private subnet, each in its VPC's account and with one IPv6
/// address (AssignIpv6Addresses after launch: moto ignores IPv6 asked per interface).
/// Returns each instance's IPv6 address by name.
pub fn launch(own: &Ec2Check, dev: &Ec2Check, mesh: &MeshOutputs) -> BTreeMap<String, String> {
    let subnet = |vpc: &str, name: &str| mesh.vpcs[vpc].subnets[name].id.clone();
    let group = |vpc: &str| mesh.vpcs[vpc].security_group_id.clone();
    let bastion = Launch {
        name: BASTION,
        subnet: subnet("production", "public"),
        ip: BASTION_IP,
        groups: vec![
            group("production"),
            ssh_from_anywhere(own, &mesh.vpcs["production"].vpc_id),
        ],
        public: true,
    };
    let mut ipv6 = BTreeMap::new();
    ipv6.insert(BASTION.to_string(), with_ipv6(own, &bastion));
    for (name, ip) in SERVERS {
        let ec2 = if IN_DEV.contains(&name) { dev } else { own };
        let server = Launch {
            name,
            subnet: subnet(name, "private"),
            ip,
            groups: vec![group(name)],
            public: false,
        };
        ipv6.insert(name.to_string(), with_ipv6(ec2, &server));
    }
    ipv6
}

/// Launches `launch` in `ec2`'s account, then gives its interface one IPv6 address;
/// returns that address.
fn with_ipv6(ec2: &Ec2Check, launch: &Launch) -> String {
    let instance = launch.run(ec2);
    let interface = instance.network_interfaces()[0]
        .network_interface_id()
        .expect("interface id");
    let call = ec2
        .client()
        .assign_ipv6_addresses()
        .network_interface_id(interface)
        .ipv6_address_count(1);
    let assigned = ec2
        .block_on(call.send())
        .unwrap_or_else(|e| panic!("AssignIpv6Addresses for {}: {e:?}", launch.name));
    assigned
        .assigned_ipv6_addresses()
        .first()
        .unwrap_or_else(|| panic!("{} got no IPv6 address", launch.name))
        .to_string()
}
