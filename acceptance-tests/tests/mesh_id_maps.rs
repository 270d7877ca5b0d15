//! The top-level id maps of `peering_mesh` (`vpc_ids`, `security_group_ids`,
//! `internet_gateway_ids`, `subnet_ids`, `route_table_ids`) hold every id right after
//! the FIRST apply on every Terraform version, 1.0.3 included (where the ids nested in
//! `vpcs` wait for the next refresh), checked against EC2; the next plan is empty.

use std::collections::{BTreeMap, BTreeSet};

use acceptance_tests::ec2check::{Ec2Snapshot, Tagged, TAG_MESH};
use acceptance_tests::mesh_fixture::{
    assert_plan_empty, expect_applied, parse_outputs, use_dummy_credentials, MeshSpec,
    ScenarioTimer, REGION,
};
use acceptance_tests::{for_each_terraform, Ec2Check, MotoServer, Workspace};
use serde::Deserialize;

/// Only the maps (and the id): an output of `vpcs` would change at the next refresh
/// on Terraform 1.0.3 and make the second plan non-empty for that reason alone.
const OUTPUTS: &str = r#"
output "id" {
  value = peering_mesh.lab.id
}
output "vpc_ids" {
  value = peering_mesh.lab.vpc_ids
}
output "security_group_ids" {
  value = peering_mesh.lab.security_group_ids
}
output "internet_gateway_ids" {
  value = peering_mesh.lab.internet_gateway_ids
}
output "subnet_ids" {
  value = peering_mesh.lab.subnet_ids
}
output "route_table_ids" {
  value = peering_mesh.lab.route_table_ids
}
"#;

type Ids = BTreeMap<String, String>;

#[derive(Debug, Deserialize)]
struct IdMaps {
    id: String,
    vpc_ids: Ids,
    security_group_ids: Ids,
    internet_gateway_ids: Ids,
    subnet_ids: Ids,
    route_table_ids: Ids,
}

#[test]
fn id_maps_are_filled_by_the_first_apply() {
    let test = "id_maps_are_filled_by_the_first_apply";
    for_each_terraform(test, |tf| {
        let Some(moto) = MotoServer::require(test) else {
            return;
        };
        let timer = ScenarioTimer::start(test, tf);
        let spec = MeshSpec::seed();
        let mut ws = Workspace::new(test, tf);
        use_dummy_credentials(&mut ws);
        ws.write_main(&format!(
            "{}\n{}\n{OUTPUTS}",
            spec.render_provider(&moto.endpoint()),
            spec.render_resource()
        ));
        ws.init().expect_success();
        // One apply, no refresh after it: the maps must come from the apply itself.
        timer.step("apply", || expect_applied(&ws.apply()));
        let maps: IdMaps = parse_outputs(ws.output_json().expect_success());
        let ec2 = Ec2Check::new(&moto.endpoint(), REGION).snapshot();
        assert_maps_match(&ec2, &spec, &maps);
        timer.step("second plan", || assert_plan_empty(&ws.plan_detailed()));
    });
}

/// Every entry names the object of the mesh EC2 holds for that key, and nothing is
/// missing: the keys follow the configuration.
fn assert_maps_match(ec2: &Ec2Snapshot, spec: &MeshSpec, maps: &IdMaps) {
    let names: BTreeSet<&str> = spec.vpcs.iter().map(|v| v.name.as_str()).collect();
    let subnets: BTreeSet<String> = spec
        .vpcs
        .iter()
        .flat_map(|v| v.subnets.iter().map(|s| format!("{}/{}", v.name, s.name)))
        .collect();
    let public: BTreeSet<&str> = spec
        .vpcs
        .iter()
        .filter(|v| v.has_public_subnet())
        .map(|v| v.name.as_str())
        .collect();
    let keys = |m: &Ids| m.keys().cloned().collect::<BTreeSet<String>>();
    let names_owned: BTreeSet<String> = names.iter().map(|n| n.to_string()).collect();
    assert_eq!(keys(&maps.vpc_ids), names_owned, "vpc_ids keys");
    assert_eq!(
        keys(&maps.security_group_ids),
        names_owned,
        "security_group_ids keys"
    );
    assert_eq!(
        keys(&maps.internet_gateway_ids),
        public.iter().map(|n| n.to_string()).collect(),
        "internet_gateway_ids: the VPCs with a public subnet"
    );
    assert_eq!(keys(&maps.subnet_ids), subnets, "subnet_ids keys");
    assert_eq!(keys(&maps.route_table_ids), subnets, "route_table_ids keys");

    let ours = |object: &dyn Tagged, component: String| {
        assert_eq!(
            object.tags().get(TAG_MESH),
            Some(&maps.id),
            "{component}: tagged with the mesh id"
        );
        assert_eq!(
            object.component(),
            Some(component.as_str()),
            "{}",
            object.id()
        );
    };
    for (name, vpc_id) in &maps.vpc_ids {
        let vpc = ec2.vpc(vpc_id).unwrap_or_else(|| panic!("VPC {vpc_id}"));
        ours(vpc, format!("vpc/{name}"));
        assert_eq!(vpc.cidr_block, spec.vpc(name).cidr);
        let group_id = &maps.security_group_ids[name];
        let group = ec2
            .security_group(group_id)
            .unwrap_or_else(|| panic!("security group {group_id}"));
        ours(group, format!("sg/{name}"));
        assert_eq!(&group.vpc_id, vpc_id, "{name}'s security group");
    }
    for (name, igw_id) in &maps.internet_gateway_ids {
        let igw = ec2
            .internet_gateway(igw_id)
            .unwrap_or_else(|| panic!("internet gateway {igw_id}"));
        ours(igw, format!("igw/{name}"));
        assert!(
            igw.attachments
                .iter()
                .any(|(vpc, _)| vpc == &maps.vpc_ids[name]),
            "{igw_id} attached to {name}: {igw:?}"
        );
    }
    for (key, subnet_id) in &maps.subnet_ids {
        let (vpc_name, subnet_name) = key.split_once('/').expect("vpc/subnet");
        let subnet = ec2
            .subnet(subnet_id)
            .unwrap_or_else(|| panic!("subnet {subnet_id}"));
        ours(subnet, format!("subnet/{key}"));
        assert_eq!(subnet.vpc_id, maps.vpc_ids[vpc_name], "{key}");
        let cidr = spec
            .vpc(vpc_name)
            .subnets
            .iter()
            .find(|s| s.name == subnet_name)
            .map(|s| s.cidr.clone());
        assert_eq!(Some(subnet.cidr_block.clone()), cidr, "{key}");
        let table_id = &maps.route_table_ids[key];
        let table = ec2
            .route_table(table_id)
            .unwrap_or_else(|| panic!("route table {table_id}"));
        ours(table, format!("rtb/{key}"));
        assert!(
            table.subnet_ids.contains(subnet_id),
            "{table_id} is associated with {key}'s subnet: {table:?}"
        );
    }
}
