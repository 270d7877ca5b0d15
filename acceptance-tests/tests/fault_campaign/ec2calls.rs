//! The EC2 calls the campaign makes through the SDK, blocking; each panics naming the
//! call on an error (a scenario that cannot set up its world tests nothing).

use acceptance_tests::ec2check::Ec2Check;
use aws_sdk_ec2::types::{
    Filter, InstanceNetworkInterfaceSpecification, InstanceType, IpPermission, IpRange,
    ResourceType, Tag, TagSpecification,
};

use crate::world::{OPS_CIDR, OPS_SUBNET};

/// The value of an SDK call; panics naming the call on an error.
pub fn ok<T, E: std::fmt::Debug>(what: &str, result: Result<T, E>) -> T {
    result.unwrap_or_else(|e| panic!("{what}: {e:?}"))
}

pub fn tags(kind: ResourceType, pairs: &[(&str, &str)]) -> TagSpecification {
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

pub fn tcp_from(port: i32, cidr: &str) -> IpPermission {
    IpPermission::builder()
        .ip_protocol("tcp")
        .from_port(port)
        .to_port(port)
        .ip_ranges(IpRange::builder().cidr_ip(cidr).build())
        .build()
}

pub fn ops_network(ec2: &Ec2Check) -> (String, String, String) {
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

pub fn create_group(ec2: &Ec2Check, vpc: &str, name: &str, tagged: &[(&str, &str)]) -> String {
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
pub fn launch(
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
