use super::*;

fn vpc(dns_hostnames: Option<bool>) -> VpcObs {
    VpcObs {
        id: "vpc-1".into(),
        region: "eu-west-2".into(),
        cidr: "10.1.0.0/16".parse().unwrap(),
        state: "available".into(),
        tags: Tags::new(),
        dns_hostnames,
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
