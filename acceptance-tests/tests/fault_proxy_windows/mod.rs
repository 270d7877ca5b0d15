//! The proxy's windowed faults through the network: fresh ids, peering
//! states, dependency violations (windows fixed at 60 s or zero).

use std::time::Duration;

use acceptance_tests::faultproxy::{PeeringStates, Window};
use acceptance_tests::{FaultKind, Faults};

use crate::fault_proxy_support::{setup, Failure};

const LONG: Duration = Duration::from_secs(60);

#[test]
fn a_fresh_vpc_is_not_found_by_id_nor_by_tag_until_its_window_ends() {
    let faults = Faults::none(1).with_fresh_id_not_found(Window::fixed(LONG));
    let Some(s) = setup("fault_proxy::fresh_vpc", faults) else {
        return;
    };
    let vpc = s.through.create_vpc("10.4.0.0/16", "fresh").unwrap();
    let not_found = Failure::ec2("InvalidVpcID.NotFound", 400);
    assert_eq!(s.through.describe_vpc(&vpc).unwrap_err(), not_found);
    let subnet = s
        .through
        .client
        .create_subnet()
        .vpc_id(&vpc)
        .cidr_block("10.4.1.0/24");
    assert_eq!(s.through.outcome(subnet.send()).unwrap_err(), not_found);
    // Tag filters lag: the VPC is left out, not an error.
    assert_eq!(
        s.through.vpcs_tagged("fresh").unwrap(),
        Vec::<String>::new()
    );
    assert_eq!(s.direct.vpcs_tagged("fresh").unwrap(), vec![vpc.clone()]);
    let counts = s.proxy.counts();
    assert_eq!(counts.hidden_items, 1);
    assert_eq!(counts.injected(FaultKind::FreshIdNotFound), 3);
    assert_eq!(counts.forwarded("CreateSubnet"), 0);
    s.proxy.set_faults(Faults::none(1));
    assert_eq!(s.through.vpcs_tagged("fresh").unwrap(), vec![vpc.clone()]);
    assert_eq!(s.through.describe_vpc(&vpc).unwrap(), vec![vpc]);
}

#[test]
fn each_kind_of_fresh_id_answers_its_own_not_found_code() {
    let faults = Faults::none(1).with_fresh_id_not_found(Window::fixed(LONG));
    let Some(s) = setup("fault_proxy::fresh_kinds", faults) else {
        return;
    };
    // Made directly: not fresh.
    let vpc = s.direct.create_vpc("10.5.0.0/16", "old").unwrap();
    let peer = s.direct.create_vpc("10.6.0.0/16", "old").unwrap();
    let old_subnet = s
        .direct
        .client
        .create_subnet()
        .vpc_id(&vpc)
        .cidr_block("10.5.9.0/24");
    let old_subnet = s.direct.block_on(old_subnet.send()).unwrap();
    let old_subnet = old_subnet
        .subnet()
        .unwrap()
        .subnet_id()
        .unwrap()
        .to_string();
    let old_table = s
        .direct
        .block_on(s.direct.client.create_route_table().vpc_id(&vpc).send());
    let old_table = old_table
        .unwrap()
        .route_table()
        .unwrap()
        .route_table_id()
        .unwrap()
        .to_string();

    let c = &s.through.client;
    let subnet = s.through.block_on(
        c.create_subnet()
            .vpc_id(&vpc)
            .cidr_block("10.5.1.0/24")
            .send(),
    );
    let subnet = subnet
        .unwrap()
        .subnet()
        .unwrap()
        .subnet_id()
        .unwrap()
        .to_string();
    let table = s
        .through
        .block_on(c.create_route_table().vpc_id(&vpc).send());
    let table = table
        .unwrap()
        .route_table()
        .unwrap()
        .route_table_id()
        .unwrap()
        .to_string();
    let group = c
        .create_security_group()
        .vpc_id(&vpc)
        .group_name("g")
        .description("g");
    let group = s
        .through
        .block_on(group.send())
        .unwrap()
        .group_id()
        .unwrap()
        .to_string();
    let gateway = s
        .through
        .block_on(c.create_internet_gateway().send())
        .unwrap();
    let gateway = gateway
        .internet_gateway()
        .unwrap()
        .internet_gateway_id()
        .unwrap()
        .to_string();
    let (peering, _) = s.through.create_peering(&vpc, &peer).unwrap();
    let association = c
        .associate_route_table()
        .route_table_id(&old_table)
        .subnet_id(&old_subnet);
    let association = s.through.block_on(association.send()).unwrap();
    let association = association.association_id().unwrap().to_string();

    let code = |result: Result<(), Failure>| match result.unwrap_err() {
        Failure::Ec2 { code, status: 400 } => code,
        other => panic!("expected an EC2 error with HTTP 400, got {other:?}"),
    };
    assert_eq!(
        code(
            s.through
                .outcome(c.describe_subnets().subnet_ids(&subnet).send())
                .map(drop)
        ),
        "InvalidSubnetID.NotFound"
    );
    let route = c
        .create_route()
        .route_table_id(&table)
        .destination_cidr_block("0.0.0.0/0");
    let route = route.gateway_id(&gateway).send();
    assert_eq!(
        code(s.through.outcome(route).map(drop)),
        "InvalidRouteTableID.NotFound"
    );
    let group_call = c.describe_security_groups().group_ids(&group).send();
    assert_eq!(
        code(s.through.outcome(group_call).map(drop)),
        "InvalidGroup.NotFound"
    );
    let attach = c
        .attach_internet_gateway()
        .internet_gateway_id(&gateway)
        .vpc_id(&vpc)
        .send();
    assert_eq!(
        code(s.through.outcome(attach).map(drop)),
        "InvalidInternetGatewayID.NotFound"
    );
    let accept = c
        .accept_vpc_peering_connection()
        .vpc_peering_connection_id(&peering)
        .send();
    assert_eq!(
        code(s.through.outcome(accept).map(drop)),
        "InvalidVpcPeeringConnectionID.NotFound"
    );
    let disassociate = c
        .disassociate_route_table()
        .association_id(&association)
        .send();
    assert_eq!(
        code(s.through.outcome(disassociate).map(drop)),
        "InvalidAssociationID.NotFound"
    );
    // A tag naming a fresh id as its resource (ResourceId.1).
    let tag = aws_sdk_ec2::types::Tag::builder()
        .key("k")
        .value("v")
        .build();
    let tagging = c.create_tags().resources(&subnet).tags(tag).send();
    assert_eq!(
        code(s.through.outcome(tagging).map(drop)),
        "InvalidSubnetID.NotFound"
    );

    let counts = s.proxy.counts();
    assert_eq!(counts.injected(FaultKind::FreshIdNotFound), 7);
    assert_eq!(counts.forwarded("CreateTags"), 0);
}

#[test]
fn peerings_pass_through_initiating_request_and_provisioning() {
    let states = PeeringStates {
        initiating_request: Window::fixed(LONG),
        provisioning: Window::fixed(LONG),
    };
    let Some(s) = setup(
        "fault_proxy::peering",
        Faults::none(1).with_peering_states(states),
    ) else {
        return;
    };
    let vpc = s.direct.create_vpc("10.7.0.0/16", "p").unwrap();
    let peer = s.direct.create_vpc("10.8.0.0/16", "p").unwrap();
    // The create's own answer says initiating-request (EC2 and moto alike).
    let (peering, status) = s.through.create_peering(&vpc, &peer).unwrap();
    assert_eq!(status, "initiating-request");
    assert_eq!(
        s.through.peering_status(&peering).unwrap(),
        "initiating-request"
    );
    assert_eq!(
        s.direct.peering_status(&peering).unwrap(),
        "pending-acceptance"
    );
    let refused = s.through.accept_peering(&peering).unwrap_err();
    assert_eq!(refused, Failure::ec2("InvalidStateTransition", 400));
    assert_eq!(s.proxy.counts().forwarded("AcceptVpcPeeringConnection"), 0);

    // A second peering without the initiating window, then accepted.
    let quick = PeeringStates {
        initiating_request: Window::fixed(Duration::ZERO),
        provisioning: Window::fixed(LONG),
    };
    s.proxy
        .set_faults(Faults::none(1).with_peering_states(quick));
    let (second, _) = s.through.create_peering(&vpc, &peer).unwrap();
    assert_eq!(
        s.through.peering_status(&second).unwrap(),
        "pending-acceptance"
    );
    assert_eq!(s.through.accept_peering(&second).unwrap(), "provisioning");
    assert_eq!(s.through.peering_status(&second).unwrap(), "provisioning");
    assert_eq!(s.direct.peering_status(&second).unwrap(), "active");
    // The first peering's window is still open.
    assert_eq!(
        s.through.peering_status(&peering).unwrap(),
        "initiating-request"
    );

    let counts = s.proxy.counts();
    // Describe, refused accept, accept, describe, describe.
    assert_eq!(
        counts.injected(FaultKind::PeeringStates),
        5,
        "{}",
        counts.summary()
    );
}

#[test]
fn deletes_answer_dependency_violation_during_their_window() {
    let faults = Faults::none(1).with_dependency_violation(Window::fixed(LONG));
    let Some(s) = setup("fault_proxy::dependency", faults) else {
        return;
    };
    let vpc = s.direct.create_vpc("10.9.0.0/16", "dep").unwrap();
    let violation = Failure::ec2("DependencyViolation", 400);
    assert_eq!(s.through.delete_vpc(&vpc).unwrap_err(), violation);
    assert_eq!(s.through.delete_vpc(&vpc).unwrap_err(), violation);
    assert_eq!(s.direct.vpcs_tagged("dep").unwrap(), vec![vpc.clone()]);
    let group = s.direct.client.create_security_group().vpc_id(&vpc);
    let group = s
        .direct
        .block_on(group.group_name("g").description("g").send())
        .unwrap();
    let group = group.group_id().unwrap().to_string();
    let delete = s
        .through
        .client
        .delete_security_group()
        .group_id(&group)
        .send();
    let error = s.through.outcome(delete).unwrap_err();
    assert_eq!(error, Failure::ec2("InvalidGroup.InUse", 400));
    let counts = s.proxy.counts();
    assert_eq!(counts.injected(FaultKind::DependencyViolation), 3);
    assert_eq!(counts.forwarded("DeleteVpc"), 0);

    // A zero window lets the first delete through.
    s.proxy
        .set_faults(Faults::none(1).with_dependency_violation(Window::fixed(Duration::ZERO)));
    let other = s.direct.create_vpc("10.10.0.0/16", "dep2").unwrap();
    s.through.delete_vpc(&other).unwrap();
    assert_eq!(s.direct.vpcs_tagged("dep2").unwrap(), Vec::<String>::new());
}
