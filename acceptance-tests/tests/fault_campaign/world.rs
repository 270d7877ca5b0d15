//! One campaign mesh built in moto with plain EC2 calls (no Terraform): 3 to 6 VPCs
//! tagged as the provider tags a `peering_mesh` (so `mesh_id` finds them), one host per
//! VPC, and an operations VPC outside the mesh with the SSH bastion, peered with every
//! mesh VPC. The operations VPC is never faulted: SSH reaches every running host
//! whatever the campaign breaks, so a probe is lost only when its source is stopped.

use std::collections::{BTreeMap, BTreeSet};

use acceptance_tests::ec2check::{Ec2Check, TAG_COMPONENT, TAG_MESH};
use aws_sdk_ec2::types::{
    Filter, InstanceNetworkInterfaceSpecification, InstanceType, IpPermission, IpRange,
    ResourceType, Tag, TagSpecification,
};

pub const NAMES: [&str; 6] = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta"];
pub const OPS_CIDR: &str = "10.100.0.0/16";
const OPS_SUBNET: &str = "10.100.1.0/24";
const BASTION_IP: &str = "10.100.1.10";

/// The value of an SDK call; panics naming the call on an error.
pub fn ok<T, E: std::fmt::Debug>(what: &str, result: Result<T, E>) -> T {
    result.unwrap_or_else(|e| panic!("{what}: {e:?}"))
}

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

fn tags(kind: ResourceType, pairs: &[(&str, &str)]) -> TagSpecification {
    let mut spec = TagSpecification::builder().resource_type(kind);
    for (k, v) in pairs {
        spec = spec.tags(Tag::builder().key(*k).value(*v).build());
    }
    spec.build()
}

pub fn icmp_from(cidr: &str) -> IpPermission {
    IpPermission::builder()
        .ip_protocol("icmp")
        .from_port(-1)
        .to_port(-1)
        .ip_ranges(IpRange::builder().cidr_ip(cidr).build())
        .build()
}

fn tcp_from(port: i32, cidr: &str) -> IpPermission {
    IpPermission::builder()
        .ip_protocol("tcp")
        .from_port(port)
        .to_port(port)
        .ip_ranges(IpRange::builder().cidr_ip(cidr).build())
        .build()
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

fn ops_network(ec2: &Ec2Check) -> (String, String, String) {
    let c = ec2.client();
    let vpc = ok(
        "CreateVpc ops",
        ec2.block_on(c.create_vpc().cidr_block(OPS_CIDR).send()),
    );
    let vpc = vpc
        .vpc()
        .and_then(|v| v.vpc_id())
        .expect("vpc id")
        .to_string();
    let subnet = ok(
        "CreateSubnet ops",
        ec2.block_on(c.create_subnet().vpc_id(&vpc).cidr_block(OPS_SUBNET).send()),
    );
    let subnet = subnet
        .subnet()
        .and_then(|s| s.subnet_id())
        .expect("subnet id")
        .to_string();
    let filter = Filter::builder().name("vpc-id").values(&vpc).build();
    let tables = ok(
        "DescribeRouteTables",
        ec2.block_on(c.describe_route_tables().filters(filter).send()),
    );
    let main = tables.route_tables()[0]
        .route_table_id()
        .expect("main table")
        .to_string();
    let igw = ok(
        "CreateInternetGateway",
        ec2.block_on(c.create_internet_gateway().send()),
    );
    let igw = igw
        .internet_gateway()
        .and_then(|g| g.internet_gateway_id())
        .expect("igw id")
        .to_string();
    ok(
        "AttachInternetGateway",
        ec2.block_on(
            c.attach_internet_gateway()
                .internet_gateway_id(&igw)
                .vpc_id(&vpc)
                .send(),
        ),
    );
    ok(
        "CreateRoute igw",
        ec2.block_on(
            c.create_route()
                .route_table_id(&main)
                .destination_cidr_block("0.0.0.0/0")
                .gateway_id(&igw)
                .send(),
        ),
    );
    (vpc, main, subnet)
}

fn create_group(ec2: &Ec2Check, vpc: &str, name: &str, tagged: &[(&str, &str)]) -> String {
    let c = ec2.client();
    let mut request = c
        .create_security_group()
        .group_name(name)
        .description(name)
        .vpc_id(vpc);
    if !tagged.is_empty() {
        request = request.tag_specifications(tags(ResourceType::SecurityGroup, tagged));
    }
    let out = ok("CreateSecurityGroup", ec2.block_on(request.send()));
    out.group_id().expect("group id").to_string()
}

pub fn authorize(ec2: &Ec2Check, group: &str, rules: Vec<IpPermission>) {
    let c = ec2.client();
    ok(
        "AuthorizeSecurityGroupIngress",
        ec2.block_on(
            c.authorize_security_group_ingress()
                .group_id(group)
                .set_ip_permissions(Some(rules))
                .send(),
        ),
    );
}

pub fn revoke(ec2: &Ec2Check, group: &str, rules: Vec<IpPermission>) {
    let c = ec2.client();
    ok(
        "RevokeSecurityGroupIngress",
        ec2.block_on(
            c.revoke_security_group_ingress()
                .group_id(group)
                .set_ip_permissions(Some(rules))
                .send(),
        ),
    );
}

pub fn put_route(ec2: &Ec2Check, table: &str, destination: &str, pcx: &str, replace: bool) {
    let c = ec2.client();
    if replace {
        ok(
            "ReplaceRoute",
            ec2.block_on(
                c.replace_route()
                    .route_table_id(table)
                    .destination_cidr_block(destination)
                    .vpc_peering_connection_id(pcx)
                    .send(),
            ),
        );
    } else {
        ok(
            "CreateRoute",
            ec2.block_on(
                c.create_route()
                    .route_table_id(table)
                    .destination_cidr_block(destination)
                    .vpc_peering_connection_id(pcx)
                    .send(),
            ),
        );
    }
}

/// Launches one instance named `name`; returns its id and its primary interface's id.
fn launch(
    ec2: &Ec2Check,
    name: &str,
    subnet: &str,
    ip: &str,
    groups: &[&str],
    per_interface: bool,
    public: bool,
) -> (String, String) {
    let c = ec2.client();
    let mut run = c
        .run_instances()
        .image_id("ami-12345678")
        .instance_type(InstanceType::T3Micro)
        .min_count(1)
        .max_count(1)
        .tag_specifications(tags(ResourceType::Instance, &[("Name", name)]));
    if per_interface || public {
        let mut nic = InstanceNetworkInterfaceSpecification::builder()
            .device_index(0)
            .subnet_id(subnet)
            .private_ip_address(ip)
            .associate_public_ip_address(public);
        for g in groups {
            nic = nic.groups(*g);
        }
        run = run.network_interfaces(nic.build());
    } else {
        run = run.subnet_id(subnet).private_ip_address(ip);
        for g in groups {
            run = run.security_group_ids(*g);
        }
    }
    let out = ok("RunInstances", ec2.block_on(run.send()));
    let i = &out.instances()[0];
    let eni = i
        .network_interfaces()
        .first()
        .and_then(|n| n.network_interface_id())
        .unwrap_or_default();
    (
        i.instance_id().expect("instance id").to_string(),
        eni.to_string(),
    )
}
