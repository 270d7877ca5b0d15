//! EC2 objects made with raw Query API calls (meshlab's own client), each with
//! the keys of the account that owns it: dual-stack VPCs, rules, instances, routes.

use ipnet::Ipv6Net;
use meshlab::query::{find_text, Ec2Api};

/// One call; panics with EC2's error (a test that cannot build its world fails).
#[track_caller]
pub fn call(api: &Ec2Api, action: &str, params: &[(&str, &str)]) -> String {
    api.call(action, params)
        .unwrap_or_else(|e| panic!("{action}: {e}"))
}

/// The first `tag` of a call's answer.
#[track_caller]
pub fn id(api: &Ec2Api, action: &str, params: &[(&str, &str)], tag: &str) -> String {
    let answer = call(api, action, params);
    find_text(&answer, tag).unwrap_or_else(|| panic!("{action} answered no {tag}:\n{answer}"))
}

pub struct Vpc {
    pub id: String,
    pub ipv6: Ipv6Net,
    pub subnet: String,
    pub table: String,
    pub group: String,
}

/// A dual-stack VPC (EC2 picks the /56) with one subnet on its first /64, its
/// main route table and an empty security group.
pub fn dual_stack_vpc(api: &Ec2Api, cidr: &str, subnet_cidr: &str, name: &str) -> Vpc {
    let answer = call(
        api,
        "CreateVpc",
        &[("CidrBlock", cidr), ("AmazonProvidedIpv6CidrBlock", "true")],
    );
    let vpc = find_text(&answer, "vpcId").expect("vpc id");
    let ipv6: Ipv6Net = find_text(&answer, "ipv6CidrBlock")
        .and_then(|b| b.parse().ok())
        .unwrap_or_else(|| panic!("CreateVpc gave no IPv6 block:\n{answer}"));
    let subnet_ipv6 = Ipv6Net::new(ipv6.network(), 64).expect("a /64").to_string();
    let subnet = id(
        api,
        "CreateSubnet",
        &[
            ("VpcId", &vpc),
            ("CidrBlock", subnet_cidr),
            ("Ipv6CidrBlock", &subnet_ipv6),
        ],
        "subnetId",
    );
    let table = id(
        api,
        "DescribeRouteTables",
        &[("Filter.1.Name", "vpc-id"), ("Filter.1.Value.1", &vpc)],
        "routeTableId",
    );
    let group = id(
        api,
        "CreateSecurityGroup",
        &[
            ("GroupName", name),
            ("GroupDescription", name),
            ("VpcId", &vpc),
        ],
        "groupId",
    );
    Vpc {
        id: vpc,
        ipv6,
        subnet,
        table,
        group,
    }
}

/// ICMP from `v4` and ICMPv6 (protocol "58", ports -1) from `v6` into `group`.
pub fn allow_pings(api: &Ec2Api, group: &str, v4: &str, v6: &str) {
    call(
        api,
        "AuthorizeSecurityGroupIngress",
        &[
            ("GroupId", group),
            ("IpPermissions.1.IpProtocol", "icmp"),
            ("IpPermissions.1.FromPort", "-1"),
            ("IpPermissions.1.ToPort", "-1"),
            ("IpPermissions.1.IpRanges.1.CidrIp", v4),
            ("IpPermissions.2.IpProtocol", "58"),
            ("IpPermissions.2.FromPort", "-1"),
            ("IpPermissions.2.ToPort", "-1"),
            ("IpPermissions.2.Ipv6Ranges.1.CidrIpv6", v6),
        ],
    );
}

/// A running instance called `name` with one IPv6 address EC2 picks.
pub fn instance(api: &Ec2Api, vpc: &Vpc, ip: &str, name: &str) {
    call(
        api,
        "RunInstances",
        &[
            ("ImageId", "ami-12345678"),
            ("MinCount", "1"),
            ("MaxCount", "1"),
            ("SubnetId", &vpc.subnet),
            ("PrivateIpAddress", ip),
            ("SecurityGroupId.1", &vpc.group),
            ("Ipv6AddressCount", "1"),
            ("TagSpecification.1.ResourceType", "instance"),
            ("TagSpecification.1.Tag.1.Key", "Name"),
            ("TagSpecification.1.Tag.1.Value", name),
        ],
    );
}

pub fn route(api: &Ec2Api, action: &str, table: &str, destination: &str, target: (&str, &str)) {
    let family = if destination.contains(':') {
        "DestinationIpv6CidrBlock"
    } else {
        "DestinationCidrBlock"
    };
    let mut params = vec![("RouteTableId", table), (family, destination)];
    if action == "CreateRoute" {
        params.push(target);
    }
    call(api, action, &params);
}
