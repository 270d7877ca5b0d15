//! The mapping from AWS semantics to Linux configuration, without root:
//! plans are text, so what each router, host and the runner would be told is
//! checked line by line.

use std::collections::{BTreeMap, BTreeSet};

use crate::build::{icmp_from, tcp_from};
use crate::names::{self, Names};
use crate::plan::{plan, Layout};
use crate::spec::{InstanceState, LabSpec, RouteTarget};

fn names() -> Names {
    Names {
        lab: "ptl1x0".into(),
    }
}

/// Hub A with spokes B and C; each spoke also routes the other spoke's CIDR
/// into its peering with the hub.
fn hub_and_spoke() -> LabSpec {
    let mut spec = LabSpec::default();
    spec.add_vpc("vpc-a", "10.1.0.0/16")
        .add_vpc("vpc-b", "10.2.0.0/16")
        .add_vpc("vpc-c", "10.3.0.0/16");
    for (vpc, n) in [("vpc-a", 1), ("vpc-b", 2), ("vpc-c", 3)] {
        let subnet = format!("subnet-{n}");
        spec.add_subnet(&subnet, vpc, &format!("10.{n}.1.0/24"));
        spec.add_instance(&format!("h{n}"), &subnet, &format!("10.{n}.1.10"), &["sg"]);
    }
    spec.add_group("sg", vec![icmp_from("10.0.0.0/8")]);
    spec.peer("pcx-ab", "vpc-a", "vpc-b")
        .peer("pcx-ac", "vpc-a", "vpc-c");
    spec.add_route(
        "vpc-b-main",
        "10.3.0.0/16",
        RouteTarget::Peering("pcx-ab".into()),
    );
    spec
}

fn router_lines(layout: &Layout, vpc: &str) -> Vec<String> {
    layout.configs[&names().router(vpc)].ip.clone()
}

fn has(lines: &[String], wanted: &str) -> bool {
    lines.iter().any(|l| l == wanted)
}

#[test]
fn what_enters_from_a_peering_is_delivered_only_to_the_vpcs_own_subnets() {
    let layout = plan(&hub_and_spoke(), &names()).unwrap();
    let hub = router_lines(&layout, "vpc-a");
    for link in ["pab", "pac"] {
        assert!(
            hub.iter()
                .any(|l| l.ends_with(&format!("iif {link} lookup 100"))),
            "{hub:#?}"
        );
    }
    let outside: Vec<&String> = hub
        .iter()
        .filter(|l| l.starts_with("route add") && l.ends_with("table 100"))
        .collect();
    assert_eq!(
        outside,
        [
            "route add 10.1.1.0/24 dev s1 table 100",
            "route add blackhole default metric 4294967295 table 100"
        ],
    );
    // The spoke's route into the hub exists; the hub just will not pass it on.
    let spoke = router_lines(&layout, "vpc-b");
    let hub_ip = hub_and_spoke().router_ip("vpc-a");
    assert!(
        has(
            &spoke,
            &format!("route add 10.3.0.0/16 via {hub_ip} dev pab onlink table 101")
        ),
        "{spoke:#?}"
    );
}

#[test]
fn a_route_into_a_peering_that_is_not_active_is_a_blackhole_without_a_link() {
    for status in ["pending-acceptance", "rejected", "deleted"] {
        let mut spec = hub_and_spoke();
        spec.set_peering_status("pcx-ac", status);
        let layout = plan(&spec, &names()).unwrap();
        assert!(
            has(
                &router_lines(&layout, "vpc-a"),
                "route add blackhole 10.3.0.0/16 table 101"
            ),
            "{status}"
        );
        assert!(
            has(
                &router_lines(&layout, "vpc-c"),
                "route add blackhole 10.1.0.0/16 table 101"
            ),
            "{status}"
        );
        let peering_links: BTreeSet<&str> = layout
            .veths
            .keys()
            .map(|(_, name)| name.as_str())
            .filter(|n| n.starts_with('p'))
            .collect();
        assert_eq!(peering_links, BTreeSet::from(["pab"]), "{status}");
    }
}

#[test]
fn router_addresses_differ_for_every_vpc() {
    let spec = hub_and_spoke();
    let ips: BTreeSet<_> = spec.vpcs.iter().map(|v| spec.router_ip(&v.id)).collect();
    assert_eq!(ips.len(), 3);
    assert!(!ips.contains(&names::RUNNER_IP));
}

fn with_bastion() -> LabSpec {
    let mut spec = hub_and_spoke();
    spec.add_subnet("subnet-pub", "vpc-a", "10.1.9.0/24")
        .add_route_table("rtb-pub", "subnet-pub")
        .add_gateway("igw-a", "vpc-a")
        .add_route(
            "rtb-pub",
            "0.0.0.0/0",
            RouteTarget::InternetGateway("igw-a".into()),
        )
        .add_group("sg-ssh", vec![tcp_from(22, "0.0.0.0/0")])
        .add_instance("bastion", "subnet-pub", "10.1.9.9", &["sg-ssh"])
        .set_public_ip("bastion", "203.0.113.9".parse().unwrap())
        .set_public_ip("h1", "203.0.113.1".parse().unwrap());
    spec
}

#[test]
fn the_gateway_maps_only_instances_whose_subnet_routes_to_it() {
    let spec = with_bastion();
    let layout = plan(&spec, &names()).unwrap();
    let nat = &layout.configs[&names().router("vpc-a")].nft;
    assert!(
        nat.contains("ip daddr 203.0.113.9 dnat to 10.1.9.9"),
        "{nat}"
    );
    assert!(
        !nat.contains("203.0.113.1 "),
        "h1's subnet has no route to the gateway:\n{nat}"
    );
    let runner = &layout.configs[&names().runner()].ip;
    let routes: Vec<&String> = runner
        .iter()
        .filter(|l| l.starts_with("route add"))
        .collect();
    let router = spec.router_ip("vpc-a");
    assert_eq!(
        routes,
        [&format!(
            "route add 203.0.113.9/32 via {router} dev ga onlink"
        )]
    );
    let public: BTreeMap<&str, _> = layout
        .hosts
        .iter()
        .map(|h| (h.name.as_str(), h.public_ip))
        .collect();
    assert_eq!(public["bastion"], Some("203.0.113.9".parse().unwrap()));
    assert_eq!(public["h1"], None);
}

#[test]
fn a_stopped_instance_has_its_link_down_and_no_default_route() {
    let mut spec = hub_and_spoke();
    spec.set_state("h2", InstanceState::Stopped);
    let layout = plan(&spec, &names()).unwrap();
    let host = &layout.configs[&names().host("i-h2")];
    assert_eq!(
        host.ip,
        ["addr replace 10.2.1.10/24 dev eth0", "link set eth0 down"]
    );
    assert!(
        host.nft.contains("policy drop;")
            && host.nft.contains("ct state established,related accept")
    );
}

#[test]
fn validation_names_what_is_wrong() {
    let mut spec = hub_and_spoke();
    spec.add_instance("router-ip", "subnet-1", "10.1.1.1", &["sg"]);
    spec.add_instance("elsewhere", "subnet-1", "10.2.1.50", &["sg-missing"]);
    let err = plan(&spec, &names()).unwrap_err();
    assert!(
        err.contains("instance i-router-ip: 10.1.1.1 is not a usable address"),
        "{err}"
    );
    assert!(
        err.contains("instance i-elsewhere: 10.2.1.50 is not a usable address"),
        "{err}"
    );
    assert!(
        err.contains("instance i-elsewhere: no security group sg-missing"),
        "{err}"
    );
}

#[test]
fn spec_survives_json_for_the_cli_state() {
    let spec = with_bastion();
    let text = serde_json::to_string(&spec).unwrap();
    assert_eq!(serde_json::from_str::<LabSpec>(&text).unwrap(), spec);
}

#[test]
fn retain_vpcs_keeps_one_worlds_objects_and_peerings_inside_it() {
    let mut spec = hub_and_spoke();
    let all = spec.clone();
    let hub = all.vpcs[0].id.clone();
    let spoke = all.vpcs[1].id.clone();
    spec.retain_vpcs(|id| id == hub || id == spoke);
    spec.validate().unwrap();
    assert_eq!(spec.vpcs.len(), 2);
    assert!(spec
        .subnets
        .iter()
        .all(|s| s.vpc_id == hub || s.vpc_id == spoke));
    assert!(spec
        .peerings
        .iter()
        .all(|p| p.other_side(&hub) == Some(spoke.as_str())
            || p.other_side(&spoke) == Some(hub.as_str())));
    assert!(spec.instances.len() < all.instances.len());
    assert!(!spec.security_groups.is_empty());
}
