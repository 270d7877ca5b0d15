//! Whole-mesh checks through the EC2 API: what EC2 holds must be exactly what
//! a [`MeshSpec`] asks for, and agree with what Terraform saved (the outputs).

use std::collections::{BTreeMap, BTreeSet};

use crate::ec2check::{Ec2Snapshot, IngressRule, Peering, Tagged, TAG_MESH};
use crate::mesh_fixture::{pair_key, MeshOutputs, MeshSpec, VpcSpec};

/// An ingress rule as a sentence, so sets of rules compare and print well.
/// ICMP is compared by source only: any ICMP type range admits ping.
pub fn describe_rule(rule: &IngressRule) -> String {
    let port = |p: Option<i32>| p.map_or("none".to_string(), |p| p.to_string());
    match rule.protocol.as_str() {
        "icmp" | "1" => format!("icmp from {}", rule.cidr),
        "tcp" | "6" => format!(
            "tcp {}-{} from {}",
            port(rule.from_port),
            port(rule.to_port),
            rule.cidr
        ),
        other => format!(
            "{other} {}-{} from {}",
            port(rule.from_port),
            port(rule.to_port),
            rule.cidr
        ),
    }
}

/// The rules the mesh's group in `vpc` must hold: ICMP from each peer's
/// block, TCP 22 from each SSH source.
pub fn expected_rules(spec: &MeshSpec, vpc: &str) -> BTreeSet<String> {
    let mut rules: BTreeSet<String> = spec.reachability()[vpc]
        .iter()
        .map(|peer| format!("icmp from {}", spec.vpc(peer).cidr))
        .collect();
    rules.extend(
        spec.ssh_ingress_cidrs
            .iter()
            .map(|c| format!("tcp 22-22 from {c}")),
    );
    rules
}

/// Asserts that EC2 holds exactly the mesh `spec` describes, with the ids and
/// values Terraform saved in `outputs`, and nothing duplicated or untracked.
#[track_caller]
pub fn assert_mesh_matches(ec2: &Ec2Snapshot, spec: &MeshSpec, outputs: &MeshOutputs) {
    let mesh_id = &outputs.id;
    assert!(
        mesh_id.starts_with("mesh-"),
        "mesh id looks like mesh-HEX: {mesh_id}"
    );
    assert_vpcs(ec2, spec, outputs);
    let peerings = assert_peerings(ec2, spec, outputs);
    assert_reachability(spec, outputs);
    for vpc in &spec.vpcs {
        assert_vpc_routing(ec2, spec, outputs, vpc, &peerings);
        assert_security_group(ec2, spec, outputs, &vpc.name);
    }
    assert_no_duplicates_or_strays(ec2, outputs);
}

fn assert_vpcs(ec2: &Ec2Snapshot, spec: &MeshSpec, outputs: &MeshOutputs) {
    let mesh_vpcs: BTreeMap<String, String> = ec2
        .mesh_vpcs()
        .iter()
        .map(|v| (v.component().unwrap_or("?").to_string(), v.id.clone()))
        .collect();
    let expected: BTreeSet<String> = spec
        .vpcs
        .iter()
        .map(|v| format!("vpc/{}", v.name))
        .collect();
    assert_eq!(
        mesh_vpcs.keys().cloned().collect::<BTreeSet<_>>(),
        expected,
        "VPCs tagged {TAG_MESH} in EC2: {:#?}",
        ec2.mesh_vpcs()
    );
    assert_eq!(
        outputs.vpcs.keys().collect::<Vec<_>>(),
        spec.vpcs
            .iter()
            .map(|v| &v.name)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect::<Vec<_>>(),
        "VPC names in the state"
    );
    for vpc in &spec.vpcs {
        let saved = &outputs.vpcs[&vpc.name];
        let found = ec2
            .vpc(&saved.vpc_id)
            .unwrap_or_else(|| panic!("VPC {} ({}) not in EC2", vpc.name, saved.vpc_id));
        assert_eq!(found.cidr_block, vpc.cidr, "CIDR of VPC {}", vpc.name);
        assert_eq!(
            found.tags.get(TAG_MESH),
            Some(&outputs.id),
            "VPC {} carries the mesh id",
            vpc.name
        );
        assert_eq!(
            mesh_vpcs[&format!("vpc/{}", vpc.name)],
            saved.vpc_id,
            "the VPC tagged vpc/{} is the one in the state",
            vpc.name
        );
    }
}

/// Checks the live peerings; returns pair key -> peering id.
fn assert_peerings(
    ec2: &Ec2Snapshot,
    spec: &MeshSpec,
    outputs: &MeshOutputs,
) -> BTreeMap<String, String> {
    let live: Vec<&Peering> = ec2.live_mesh_peerings();
    let components: Vec<&str> = live.iter().filter_map(|p| p.component()).collect();
    let expected_keys = spec.pair_keys();
    let expected_components: BTreeSet<String> =
        expected_keys.iter().map(|k| format!("pcx/{k}")).collect();
    assert_eq!(
        components
            .iter()
            .map(|c| c.to_string())
            .collect::<BTreeSet<_>>(),
        expected_components,
        "live peerings in EC2: {live:#?}"
    );
    assert_eq!(
        live.len(),
        expected_keys.len(),
        "one live peering per pair: {live:#?}"
    );
    assert_eq!(
        outputs.peering_count,
        expected_keys.len() as f64,
        "peering_count"
    );
    assert_eq!(
        outputs.peerings.keys().cloned().collect::<BTreeSet<_>>(),
        expected_keys,
        "peerings in the state"
    );
    let mut ids = BTreeMap::new();
    for (key, saved) in &outputs.peerings {
        let found = ec2
            .peering(&saved.id)
            .unwrap_or_else(|| panic!("peering {key} ({}) not in EC2", saved.id));
        assert_eq!(
            found.status, "active",
            "EC2 status of peering {key}: {found:#?}"
        );
        assert_eq!(saved.status, "active", "saved status of peering {key}");
        assert_eq!(found.component(), Some(format!("pcx/{key}").as_str()));
        assert_eq!(found.tags.get(TAG_MESH), Some(&outputs.id));
        assert_eq!(
            pair_key(&saved.requester, &saved.accepter),
            *key,
            "requester and accepter of {key}"
        );
        assert_eq!(
            found.requester_vpc_id, outputs.vpcs[&saved.requester].vpc_id,
            "EC2 requester of {key} is {}",
            saved.requester
        );
        assert_eq!(
            found.accepter_vpc_id, outputs.vpcs[&saved.accepter].vpc_id,
            "EC2 accepter of {key} is {}",
            saved.accepter
        );
        ids.insert(key.clone(), saved.id.clone());
    }
    ids
}

fn assert_reachability(spec: &MeshSpec, outputs: &MeshOutputs) {
    let saved: BTreeMap<String, BTreeSet<String>> = outputs
        .reachability
        .iter()
        .map(|(vpc, peers)| {
            let set: BTreeSet<String> = peers.iter().cloned().collect();
            assert_eq!(
                set.len(),
                peers.len(),
                "no duplicates in reachability[{vpc}]"
            );
            (vpc.clone(), set)
        })
        .collect();
    assert_eq!(saved, spec.reachability(), "reachability");
}

fn assert_vpc_routing(
    ec2: &Ec2Snapshot,
    spec: &MeshSpec,
    outputs: &MeshOutputs,
    vpc: &VpcSpec,
    peerings: &BTreeMap<String, String>,
) {
    let saved = &outputs.vpcs[&vpc.name];
    let expected_peer_routes: BTreeMap<String, String> = spec.reachability()[&vpc.name]
        .iter()
        .map(|peer| {
            (
                spec.vpc(peer).cidr.clone(),
                peerings[&pair_key(&vpc.name, peer)].clone(),
            )
        })
        .collect();
    let igw = assert_internet_gateway(ec2, outputs, vpc);
    assert_eq!(
        saved.subnets.keys().collect::<BTreeSet<_>>(),
        vpc.subnets.iter().map(|s| &s.name).collect::<BTreeSet<_>>(),
        "subnets of {} in the state",
        vpc.name
    );
    for subnet in &vpc.subnets {
        let where_ = format!("subnet {}/{}", vpc.name, subnet.name);
        let saved_subnet = &saved.subnets[&subnet.name];
        let found = ec2
            .subnet(&saved_subnet.id)
            .unwrap_or_else(|| panic!("{where_} ({}) not in EC2", saved_subnet.id));
        assert_eq!(found.cidr_block, subnet.cidr, "{where_}");
        assert_eq!(found.vpc_id, saved.vpc_id, "{where_} is in its VPC");
        assert_eq!(
            found.component(),
            Some(format!("subnet/{}/{}", vpc.name, subnet.name).as_str())
        );
        let table = ec2
            .route_table(&saved_subnet.route_table_id)
            .unwrap_or_else(|| panic!("route table of {where_} not in EC2"));
        assert_eq!(table.vpc_id, saved.vpc_id, "route table of {where_}");
        assert!(
            table.subnet_ids.contains(&saved_subnet.id),
            "route table {} is associated with {where_}: {table:#?}",
            table.id
        );
        assert_eq!(
            table.peering_routes(),
            expected_peer_routes,
            "peer routes of {where_} (destination -> peering): {table:#?}"
        );
        let default_route = table.route_to("0.0.0.0/0");
        if subnet.public {
            let igw = igw.as_deref().expect("a public subnet's VPC has a gateway");
            assert_eq!(
                default_route.and_then(|r| r.gateway_id.as_deref()),
                Some(igw),
                "0.0.0.0/0 of public {where_} goes to the VPC's gateway: {table:#?}"
            );
        } else {
            assert!(
                default_route.is_none(),
                "private {where_} has no default route: {table:#?}"
            );
        }
    }
}

/// Checks the VPC's gateway (present iff it has a public subnet); returns its id.
fn assert_internet_gateway(
    ec2: &Ec2Snapshot,
    outputs: &MeshOutputs,
    vpc: &VpcSpec,
) -> Option<String> {
    let saved = &outputs.vpcs[&vpc.name];
    let component = format!("igw/{}", vpc.name);
    let tagged: Vec<_> = ec2
        .internet_gateways
        .iter()
        .filter(|g| g.tags.get(TAG_MESH) == Some(&outputs.id) && g.component() == Some(&component))
        .collect();
    if !vpc.has_public_subnet() {
        assert_eq!(
            saved.internet_gateway_id, None,
            "{} has no gateway",
            vpc.name
        );
        assert!(tagged.is_empty(), "no {component} in EC2: {tagged:#?}");
        return None;
    }
    let id = saved
        .internet_gateway_id
        .clone()
        .unwrap_or_else(|| panic!("{} has a gateway in the state", vpc.name));
    let gateway = ec2
        .internet_gateway(&id)
        .unwrap_or_else(|| panic!("gateway {id} of {} not in EC2", vpc.name));
    assert_eq!(gateway.component(), Some(component.as_str()));
    assert!(
        gateway
            .attachments
            .iter()
            .any(|(vpc_id, state)| *vpc_id == saved.vpc_id
                && matches!(state.as_str(), "available" | "attached")),
        "gateway {id} is attached to {}: {gateway:#?}",
        vpc.name
    );
    Some(id)
}

fn assert_security_group(ec2: &Ec2Snapshot, spec: &MeshSpec, outputs: &MeshOutputs, vpc: &str) {
    let saved = &outputs.vpcs[vpc];
    let group = ec2
        .security_group(&saved.security_group_id)
        .unwrap_or_else(|| panic!("security group of {vpc} not in EC2"));
    assert_eq!(group.vpc_id, saved.vpc_id, "security group of {vpc}");
    assert_eq!(group.component(), Some(format!("sg/{vpc}").as_str()));
    let actual: BTreeSet<String> = group.ingress.iter().map(describe_rule).collect();
    assert_eq!(
        actual,
        expected_rules(spec, vpc),
        "ingress of the security group of {vpc}"
    );
}

/// No two live objects of one kind share a component key, every object of
/// the mesh is one the state knows, and no object belongs to another mesh.
#[track_caller]
pub fn assert_no_duplicates_or_strays(ec2: &Ec2Snapshot, outputs: &MeshOutputs) {
    let duplicates = ec2.duplicate_components();
    assert!(
        duplicates.is_empty(),
        "duplicate components: {duplicates:#?}"
    );
    let tracked = outputs.tracked_ids();
    let objects = ec2.mesh_objects();
    let foreign: Vec<_> = objects.iter().filter(|o| o.mesh != outputs.id).collect();
    assert!(
        foreign.is_empty(),
        "objects of another mesh id: {foreign:#?}"
    );
    let untracked: Vec<_> = objects
        .iter()
        .filter(|o| !tracked.contains(&o.id))
        .collect();
    assert!(
        untracked.is_empty(),
        "tagged objects the state does not know: {untracked:#?}"
    );
}

/// Asserts that nothing carrying a `peering:mesh` tag is left (peerings only
/// count while live: EC2 shows deleted ones for a while).
#[track_caller]
pub fn assert_nothing_left(ec2: &Ec2Snapshot) {
    let left = ec2.mesh_objects();
    assert!(left.is_empty(), "objects tagged {TAG_MESH} left: {left:#?}");
}
