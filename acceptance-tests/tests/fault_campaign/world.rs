//! One campaign mesh built in moto with plain EC2 calls (no Terraform): 3 to 6 VPCs
//! tagged as the provider tags a `peering_mesh` (so `mesh_id` finds them), one host per
//! VPC, and an operations VPC outside the mesh with the SSH bastion, peered with every
//! mesh VPC. The operations VPC is never faulted: SSH reaches every running host
//! whatever the campaign breaks, so a probe is lost only when its source is stopped.

use std::collections::{BTreeMap, BTreeSet};

use acceptance_tests::ec2check::{Ec2Check, TAG_COMPONENT, TAG_MESH};
use aws_sdk_ec2::types::{IpPermission, ResourceType};

use crate::ec2calls::{
    authorize, create_group, icmp_from, launch, ok, ops_network, put_route, tags, tcp_from,
};

pub const NAMES: [&str; 6] = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta"];
pub const OPS_CIDR: &str = "10.100.0.0/16";
pub const OPS_SUBNET: &str = "10.100.1.0/24";
const BASTION_IP: &str = "10.100.1.10";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    FullMesh,
    HubAndSpoke { hub: usize },
    Explicit,
}

impl Shape {
    pub fn label(&self) -> &'static str {
        match self {
            Shape::FullMesh => "full mesh",
            Shape::HubAndSpoke { .. } => "hub and spoke",
            Shape::Explicit => "explicit",
        }
    }
}

/// One mesh VPC and its host.
#[derive(Debug, Clone)]
pub struct Vpc {
    pub name: String,
    pub id: String,
    pub cidr: String,
    pub table: String,
    /// The mesh's group (`sg/NAME`): ICMP from the VPC itself and each peer.
    pub group: String,
    /// SSH from the operations subnet only; never faulted.
    pub ssh_group: String,
    pub instance: String,
    pub eni: String,
    pub ip: String,
    /// Groups given per network interface (else per instance, as `SecurityGroupIds`).
    pub per_interface: bool,
}

pub struct World {
    pub mesh_id: String,
    pub shape: Shape,
    pub vpcs: Vec<Vpc>,
    /// The peered pairs (i < j) with the live peering of each.
    pub peerings: BTreeMap<(usize, usize), String>,
    pub ops_vpc: String,
    pub bastion: String,
}

impl World {
    /// Builds a mesh of `size` VPCs over `pairs` in moto.
    pub fn build(
        ec2: &Ec2Check,
        mesh_id: &str,
        shape: Shape,
        size: usize,
        pairs: &BTreeSet<(usize, usize)>,
        rng: &mut fastrand::Rng,
    ) -> World {
        let c = ec2.client();
        let mesh = |key: String| vec![(TAG_MESH, mesh_id.to_string()), (TAG_COMPONENT, key)];
        let (ops_vpc, ops_table, ops_subnet) = ops_network(ec2);
        let mut vpcs = Vec::new();
        for (n, name) in NAMES.iter().take(size).enumerate() {
            let cidr = format!("10.{}.0.0/16", n + 1);
            let t = mesh(format!("vpc/{name}"));
            let t: Vec<(&str, &str)> = t.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let vpc = ok(
                "CreateVpc",
                ec2.block_on(
                    c.create_vpc()
                        .cidr_block(&cidr)
                        .tag_specifications(tags(ResourceType::Vpc, &t))
                        .send(),
                ),
            );
            let id = vpc
                .vpc()
                .and_then(|v| v.vpc_id())
                .expect("vpc id")
                .to_string();
            let tagged = |key: String| -> Vec<(String, String)> {
                mesh(key)
                    .into_iter()
                    .map(|(k, v)| (k.to_string(), v))
                    .collect()
            };
            let st = tagged(format!("subnet/{name}/private"));
            let st: Vec<(&str, &str)> = st.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            let subnet_cidr = format!("10.{}.1.0/24", n + 1);
            let subnet = ok(
                "CreateSubnet",
                ec2.block_on(
                    c.create_subnet()
                        .vpc_id(&id)
                        .cidr_block(&subnet_cidr)
                        .tag_specifications(tags(ResourceType::Subnet, &st))
                        .send(),
                ),
            );
            let subnet = subnet
                .subnet()
                .and_then(|s| s.subnet_id())
                .expect("subnet id")
                .to_string();
            let rt = tagged(format!("rtb/{name}/private"));
            let rt: Vec<(&str, &str)> = rt.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            let table = ok(
                "CreateRouteTable",
                ec2.block_on(
                    c.create_route_table()
                        .vpc_id(&id)
                        .tag_specifications(tags(ResourceType::RouteTable, &rt))
                        .send(),
                ),
            );
            let table = table
                .route_table()
                .and_then(|t| t.route_table_id())
                .expect("table id")
                .to_string();
            ok(
                "AssociateRouteTable",
                ec2.block_on(
                    c.associate_route_table()
                        .route_table_id(&table)
                        .subnet_id(&subnet)
                        .send(),
                ),
            );
            let sg = tagged(format!("sg/{name}"));
            let sg: Vec<(&str, &str)> = sg.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            let group = create_group(ec2, &id, &format!("mesh-{name}"), &sg);
            let ssh_group = create_group(ec2, &id, &format!("ssh-{name}"), &[]);
            let mut icmp: Vec<IpPermission> = vec![icmp_from(&cidr)];
            for (a, b) in pairs.iter().filter(|(a, b)| *a == n || *b == n) {
                let other = if *a == n { *b } else { *a };
                icmp.push(icmp_from(&format!("10.{}.0.0/16", other + 1)));
            }
            authorize(ec2, &group, icmp);
            authorize(ec2, &ssh_group, vec![tcp_from(22, OPS_SUBNET)]);
            let ip = format!("10.{}.1.{}", n + 1, 10 + rng.u8(0..200));
            let per_interface = rng.bool();
            let (instance, eni) = launch(
                ec2,
                name,
                &subnet,
                &ip,
                &[&group, &ssh_group],
                per_interface,
                false,
            );
            vpcs.push(Vpc {
                name: name.to_string(),
                id,
                cidr,
                table,
                group,
                ssh_group,
                instance,
                eni,
                ip,
                per_interface,
            });
        }
        let mut world = World {
            mesh_id: mesh_id.to_string(),
            shape,
            vpcs,
            peerings: BTreeMap::new(),
            ops_vpc: ops_vpc.clone(),
            bastion: String::new(),
        };
        for v in world.vpcs.clone() {
            let pcx = world.peer(ec2, &ops_vpc, &v.id, None, true);
            put_route(ec2, &ops_table, &v.cidr, &pcx, false);
            put_route(ec2, &v.table, OPS_CIDR, &pcx, false);
        }
        for &(a, b) in pairs {
            world.connect(ec2, a, b);
        }
        let bastion_group = create_group(ec2, &ops_vpc, "bastion", &[]);
        authorize(ec2, &bastion_group, vec![tcp_from(22, "0.0.0.0/0")]);
        world.bastion = launch(
            ec2,
            "bastion",
            &ops_subnet,
            BASTION_IP,
            &[&bastion_group],
            true,
            true,
        )
        .0;
        world
    }

    /// The pair's mesh key, `pcx/A:B` with A < B.
    pub fn pair_key(&self, a: usize, b: usize) -> String {
        let (x, y) = (&self.vpcs[a].name, &self.vpcs[b].name);
        if x < y {
            format!("{x}:{y}")
        } else {
            format!("{y}:{x}")
        }
    }

    /// A new peering between VPC `a` and `b`, tagged with their key, accepted, and routes
    /// to it in both tables (replacing what they had).
    pub fn connect(&mut self, ec2: &Ec2Check, a: usize, b: usize) -> String {
        let key = format!("pcx/{}", self.pair_key(a, b));
        let (va, vb) = (self.vpcs[a].clone(), self.vpcs[b].clone());
        let pcx = self.peer(ec2, &va.id, &vb.id, Some(&key), true);
        let replace = self.peerings.contains_key(&(a, b));
        put_route(ec2, &va.table, &vb.cidr, &pcx, replace);
        put_route(ec2, &vb.table, &va.cidr, &pcx, replace);
        self.peerings.insert((a, b), pcx.clone());
        pcx
    }

    /// CreateVpcPeeringConnection (tagged with `key` when given), accepted when `accept`.
    pub fn peer(
        &self,
        ec2: &Ec2Check,
        requester: &str,
        accepter: &str,
        key: Option<&str>,
        accept: bool,
    ) -> String {
        let c = ec2.client();
        let mut request = c
            .create_vpc_peering_connection()
            .vpc_id(requester)
            .peer_vpc_id(accepter);
        if let Some(key) = key {
            request = request.tag_specifications(tags(
                ResourceType::VpcPeeringConnection,
                &[(TAG_MESH, &self.mesh_id), (TAG_COMPONENT, key)],
            ));
        }
        let out = ok("CreateVpcPeeringConnection", ec2.block_on(request.send()));
        let id = out
            .vpc_peering_connection()
            .and_then(|p| p.vpc_peering_connection_id())
            .expect("peering id")
            .to_string();
        if accept {
            ok(
                "AcceptVpcPeeringConnection",
                ec2.block_on(
                    c.accept_vpc_peering_connection()
                        .vpc_peering_connection_id(&id)
                        .send(),
                ),
            );
        }
        id
    }

    /// Every VPC id of this world (mesh and operations), for the lab's spec.
    pub fn vpc_ids(&self) -> BTreeSet<String> {
        let mut ids: BTreeSet<String> = self.vpcs.iter().map(|v| v.id.clone()).collect();
        ids.insert(self.ops_vpc.clone());
        ids
    }

    /// Sets the groups of VPC `n`'s host the way it was launched (per interface or per
    /// instance). moto keeps the instance-level list and the interface's list apart,
    /// where EC2 has one list for the primary interface, so a host launched per instance
    /// gets both calls.
    pub fn set_groups(&self, ec2: &Ec2Check, n: usize, groups: &[&str]) {
        let c = ec2.client();
        let v = &self.vpcs[n];
        let groups: Vec<String> = groups.iter().map(|g| g.to_string()).collect();
        ok(
            "ModifyNetworkInterfaceAttribute",
            ec2.block_on(
                c.modify_network_interface_attribute()
                    .network_interface_id(&v.eni)
                    .set_groups(Some(groups.clone()))
                    .send(),
            ),
        );
        if !v.per_interface {
            ok(
                "ModifyInstanceAttribute",
                ec2.block_on(
                    c.modify_instance_attribute()
                        .instance_id(&v.instance)
                        .set_groups(Some(groups))
                        .send(),
                ),
            );
        }
    }
}
