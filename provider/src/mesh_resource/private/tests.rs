use super::*;

fn vpc(dns_hostnames: Option<bool>) -> VpcObs {
    VpcObs {
        id: "vpc-1".into(),
        region: "eu-west-2".into(),
        cidr: "10.1.0.0/16".parse().unwrap(),
        state: "available".into(),
        tags: Tags::new(),
        dns_hostnames,
        ipv6_cidr: None,
        ipv6_association_id: None,
    }
}

#[test]
fn dns_hostnames_are_kept_and_older_states_read_as_unread() {
    let private = Private {
        default_region: Some("eu-west-2".into()),
        inventory: Some(Inventory {
            vpcs: vec![vpc(Some(false))],
            ..Inventory::default()
        }),
    };
    assert_eq!(Private::decode(&private.encode()), private);

    // Written before the attribute was read: a VPC of five fields.
    let older = br#"{"version":1,"default_region":"eu-west-2","inventory":{
        "vpcs":[["vpc-1","eu-west-2","10.1.0.0/16","available",{}]],
        "subnets":[],"route_tables":[],"gateways":[],"groups":[],"peerings":[]}}"#;
    let decoded = Private::decode(older);
    assert_eq!(decoded.inventory.map(|i| i.vpcs), Some(vec![vpc(None)]));
}

#[test]
fn ipv6_blocks_routes_and_rules_are_kept() {
    let mut with_ipv6 = vpc(Some(true));
    with_ipv6.ipv6_cidr = Some("2400:6500:13e1:8000::/56".parse().unwrap());
    with_ipv6.ipv6_association_id = Some("vpc-cidr-assoc-1".into());
    let subnet = SubnetObs {
        id: "subnet-1".into(),
        region: "eu-west-2".into(),
        vpc_id: "vpc-1".into(),
        cidr: "10.1.1.0/24".parse().unwrap(),
        availability_zone: "eu-west-2a".into(),
        tags: Tags::new(),
        ipv6_cidr: Some("2400:6500:13e1:8001::/64".parse().unwrap()),
        ipv6_association_id: Some("subnet-cidr-assoc-1".into()),
    };
    let table = RouteTableObs {
        id: "rtb-1".into(),
        region: "eu-west-2".into(),
        vpc_id: "vpc-1".into(),
        main: true,
        associations: vec![],
        routes: vec![RouteObs {
            destination: "::/0".parse().unwrap(),
            target: RouteTarget::Gateway("igw-1".into()),
            state: "active".into(),
        }],
        tags: Tags::new(),
    };
    let group = SecurityGroupObs {
        id: "sg-1".into(),
        region: "eu-west-2".into(),
        vpc_id: "vpc-1".into(),
        name: "mesh".into(),
        rules: vec![
            IngressRule {
                protocol: Protocol::Icmp,
                cidr: "10.2.0.0/16".parse().unwrap(),
            },
            IngressRule {
                protocol: Protocol::Tcp { from: 22, to: 22 },
                cidr: "2001:db8::/32".parse().unwrap(),
            },
            IngressRule {
                protocol: Protocol::Icmpv6,
                cidr: "2400:6500:2488:2400::/56".parse().unwrap(),
            },
        ],
        foreign_rules: 0,
        tags: Tags::new(),
    };
    let private = Private {
        default_region: Some("eu-west-2".into()),
        inventory: Some(Inventory {
            vpcs: vec![with_ipv6],
            subnets: vec![subnet],
            route_tables: vec![table],
            security_groups: vec![group],
            ..Inventory::default()
        }),
    };
    assert_eq!(Private::decode(&private.encode()), private);
}

#[test]
fn older_states_routes_and_groups_read_as_ipv4() {
    let older = br#"{"version":1,"default_region":"eu-west-2","inventory":{
        "vpcs":[],"subnets":[],
        "route_tables":[{"id":"rtb-1","region":"eu-west-2","vpc_id":"vpc-1","main":true,
            "associations":[],"routes":[["10.2.0.0/16","p","pcx-1","active"]],"tags":{}}],
        "gateways":[],
        "groups":[{"id":"sg-1","region":"eu-west-2","vpc_id":"vpc-1","name":"mesh",
            "icmp":["10.2.0.0/16"],"tcp":[[22,22,"10.1.1.0/24"]],"foreign_rules":0,"tags":{}}],
        "peerings":[]}}"#;
    let inv = Private::decode(older)
        .inventory
        .expect("an older state decodes");
    assert_eq!(
        inv.route_tables[0].routes[0].destination,
        "10.2.0.0/16".parse::<ipnet::IpNet>().unwrap()
    );
    assert_eq!(inv.security_groups[0].rules.len(), 2);
}
