//! The three accounts of the scenario, each read with its own credentials, and the
//! checks of what each must hold.

use std::collections::BTreeMap;

use acceptance_tests::ec2check::{Ec2Snapshot, Route, RouteTable};
use acceptance_tests::mesh_fixture::MeshOutputs;
use acceptance_tests::Ec2Check;
use ipnet::{IpNet, Ipv6Net};

/// The provider's own account: moto's default for its dummy keys.
const OWN_ACCOUNT: &str = "123456789012";
pub const DEV_ROLE: &str = "arn:aws:iam::222222222222:role/mesh-admin";
pub const OPS_ROLE: &str = "arn:aws:iam::333333333333:role/mesh-admin";
const REGIONS: [&str; 2] = ["us-east-1", "us-west-2"];

/// A VPC of the mesh: where it lives and what it is.
pub struct Member {
    name: &'static str,
    /// The role the checks read its account with; None: the provider's own account.
    role: Option<&'static str>,
    account_id: &'static str,
    region: &'static str,
    cidr: &'static str,
    subnet_cidr: &'static str,
    public: bool,
    ipv6: bool,
}

/// hub (own account, us-east-1, dual-stack, public), dev (account dev, us-west-2,
/// dual-stack), ops (account ops, us-east-1, IPv4 only), in a full mesh: hub and dev are
/// the dual-stack pair, every peering crosses accounts and two cross regions.
pub const MEMBERS: [Member; 3] = [
    Member {
        name: "hub",
        role: None,
        account_id: OWN_ACCOUNT,
        region: "us-east-1",
        cidr: "10.61.0.0/16",
        subnet_cidr: "10.61.1.0/24",
        public: true,
        ipv6: true,
    },
    Member {
        name: "dev",
        role: Some(DEV_ROLE),
        account_id: "222222222222",
        region: "us-west-2",
        cidr: "10.62.0.0/16",
        subnet_cidr: "10.62.1.0/24",
        public: false,
        ipv6: true,
    },
    Member {
        name: "ops",
        role: Some(OPS_ROLE),
        account_id: "333333333333",
        region: "us-east-1",
        cidr: "10.63.0.0/16",
        subnet_cidr: "10.63.1.0/24",
        public: false,
        ipv6: false,
    },
];

fn member(name: &str) -> &'static Member {
    MEMBERS
        .iter()
        .find(|m| m.name == name)
        .unwrap_or_else(|| panic!("no member {name}"))
}

/// main.tf: the provider with the two other accounts, and the mesh of `members`; STS at
/// `sts` (moto, or a fault proxy in front of it).
pub fn configuration(endpoint: &str, sts: &str, members: &[Member]) -> String {
    let mut vpcs = String::new();
    for m in members {
        let account = match m.role {
            None => String::new(),
            Some(DEV_ROLE) => ", account = \"dev\"".to_string(),
            Some(_) => ", account = \"ops\"".to_string(),
        };
        let ipv6 = if m.ipv6 { ", ipv6 = true" } else { "" };
        vpcs += &format!(
            "    {name} = {{\n      cidr_block = \"{cidr}\", region = \"{region}\"{ipv6}{account}\n      \
             subnets = {{ app = {{ cidr_block = \"{subnet}\", availability_zone = \"{region}a\", public = {public} }} }}\n    }}\n",
            name = m.name,
            cidr = m.cidr,
            region = m.region,
            subnet = m.subnet_cidr,
            public = m.public,
        );
    }
    // An IPv6 source for SSH where the mesh is dual-stack.
    let ssh = if members.iter().any(|m| m.ipv6) {
        r#"["10.0.0.0/8", "2001:db8::/32"]"#
    } else {
        r#"["10.0.0.0/8"]"#
    };
    format!(
        r#"provider "peering" {{
  region    = "us-east-1"
  endpoints = {{ ec2 = "{endpoint}", sts = "{sts}" }}
  accounts = {{
    dev = {{ assume_role = {{ role_arn = "{DEV_ROLE}", session_name = "mesh-dev" }} }}
    ops = {{ assume_role = {{ role_arn = "{OPS_ROLE}", external_id = "ops-external-id" }} }}
  }}
}}

resource "peering_mesh" "lab" {{
  name = "accounts"
  vpcs = {{
{vpcs}  }}
  ssh_ingress_cidrs = {ssh}
}}

output "id" {{
  value = peering_mesh.lab.id
}}
output "peering_count" {{
  value = peering_mesh.lab.peering_count
}}
output "peerings" {{
  value = peering_mesh.lab.peerings
}}
output "reachability" {{
  value = peering_mesh.lab.reachability
}}
output "vpcs" {{
  value = peering_mesh.lab.vpcs
}}
"#
    )
}

/// One reader per (account, region) the scenario uses.
pub struct World {
    checks: BTreeMap<(&'static str, &'static str), Ec2Check>,
}

impl World {
    pub fn new(endpoint: &str) -> World {
        let mut checks = BTreeMap::new();
        for role in [None, Some(DEV_ROLE), Some(OPS_ROLE)] {
            for region in REGIONS {
                let check = match role {
                    None => Ec2Check::new(endpoint, region),
                    Some(role) => Ec2Check::for_role(endpoint, region, role),
                };
                checks.insert((role.unwrap_or("own"), region), check);
            }
        }
        World { checks }
    }

    pub fn check_of(&self, m: &Member) -> &Ec2Check {
        &self.checks[&(m.role.unwrap_or("own"), m.region)]
    }

    fn snapshot_of(&self, m: &Member) -> Ec2Snapshot {
        self.check_of(m).snapshot()
    }

    /// Everything the mesh must hold, read in each VPC's own account and region.
    pub fn assert_mesh(&self, out: &MeshOutputs) {
        for m in &MEMBERS {
            let ec2 = self.snapshot_of(m);
            let vpc_out = &out.vpcs[m.name];
            let vpc = ec2
                .vpc(&vpc_out.vpc_id)
                .unwrap_or_else(|| panic!("VPC {} in account {}", m.name, m.account_id));
            assert_eq!(vpc.owner_id, m.account_id, "owner of VPC {}", m.name);
            assert_eq!(vpc.cidr_block, m.cidr, "IPv4 block of {}", m.name);
            let v6 = vpc_out.ipv6_cidr_block.clone();
            if m.ipv6 {
                let block: Ipv6Net = v6.as_deref().expect("an IPv6 block").parse().unwrap();
                assert_eq!(block.prefix_len(), 56, "an Amazon /56 for {}", m.name);
                assert_eq!(
                    nets(&vpc.ipv6_cidr_blocks),
                    vec![IpNet::V6(block)],
                    "{}",
                    m.name
                );
                let subnet = &vpc_out.subnets["app"];
                let s: Ipv6Net = subnet
                    .ipv6_cidr_block
                    .as_deref()
                    .expect("/64")
                    .parse()
                    .unwrap();
                assert!(s.prefix_len() == 64 && block.contains(&s), "{s} in {block}");
                let in_ec2 = ec2.subnet(&subnet.id).expect("subnet in EC2");
                assert_eq!(nets(&in_ec2.ipv6_cidr_blocks), vec![IpNet::V6(s)]);
            } else {
                assert_eq!(v6, None, "{} is IPv4 only", m.name);
                assert!(vpc.ipv6_cidr_blocks.is_empty(), "{}", m.name);
            }
            self.assert_routes_and_rules(&ec2, m, out);
        }
        self.assert_peerings(out);
    }

    fn assert_routes_and_rules(&self, ec2: &Ec2Snapshot, m: &Member, out: &MeshOutputs) {
        let vpc_out = &out.vpcs[m.name];
        let table = ec2
            .route_table(&vpc_out.subnets["app"].route_table_id)
            .expect("the subnet's route table");
        let group = ec2
            .security_group(&vpc_out.security_group_id)
            .expect("the mesh's group");
        for peer in MEMBERS.iter().filter(|p| p.name != m.name) {
            let pcx = &out.peerings[&pair_key(m.name, peer.name)].id;
            let via = |dest: &str| route_to(table, dest).and_then(|r| r.peering_id.clone());
            assert_eq!(
                via(peer.cidr).as_ref(),
                Some(pcx),
                "{} -> {}",
                m.name,
                peer.name
            );
            assert!(
                group
                    .ingress
                    .iter()
                    .any(|r| r.protocol == "icmp" && r.cidr == peer.cidr),
                "{} admits ICMP from {}: {group:#?}",
                m.name,
                peer.name
            );
            let peer_v6 = out.vpcs[peer.name].ipv6_cidr_block.clone();
            match (m.ipv6, peer_v6) {
                (true, Some(v6)) => {
                    assert_eq!(
                        via(&v6).as_ref(),
                        Some(pcx),
                        "{} -> {} over IPv6",
                        m.name,
                        peer.name
                    );
                    assert!(
                        group
                            .ingress
                            .iter()
                            .any(|r| is_icmpv6(&r.protocol) && r.cidr == v6),
                        "{} admits ICMPv6 from {v6}: {group:#?}",
                        m.name
                    );
                }
                _ => {
                    let v6_routes: Vec<_> = table
                        .routes
                        .iter()
                        .filter(|r| r.peering_id.is_some() && is_v6(&r.destination))
                        .collect();
                    if !m.ipv6 {
                        assert!(
                            v6_routes.is_empty(),
                            "{}: no IPv6 peer routes: {v6_routes:?}",
                            m.name
                        );
                    }
                }
            }
        }
        if m.public {
            let igw = vpc_out
                .internet_gateway_id
                .clone()
                .expect("an internet gateway");
            for dest in ["0.0.0.0/0", "::/0"] {
                assert_eq!(
                    route_to(table, dest).and_then(|r| r.gateway_id.clone()),
                    Some(igw.clone()),
                    "{} routes {dest} to its internet gateway",
                    m.name
                );
            }
        }
    }

    /// Each peering is active, requested by its requester's account and accepted by the
    /// accepter's (moto, like AWS, lets only the accepter's account accept), and seen the
    /// same from both accounts.
    fn assert_peerings(&self, out: &MeshOutputs) {
        assert_eq!(out.peerings.len(), 3, "a full mesh of three");
        for (key, p) in &out.peerings {
            let (requester, accepter) = (member(&p.requester), member(&p.accepter));
            for side in [requester, accepter] {
                let ec2 = self.snapshot_of(side);
                let seen = ec2
                    .peering(&p.id)
                    .unwrap_or_else(|| panic!("{key} seen from {}'s account", side.name));
                assert_eq!(seen.status, "active", "{key}");
                assert_eq!(
                    seen.requester_owner_id, requester.account_id,
                    "{key} requester"
                );
                assert_eq!(
                    seen.accepter_owner_id, accepter.account_id,
                    "{key} accepter"
                );
                assert_eq!(seen.requester_region, requester.region, "{key}");
                assert_eq!(seen.accepter_region, accepter.region, "{key}");
            }
        }
    }

    /// Deletes, in `of`'s account, the IPv6 route of its subnet's table to `to`'s block;
    /// returns that block.
    pub fn delete_ipv6_route(&self, out: &MeshOutputs, of: &str, to: &str) -> String {
        let block = out.vpcs[to].ipv6_cidr_block.clone().expect("dual-stack");
        let table = &out.vpcs[of].subnets["app"].route_table_id;
        self.check_of(member(of)).delete_route(table, &block);
        block
    }

    /// Revokes, in `of`'s account, the ICMP rule from `from`'s IPv4 block; returns the block.
    pub fn revoke_icmp(&self, out: &MeshOutputs, of: &str, from: &str) -> String {
        let cidr = member(from).cidr;
        let group = &out.vpcs[of].security_group_id;
        self.check_of(member(of)).revoke_icmp(group, cidr);
        cidr.to_string()
    }

    /// Nothing tagged with the mesh's id, and no live peering of it, in any account and
    /// region.
    pub fn assert_nothing_left(&self, mesh_id: &str) {
        for ((account, region), check) in &self.checks {
            let ec2 = check.snapshot();
            let left: Vec<_> = ec2
                .mesh_objects()
                .into_iter()
                .filter(|o| o.mesh == mesh_id)
                .collect();
            assert!(left.is_empty(), "left in {account} {region}: {left:#?}");
        }
    }

    /// The components (`vpc/one`, `pcx/one:two`, ...) of `mesh_id` live in `m`'s account
    /// and region.
    pub fn components_in(&self, m: &Member, mesh_id: &str) -> Vec<String> {
        let ec2 = self.check_of(m).snapshot();
        ec2.mesh_objects()
            .into_iter()
            .filter(|o| o.mesh == mesh_id)
            .filter_map(|o| o.component)
            .collect()
    }
}

/// The scenario where the role of account `dev` cannot be assumed: two VPCs in the
/// provider's account and one in `dev`'s, all in us-east-1.
pub const REFUSAL_MEMBERS: [Member; 3] = [
    Member {
        name: "one",
        role: None,
        account_id: OWN_ACCOUNT,
        region: "us-east-1",
        cidr: "10.71.0.0/16",
        subnet_cidr: "10.71.1.0/24",
        public: false,
        ipv6: false,
    },
    Member {
        name: "two",
        role: None,
        account_id: OWN_ACCOUNT,
        region: "us-east-1",
        cidr: "10.72.0.0/16",
        subnet_cidr: "10.72.1.0/24",
        public: false,
        ipv6: false,
    },
    Member {
        name: "far",
        role: Some(DEV_ROLE),
        account_id: "222222222222",
        region: "us-east-1",
        cidr: "10.73.0.0/16",
        subnet_cidr: "10.73.1.0/24",
        public: false,
        ipv6: false,
    },
];

/// Blocks as EC2 wrote them (moto keeps leading zeros: `2400:6500:15b8:0600::/56`),
/// parsed for comparison.
fn nets(blocks: &[String]) -> Vec<IpNet> {
    blocks
        .iter()
        .map(|b| b.parse().expect("a CIDR block"))
        .collect()
}

fn same_net(a: &str, b: &str) -> bool {
    a.parse::<IpNet>()
        .ok()
        .is_some_and(|a| b.parse::<IpNet>().ok() == Some(a))
}

/// The route of `table` to `destination`, however EC2 wrote the block.
fn route_to<'t>(table: &'t RouteTable, destination: &str) -> Option<&'t Route> {
    table.routes.iter().find(|r| {
        r.destination
            .as_deref()
            .is_some_and(|d| same_net(d, destination))
    })
}

fn pair_key(x: &str, y: &str) -> String {
    if x <= y {
        format!("{x}:{y}")
    } else {
        format!("{y}:{x}")
    }
}

/// ICMPv6 as EC2 reports it: protocol number 58, or the name.
fn is_icmpv6(protocol: &str) -> bool {
    matches!(protocol, "58" | "icmpv6")
}

fn is_v6(destination: &Option<String>) -> bool {
    destination
        .as_deref()
        .and_then(|d| d.parse::<IpNet>().ok())
        .is_some_and(|n| matches!(n, IpNet::V6(_)))
}
