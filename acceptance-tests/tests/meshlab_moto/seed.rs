//! The seed experiment's EC2 objects, made with aws-sdk-ec2 calls against
//! moto: four VPCs 10.1-10.4.0.0/16 in a full mesh with a route in every
//! table, one server each, and a bastion behind an internet gateway.

use acceptance_tests::ec2check::Ec2Check;
use aws_sdk_ec2::types::{
    InstanceNetworkInterfaceSpecification, InstanceType, IpPermission, IpRange, ResourceType, Tag,
    TagSpecification,
};

/// Ids of what the test made, to change it later.
pub struct Seed {
    pub vpcs: Vec<String>,
    /// Peering ids by the indexes of their two VPCs.
    pub peerings: Vec<((usize, usize), String)>,
    /// (VPC index, route table) of every table that routes into peerings.
    pub tables: Vec<(usize, String)>,
    pub instances: Vec<(String, String)>,
}

impl Seed {
    pub fn instance(&self, name: &str) -> &str {
        &self
            .instances
            .iter()
            .find(|(n, _)| n == name)
            .expect("instance")
            .1
    }
}

/// One SDK call, blocking; panics with the request on an error.
macro_rules! call {
    ($ec2:expr, $request:expr) => {
        $ec2.block_on($request.send())
            .unwrap_or_else(|e| panic!("{}: {e:?}", stringify!($request)))
    };
}
pub(crate) use call;

fn permission(protocol: &str, port: i32, cidr: &str) -> IpPermission {
    IpPermission::builder()
        .ip_protocol(protocol)
        .from_port(port)
        .to_port(port)
        .ip_ranges(IpRange::builder().cidr_ip(cidr).build())
        .build()
}

fn security_group(ec2: &Ec2Check, vpc: &str, name: &str, rules: Vec<IpPermission>) -> String {
    let c = ec2.client();
    let created = call!(
        ec2,
        c.create_security_group()
            .group_name(name)
            .description(name)
            .vpc_id(vpc)
    );
    let id = created.group_id().expect("group id").to_string();
    call!(
        ec2,
        c.authorize_security_group_ingress()
            .group_id(&id)
            .set_ip_permissions(Some(rules))
    );
    id
}

fn instance(
    ec2: &Ec2Check,
    name: &str,
    subnet: &str,
    ip: &str,
    group: &str,
    public: bool,
) -> String {
    let nic = InstanceNetworkInterfaceSpecification::builder()
        .device_index(0)
        .subnet_id(subnet)
        .private_ip_address(ip)
        .associate_public_ip_address(public)
        .groups(group)
        .build();
    let tag = TagSpecification::builder()
        .resource_type(ResourceType::Instance)
        .tags(Tag::builder().key("Name").value(name).build())
        .build();
    let c = ec2.client();
    let run = c
        .run_instances()
        .image_id("ami-12345678")
        .instance_type(InstanceType::T3Micro);
    let out = call!(
        ec2,
        run.min_count(1)
            .max_count(1)
            .network_interfaces(nic)
            .tag_specifications(tag)
    );
    out.instances()[0]
        .instance_id()
        .expect("instance id")
        .to_string()
}

/// VPC n (1..=4) is 10.n.0.0/16; VPC 1 has a public subnet with the bastion.
pub fn build_seed(ec2: &Ec2Check) -> Seed {
    let c = ec2.client();
    let mut seed = Seed {
        vpcs: Vec::new(),
        peerings: Vec::new(),
        tables: Vec::new(),
        instances: Vec::new(),
    };
    let servers = [
        ("production", "10.1.2.249"),
        ("development", "10.2.1.29"),
        ("testing", "10.3.1.129"),
        ("shared", "10.4.1.22"),
    ];
    for (n, (name, ip)) in servers.iter().enumerate() {
        let vpc = call!(
            ec2,
            c.create_vpc().cidr_block(format!("10.{}.0.0/16", n + 1))
        )
        .vpc()
        .unwrap()
        .vpc_id()
        .unwrap()
        .to_string();
        let subnet_cidr = if n == 0 {
            "10.1.2.0/24".to_string()
        } else {
            format!("10.{}.1.0/24", n + 1)
        };
        let subnet = call!(ec2, c.create_subnet().vpc_id(&vpc).cidr_block(subnet_cidr))
            .subnet()
            .unwrap()
            .subnet_id()
            .unwrap()
            .to_string();
        let main = ec2
            .route_tables()
            .into_iter()
            .find(|t| t.vpc_id == vpc && t.main)
            .expect("main table")
            .id;
        seed.tables.push((n, main));
        let group = security_group(
            ec2,
            &vpc,
            "mesh",
            vec![
                permission("icmp", -1, "10.0.0.0/8"),
                permission("tcp", 22, "10.1.1.0/24"),
            ],
        );
        seed.instances.push((
            name.to_string(),
            instance(ec2, name, &subnet, ip, &group, false),
        ));
        seed.vpcs.push(vpc);
    }
    add_bastion(ec2, &mut seed);
    for a in 0..4 {
        for b in a + 1..4 {
            let created = call!(
                ec2,
                c.create_vpc_peering_connection()
                    .vpc_id(&seed.vpcs[a])
                    .peer_vpc_id(&seed.vpcs[b])
            );
            let id = created
                .vpc_peering_connection()
                .unwrap()
                .vpc_peering_connection_id()
                .unwrap()
                .to_string();
            call!(
                ec2,
                c.accept_vpc_peering_connection()
                    .vpc_peering_connection_id(&id)
            );
            for (n, table) in seed.tables.iter().filter(|(n, _)| *n == a || *n == b) {
                let other = if *n == a { b } else { a };
                let route = c
                    .create_route()
                    .route_table_id(table)
                    .vpc_peering_connection_id(&id);
                call!(
                    ec2,
                    route.destination_cidr_block(format!("10.{}.0.0/16", other + 1))
                );
            }
            seed.peerings.push(((a, b), id));
        }
    }
    seed
}

/// 10.1.1.0/24 with its own table (0.0.0.0/0 to an internet gateway) and
/// the bastion, which takes SSH from anywhere.
fn add_bastion(ec2: &Ec2Check, seed: &mut Seed) {
    let c = ec2.client();
    let vpc = seed.vpcs[0].clone();
    let subnet = call!(
        ec2,
        c.create_subnet().vpc_id(&vpc).cidr_block("10.1.1.0/24")
    )
    .subnet()
    .unwrap()
    .subnet_id()
    .unwrap()
    .to_string();
    let table = call!(ec2, c.create_route_table().vpc_id(&vpc))
        .route_table()
        .unwrap()
        .route_table_id()
        .unwrap()
        .to_string();
    call!(
        ec2,
        c.associate_route_table()
            .route_table_id(&table)
            .subnet_id(&subnet)
    );
    let igw = call!(ec2, c.create_internet_gateway())
        .internet_gateway()
        .unwrap()
        .internet_gateway_id()
        .unwrap()
        .to_string();
    call!(
        ec2,
        c.attach_internet_gateway()
            .internet_gateway_id(&igw)
            .vpc_id(&vpc)
    );
    call!(
        ec2,
        c.create_route()
            .route_table_id(&table)
            .destination_cidr_block("0.0.0.0/0")
            .gateway_id(&igw)
    );
    seed.tables.push((0, table));
    let group = security_group(
        ec2,
        &vpc,
        "bastion",
        vec![
            permission("tcp", 22, "0.0.0.0/0"),
            permission("icmp", -1, "10.0.0.0/8"),
        ],
    );
    seed.instances.push((
        "bastion".into(),
        instance(ec2, "bastion", &subnet, "10.1.1.249", &group, true),
    ));
}
