//! The reading of EC2's XML answers, on answers shaped as moto gives them.

use super::*;

/// One page per action, as moto answers a region with a dual-stack VPC (its
/// first IPv6 block disassociated, still listed), a public dual-stack and a
/// private subnet, a bastion (running) and a terminated instance of the same name.
fn answer(action: &str) -> Result<Vec<String>, String> {
    let body = match action {
        "DescribeVpcs" => {
            "<vpcSet><item><vpcId>vpc-1</vpcId><ownerId>111111111111</ownerId><cidrBlock>10.1.0.0/16</cidrBlock>
              <ipv6CidrBlockAssociationSet>
                <item><ipv6CidrBlock>2400:6500:aaaa:100::/56</ipv6CidrBlock><ipv6CidrBlockState><state>disassociated</state></ipv6CidrBlockState></item>
                <item><ipv6CidrBlock>2400:6500:aaaa:200::/56</ipv6CidrBlock><ipv6CidrBlockState><state>associated</state></ipv6CidrBlockState></item>
              </ipv6CidrBlockAssociationSet></item></vpcSet>"
        }
        "DescribeRouteTables" => {
            "<routeTableSet>
              <item><routeTableId>rtb-main</routeTableId><vpcId>vpc-1</vpcId>
                <associationSet><item><main>true</main></item></associationSet>
                <routeSet><item><destinationCidrBlock>10.1.0.0/16</destinationCidrBlock><gatewayId>local</gatewayId></item></routeSet>
              </item>
              <item><routeTableId>rtb-pub</routeTableId><vpcId>vpc-1</vpcId>
                <associationSet><item><main>false</main><subnetId>subnet-pub</subnetId></item></associationSet>
                <routeSet>
                  <item><destinationCidrBlock>10.1.0.0/16</destinationCidrBlock><gatewayId>local</gatewayId></item>
                  <item><destinationCidrBlock>0.0.0.0/0</destinationCidrBlock><gatewayId>igw-1</gatewayId></item>
                  <item><destinationCidrBlock>10.2.0.0/16</destinationCidrBlock><vpcPeeringConnectionId>pcx-1</vpcPeeringConnectionId></item>
                  <item><destinationIpv6CidrBlock>::/0</destinationIpv6CidrBlock><gatewayId>igw-1</gatewayId></item>
                  <item><destinationIpv6CidrBlock>2400:6500:bbbb:300::/56</destinationIpv6CidrBlock><vpcPeeringConnectionId>pcx-1</vpcPeeringConnectionId></item>
                </routeSet>
              </item>
            </routeTableSet>"
        }
        "DescribeSubnets" => {
            "<subnetSet>
              <item><subnetId>subnet-pub</subnetId><vpcId>vpc-1</vpcId><cidrBlock>10.1.1.0/24</cidrBlock>
                <ipv6CidrBlockAssociationSet><item><ipv6CidrBlock>2400:6500:aaaa:201::/64</ipv6CidrBlock>
                  <ipv6CidrBlockState><state>{'State': 'associated'}</state></ipv6CidrBlockState></item></ipv6CidrBlockAssociationSet></item>
              <item><subnetId>subnet-priv</subnetId><vpcId>vpc-1</vpcId><cidrBlock>10.1.2.0/24</cidrBlock></item>
            </subnetSet>"
        }
        "DescribeVpcPeeringConnections" => {
            "<vpcPeeringConnectionSet><item><vpcPeeringConnectionId>pcx-1</vpcPeeringConnectionId>
              <requesterVpcInfo><vpcId>vpc-1</vpcId></requesterVpcInfo>
              <accepterVpcInfo><vpcId>vpc-2</vpcId></accepterVpcInfo>
              <status><code>active</code><message>Active</message></status>
            </item></vpcPeeringConnectionSet>"
        }
        "DescribeInternetGateways" => {
            "<internetGatewaySet><item><internetGatewayId>igw-1</internetGatewayId>
              <attachmentSet><item><vpcId>vpc-1</vpcId><state>available</state></item></attachmentSet>
            </item></internetGatewaySet>"
        }
        "DescribeSecurityGroups" => {
            "<securityGroupInfo><item><groupId>sg-1</groupId><ipPermissions>
              <item><ipProtocol>tcp</ipProtocol><fromPort>22</fromPort><toPort>22</toPort>
                <ipRanges><item><cidrIp>0.0.0.0/0</cidrIp></item></ipRanges></item>
              <item><ipProtocol>-1</ipProtocol>
                <groups><item><groupId>sg-1</groupId></item></groups></item>
              <item><ipProtocol>58</ipProtocol><fromPort>-1</fromPort><toPort>-1</toPort><ipRanges/>
                <ipv6Ranges><item><cidrIpv6>2400:6500:bbbb:300::/56</cidrIpv6></item></ipv6Ranges></item>
              <item><ipProtocol>icmpv6</ipProtocol><fromPort>-1</fromPort><toPort>-1</toPort>
                <ipv6Ranges><item><cidrIpv6>2001:DB8:0:0::5/64</cidrIpv6></item></ipv6Ranges></item>
            </ipPermissions></item>
            <item><groupId>sg-2</groupId></item></securityGroupInfo>"
        }
        "DescribeInstances" => {
            "<reservationSet><item><instancesSet>
              <item><instanceId>i-1</instanceId><instanceState><name>running</name></instanceState>
                <subnetId>subnet-pub</subnetId><privateIpAddress>10.1.1.9</privateIpAddress>
                <ipAddress>54.0.0.9</ipAddress>
                <groupSet><item><groupId>sg-1</groupId></item></groupSet>
                <networkInterfaceSet><item><groupSet><item><groupId>sg-2</groupId></item></groupSet>
                  <ipv6AddressesSet><item><ipv6Address>2400:6500:aaaa:201::9</ipv6Address><isPrimaryIpv6>false</isPrimaryIpv6></item></ipv6AddressesSet>
                </item></networkInterfaceSet>
                <tagSet><item><key>Name</key><value>bastion</value></item></tagSet></item>
              <item><instanceId>i-2</instanceId><instanceState><name>terminated</name></instanceState>
                <tagSet><item><key>Name</key><value>bastion</value></item></tagSet></item>
            </instancesSet></item></reservationSet>"
        }
        other => return Err(format!("unexpected call {other}")),
    };
    let root = format!("{action}Response");
    Ok(vec![format!(
        "<{root} xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">{body}</{root}>"
    )])
}

#[test]
fn reads_tables_peerings_gateways_groups_and_live_instances() {
    let spec = LabSpec::from_answers(answer).unwrap();
    spec.validate().unwrap();
    let public = spec.subnet("subnet-pub").unwrap();
    assert_eq!(spec.table_of(public).unwrap().id, "rtb-pub");
    let private = spec.subnet("subnet-priv").unwrap();
    assert_eq!(spec.table_of(private).unwrap().id, "rtb-main");
    let routes = &spec.route_table("rtb-pub").unwrap().routes;
    assert_eq!(routes.len(), 5);
    assert_eq!(routes[0].target, RouteTarget::Local);
    assert_eq!(
        routes[1].target,
        RouteTarget::InternetGateway("igw-1".into())
    );
    assert_eq!(routes[2].target, RouteTarget::Peering("pcx-1".into()));
    assert_eq!(
        (routes[3].destination, &routes[3].target),
        (
            "::/0".parse().unwrap(),
            &RouteTarget::InternetGateway("igw-1".into())
        )
    );
    assert_eq!(
        (routes[4].destination, &routes[4].target),
        (
            "2400:6500:bbbb:300::/56".parse().unwrap(),
            &RouteTarget::Peering("pcx-1".into())
        )
    );
    assert!(spec.peerings[0].is_active());
    assert_eq!(spec.peerings[0].other_side("vpc-1"), Some("vpc-2"));
    assert_eq!(spec.internet_gateways[0].vpc_id.as_deref(), Some("vpc-1"));
    assert_eq!(
        spec.instances.len(),
        1,
        "the terminated instance is left out"
    );
    let bastion = &spec.instances[0];
    assert_eq!(
        bastion.name, "bastion",
        "a Name only a dead instance shares"
    );
    assert_eq!(bastion.security_group_ids, ["sg-1", "sg-2"]);
    assert_eq!(
        spec.reachable_public_ip(bastion),
        Some("54.0.0.9".parse().unwrap())
    );
    let rules = &spec.security_groups[0].ingress;
    assert_eq!(rules.len(), 3, "the rule naming a group is left out");
    assert_eq!(
        (rules[0].protocol, rules[0].from_port),
        (Protocol::Tcp, Some(22))
    );
    let icmpv6: Vec<(Protocol, String)> = rules[1..]
        .iter()
        .map(|r| (r.protocol, r.source.to_string()))
        .collect();
    assert_eq!(
        icmpv6,
        [
            (Protocol::Icmpv6, "2400:6500:bbbb:300::/56".to_string()),
            (Protocol::Icmpv6, "2001:db8::/64".to_string())
        ],
        "\"58\" and \"icmpv6\" alike; host bits kept verbatim by moto dropped"
    );
}

#[test]
fn reads_ipv6_blocks_addresses_and_owners() {
    let spec = LabSpec::from_answers(answer).unwrap();
    let vpc = spec.vpc("vpc-1").unwrap();
    assert_eq!(
        vpc.ipv6_cidr,
        Some("2400:6500:aaaa:200::/56".parse().unwrap()),
        "the disassociated block moto still lists is not the VPC's"
    );
    assert_eq!(vpc.owner_id.as_deref(), Some("111111111111"));
    let public = spec.subnet("subnet-pub").unwrap();
    assert_eq!(
        public.ipv6_cidr,
        Some("2400:6500:aaaa:201::/64".parse().unwrap()),
        "moto's state text {{'State': 'associated'}} counts as associated"
    );
    assert_eq!(spec.subnet("subnet-priv").unwrap().ipv6_cidr, None);
    assert_eq!(
        spec.instances[0].ipv6_addresses,
        ["2400:6500:aaaa:201::9"
            .parse::<std::net::Ipv6Addr>()
            .unwrap()]
    );
    assert_eq!(spec.public_ipv6_block(public), public.ipv6_cidr);

    // The subnet's block goes (moto keeps the instance's address): the address
    // carries nothing and is left out.
    let without_block = |action: &str| {
        answer(action).map(|pages| {
            pages
                .into_iter()
                .map(|p| p.replace("2400:6500:aaaa:201::/64", "2400:6500:aaaa:2ff::/64"))
                .collect()
        })
    };
    let spec = LabSpec::from_answers(without_block).unwrap();
    assert!(spec.instances[0].ipv6_addresses.is_empty());
    spec.validate().unwrap();
}

#[test]
fn accounts_merge_a_shared_peering_once() {
    let mut own = LabSpec::from_answers(answer).unwrap();
    let mut other = LabSpec::default();
    other.add_vpc("vpc-2", "10.2.0.0/16");
    other.peerings.push(own.peerings[0].clone());
    own.merge(other);
    assert_eq!(own.vpcs.len(), 2);
    assert_eq!(own.peerings.len(), 1);
    assert_eq!(
        own.live_peerings().count(),
        1,
        "both sides are in the lab now"
    );
}

#[test]
fn the_account_of_a_role_arn() {
    use crate::query::account_of_arn;
    assert_eq!(
        account_of_arn("arn:aws:iam::222222222222:role/mesh"),
        Some("222222222222")
    );
    assert_eq!(
        account_of_arn("arn:aws-cn:iam::444444444444:role/x"),
        Some("444444444444")
    );
    assert_eq!(account_of_arn("arn:aws:iam:::role/x"), None);
    assert_eq!(account_of_arn("not-an-arn"), None);
    // Refused before any call (moto would assume it in the caller's account).
    let err = match crate::query::Ec2Api::assume_role("http://127.0.0.1:9", "r", "not-an-arn") {
        Ok(_) => panic!("a malformed role ARN was accepted"),
        Err(e) => e,
    };
    assert!(err.contains("not a role ARN"), "{err}");
}

#[test]
fn a_name_two_live_instances_share_gets_their_ids() {
    let mut specs: Vec<InstanceSpec> = ["i-1", "i-2"]
        .into_iter()
        .map(|id| InstanceSpec {
            id: id.into(),
            name: "web".into(),
            subnet_id: "subnet-1".into(),
            private_ip: "10.1.1.9".parse().unwrap(),
            security_group_ids: vec![],
            state: InstanceState::Running,
            public_ip: None,
            ipv6_addresses: vec![],
        })
        .collect();
    unique_names(&mut specs);
    assert_eq!(specs[0].name, "web-i-1");
    assert_eq!(specs[1].name, "web-i-2");
}

#[test]
fn an_ec2_error_answer_is_reported_with_its_code_and_message() {
    let body = "<Response><Errors><Error><Code>AuthFailure</Code>\
                <Message>not authorized</Message></Error></Errors></Response>";
    assert_eq!(
        crate::query::error_of(401, body),
        "HTTP 401: AuthFailure: not authorized"
    );
    assert_eq!(crate::query::error_of(502, "bad gateway"), "HTTP 502");
}

#[test]
fn names_are_made_unique_among_the_kept_vpcs_only() {
    // A second world in the same region: its own VPC, subnet and a host also
    // named "bastion".
    let mut spec = LabSpec::from_answers(answer).unwrap();
    let mut vpc = spec.vpcs[0].clone();
    vpc.id = "vpc-9".into();
    let mut subnet = spec.subnet("subnet-pub").unwrap().clone();
    subnet.id = "subnet-9".into();
    subnet.vpc_id = "vpc-9".into();
    let mut host = spec.instances[0].clone();
    host.id = "i-9".into();
    host.subnet_id = "subnet-9".into();
    spec.vpcs.push(vpc);
    spec.subnets.push(subnet);
    spec.instances.push(host);

    let one_world = kept(spec.clone(), |id| id == "vpc-1");
    let names: Vec<(&str, &str)> = one_world
        .instances
        .iter()
        .map(|i| (i.id.as_str(), i.name.as_str()))
        .collect();
    assert_eq!(names, [("i-1", "bastion")]);

    let mut both = spec;
    unique_names(&mut both.instances);
    let names: Vec<&str> = both.instances.iter().map(|i| i.name.as_str()).collect();
    assert_eq!(names, ["bastion-i-1", "bastion-i-9"]);
}
