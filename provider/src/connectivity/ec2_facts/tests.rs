//! The EC2 facts of a mesh converged on the fake by the mesh engine, with one instance
//! per VPC at the reference lab's addresses, broken in one place per case: the snapshot
//! read from EC2 must lead the diagnosis to exactly that component. Cases through the
//! data source probe from `local` with the fake prober; the others feed a host-to-host
//! matrix to the diagnosis (probes from the hosts are not a transport yet).

mod accounts;
mod data_source;
mod ipv6;

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;

use super::read_snapshot;
use crate::connectivity::diagnosis::snapshot::{InstanceState, PeeringStatus, Snapshot};
use crate::connectivity::diagnosis::tests::{full_mesh, matrix, run, with_cause, LAB};
use crate::ec2::types::{IngressRule, Inventory, Protocol};
use crate::ec2::{Ec2, FakeEc2};
use crate::mesh::fixtures::{desired_of, net, seed_mesh, MESH_ID, REGION};
use crate::mesh::testkit::{converge, id_of, read};

/// The seed mesh on a fake, an instance per lab host, and the inventory as converged.
struct Lab {
    fake: Arc<FakeEc2>,
    inventory: Inventory,
    /// host name => instance id
    instances: BTreeMap<String, String>,
}

impl Lab {
    async fn new() -> Lab {
        let fake = Arc::new(FakeEc2::new());
        let desired = desired_of(&seed_mesh());
        converge(&fake, &desired, 3).await;
        let inventory = read(fake.as_ref(), &desired).await;
        let mut instances = BTreeMap::new();
        for (vpc, ip) in LAB {
            let subnet = id_of(&inventory, &format!("subnet/{vpc}/private"));
            let group = id_of(&inventory, &format!("sg/{vpc}"));
            let id = fake.run_instance(&subnet, ip.parse().unwrap(), &[&group]);
            instances.insert(vpc.to_string(), id);
        }
        fake.clear_calls();
        Lab {
            fake,
            inventory,
            instances,
        }
    }

    fn id(&self, key: &str) -> String {
        id_of(&self.inventory, key)
    }

    async fn snapshot(&self) -> Snapshot {
        read_snapshot(self.fake.as_ref(), REGION, &[], MESH_ID, &hosts())
            .await
            .expect("EC2 answers")
            .expect("the mesh is there")
    }
}

/// The lab hosts by name, as `hosts` gives them.
fn hosts() -> BTreeMap<String, IpAddr> {
    LAB.iter()
        .map(|(name, ip)| (name.to_string(), ip.parse().unwrap()))
        .collect()
}

#[tokio::test]
async fn converged_mesh_reads_as_a_complete_snapshot() {
    let lab = Lab::new().await;
    let s = lab.snapshot().await;
    let mut names: Vec<&str> = s.vpcs.iter().map(|v| v.name.as_str()).collect();
    names.sort();
    assert_eq!(names, ["development", "production", "shared", "testing"]);
    assert_eq!(s.peerings.len(), 6);
    assert!(s.peerings.iter().all(|p| p.status == PeeringStatus::Active));
    let id = lab.id("pcx/shared:testing");
    let keyed = s.peerings.iter().find(|p| p.id == id).expect("the peering");
    assert_eq!(keyed.key.as_deref(), Some("pcx/shared:testing"));
    for (name, ip) in LAB {
        let host = s.host(name).expect("every lab host has its instance");
        assert_eq!(host.instance_id, lab.instances[name]);
        assert_eq!(host.private_ip.to_string(), ip);
        assert_eq!(host.security_group_ids, [lab.id(&format!("sg/{name}"))]);
        assert_eq!(host.state, InstanceState::Running);
        let table = s.route_table_of(host).expect("the subnet's own table");
        let key = format!("rtb/{name}/private");
        assert_eq!(table.id, lab.id(&key));
        assert_eq!(table.key.as_deref(), Some(key.as_str()));
    }
    let e = run(&matrix(&[]), &full_mesh(), Some(&s));
    assert!(e.diagnosis.is_empty(), "{:?}", e.diagnosis);
    let calls = lab.fake.count(crate::ec2::Action::DescribeInstances);
    assert_eq!(calls, 1, "one DescribeInstances for the region");
}

#[tokio::test]
async fn peering_deleted_out_of_band_is_named_for_exactly_its_pairs() {
    let lab = Lab::new().await;
    let pcx = lab.id("pcx/shared:testing");
    lab.fake.delete_peering_out_of_band(&pcx);
    let s = lab.snapshot().await;
    let failing = [("testing", "shared"), ("shared", "testing")];
    let results = matrix(&failing);
    let e = run(&results, &full_mesh(), Some(&s));
    assert_eq!(e.diagnosis.len(), 1, "{:?}", e.diagnosis);
    assert!(e.diagnosis[0].contains(&pcx), "{:?}", e.diagnosis);
    assert!(
        e.diagnosis[0].starts_with(
            "peering shared:testing is missing: no peering connection between VPC shared"
        ),
        "{:?}",
        e.diagnosis
    );
    let pairs = failing.map(|(a, b)| (a.to_string(), b.to_string()));
    assert_eq!(with_cause(&results, &e), pairs);
}

#[tokio::test]
async fn revoked_rule_names_the_group() {
    let lab = Lab::new().await;
    let group = lab.id("sg/shared");
    let rule = IngressRule {
        protocol: Protocol::Icmp,
        cidr: ipnet::IpNet::V4(net("10.3.0.0/16")),
    };
    lab.fake.revoke_rule(&group, &rule);
    let s = lab.snapshot().await;
    let results = matrix(&[("testing", "shared")]);
    let e = run(&results, &full_mesh(), Some(&s));
    assert_eq!(
        e.diagnosis,
        [format!("security group {group} (sg/shared) of VPC shared (host shared) has no inbound rule for ICMP echo from 10.3.1.129 (VPC testing, 10.3.0.0/16)")]
    );
    let pairs = [("testing".to_string(), "shared".to_string())];
    assert_eq!(with_cause(&results, &e), pairs);
}

#[tokio::test]
async fn host_at_a_secondary_address_is_its_instance() {
    let lab = Lab::new().await;
    let vpc = lab.id("vpc/shared");
    let mut instances = lab.fake.instances(REGION, &[vpc]).await.unwrap();
    let secondary: Ipv4Addr = "10.4.1.99".parse().unwrap();
    instances[0].private_ips.push(secondary);
    let mut hosts = hosts();
    hosts.insert("shared".into(), IpAddr::V4(secondary));
    let s = super::build::snapshot(&lab.inventory, &instances, MESH_ID, &hosts);
    let host = s.host("shared").expect("matched by its secondary address");
    assert_eq!(host.instance_id, lab.instances["shared"]);
    assert_eq!(host.private_ip, secondary);
}

#[tokio::test]
async fn host_without_an_instance_has_no_facts() {
    let lab = Lab::new().await;
    let mut hosts = hosts();
    hosts.insert("outsider".into(), "10.9.0.1".parse().unwrap());
    hosts.insert("v6".into(), "fd00::1".parse().unwrap());
    let s = read_snapshot(lab.fake.as_ref(), REGION, &[], MESH_ID, &hosts)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(s.hosts.len(), LAB.len());
    assert!(s.host("outsider").is_none() && s.host("v6").is_none());
}

#[tokio::test]
async fn unknown_mesh_reads_as_none_after_the_inventory_only() {
    let lab = Lab::new().await;
    let none = read_snapshot(lab.fake.as_ref(), REGION, &[], "mesh-unknown", &hosts()).await;
    assert!(matches!(none, Ok(None)), "{none:?}");
    assert_eq!(lab.fake.count(crate::ec2::Action::DescribeInstances), 0);
}

#[tokio::test]
async fn groups_given_per_interface_and_a_second_interface_belong_to_the_instance() {
    let lab = Lab::new().await;
    let subnet = lab.id("subnet/shared/private");
    let group = lab.id("sg/shared");
    let primary: Ipv4Addr = "10.4.1.50".parse().unwrap();
    let second: Ipv4Addr = "10.4.1.51".parse().unwrap();
    let id = lab
        .fake
        .run_instance_per_interface(&subnet, primary, &[&group]);
    lab.fake.attach_interface(&id, &[second], &[&group]);
    let hosts = BTreeMap::from([
        ("first".to_string(), IpAddr::V4(primary)),
        ("second".to_string(), IpAddr::V4(second)),
    ]);
    let s = read_snapshot(lab.fake.as_ref(), REGION, &[], MESH_ID, &hosts)
        .await
        .unwrap()
        .unwrap();
    for (name, ip) in [("first", primary), ("second", second)] {
        let host = s.host(name).expect("matched by any interface's address");
        assert_eq!(host.instance_id, id);
        assert_eq!(host.private_ip, ip);
        assert_eq!(
            host.security_group_ids,
            std::slice::from_ref(&group),
            "the interfaces' groups, each once, although the instance-level list is empty"
        );
    }
}
