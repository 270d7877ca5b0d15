use std::collections::BTreeMap;

use proptest::prelude::*;

use super::*;
use crate::mesh::fixtures::{
    desired_of, desired_with, generated_mesh, net, seed_mesh, MESH_ID, REGION,
};
use crate::mesh::plan::rules_text;

fn peer_routes(d: &Desired) -> usize {
    d.routes
        .values()
        .flat_map(|r| r.values())
        .filter(|via| matches!(via, RouteVia::Peering(_)))
        .count()
}

#[test]
fn the_seed_mesh_has_six_peerings_and_routes_both_ways() {
    let d = desired_of(&seed_mesh());
    let keys: Vec<String> = d.peerings.keys().map(Pair::key).collect();
    assert_eq!(
        keys,
        [
            "development:production",
            "development:shared",
            "development:testing",
            "production:shared",
            "production:testing",
            "shared:testing"
        ]
    );
    // production has two subnets (two tables), the others one: 3 + 3 + 3 + 2 * 3 peer routes.
    assert_eq!(peer_routes(&d), 15);
    let public = &d.routes[&Key::RouteTable("production".into(), "public".into())];
    let dests: Vec<String> = public.keys().map(ToString::to_string).collect();
    assert_eq!(
        dests,
        ["0.0.0.0/0", "10.2.0.0/16", "10.3.0.0/16", "10.4.0.0/16"]
    );
    assert_eq!(
        public[&ipnet::IpNet::V4(net("0.0.0.0/0"))],
        RouteVia::InternetGateway("production".into())
    );
    assert_eq!(
        public[&ipnet::IpNet::V4(net("10.2.0.0/16"))],
        RouteVia::Peering(Pair::new("development", "production"))
    );
    assert_eq!(
        d.internet_gateways.keys().collect::<Vec<_>>(),
        ["production"]
    );
    let p = &d.peerings[&Pair::new("production", "development")];
    assert_eq!(
        (
            p.requester_region.as_str(),
            p.accepter_region.as_str(),
            p.dns_resolution
        ),
        (REGION, REGION, false)
    );
}

#[test]
fn groups_allow_icmp_from_peers_and_ssh_from_the_bastion_subnet() {
    let d = desired_of(&seed_mesh());
    let g = &d.security_groups["production"];
    assert_eq!(g.group_name, "mesh-seed-lab-production");
    let rules = rules_text(&g.rules.iter().cloned().collect::<Vec<_>>());
    assert_eq!(rules, "icmp from 10.2.0.0/16, icmp from 10.3.0.0/16, icmp from 10.4.0.0/16, tcp 22 from 10.1.1.0/24");
    let mut quiet = seed_mesh();
    quiet.allow_icmp = false;
    let d = desired_of(&quiet);
    let rules: Vec<_> = d.security_groups["testing"].rules.iter().cloned().collect();
    assert_eq!(rules_text(&rules), "tcp 22 from 10.1.1.0/24");
}

#[test]
fn every_component_is_tagged_with_mesh_key_and_name() {
    let d = desired_of(&seed_mesh());
    let t = &d.subnets[&("production".to_string(), "public".to_string())].tags;
    let expect: BTreeMap<&str, &str> = BTreeMap::from([
        ("Name", "seed-lab-production-public"),
        ("owner", "platform"),
        ("peering:component", "subnet/production/public"),
        ("peering:mesh", MESH_ID),
        ("team", "net"),
    ]);
    assert_eq!(
        t.iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect::<BTreeMap<_, _>>(),
        expect
    );
    assert_eq!(d.vpcs["shared"].tags["peering:component"], "vpc/shared");
    assert_eq!(
        d.route_tables[&("shared".to_string(), "private".to_string())].tags["peering:component"],
        "rtb/shared/private"
    );
    assert_eq!(
        d.internet_gateways["production"].tags["peering:component"],
        "igw/production"
    );
    assert_eq!(
        d.security_groups["testing"].tags["peering:component"],
        "sg/testing"
    );
    assert_eq!(
        d.peerings[&Pair::new("shared", "testing")].tags["peering:component"],
        "pcx/shared:testing"
    );
    assert_eq!(
        d.peerings[&Pair::new("shared", "testing")].tags["Name"],
        "seed-lab-shared-testing"
    );
}

#[test]
fn a_vpc_without_subnets_gets_its_peer_routes_in_the_main_table() {
    let mut mesh = seed_mesh();
    mesh.vpcs.get_mut("shared").unwrap().subnets.clear();
    let d = desired_of(&mesh);
    let main = &d.routes[&Key::MainRouteTable("shared".into())];
    assert_eq!(main.len(), 3);
    assert!(!d.route_tables.keys().any(|(v, _)| v == "shared"));
}

#[test]
fn adopted_vpcs_are_protected_untagged_and_need_a_cidr() {
    let mut mesh = seed_mesh();
    let shared = mesh.vpcs.get_mut("shared").unwrap();
    shared.vpc_id = Some("vpc-0aaa".into());
    shared.cidr = None;
    let cidrs = BTreeMap::from([("shared".to_string(), net("10.4.0.0/16"))]);
    let d = desired_with(&mesh, &cidrs);
    assert_eq!(d.vpcs["shared"].adopted_id.as_deref(), Some("vpc-0aaa"));
    assert!(d.vpcs["shared"].tags.is_empty());
    assert!(d.protected_vpc_ids.contains("vpc-0aaa"));
    assert_eq!(
        d.routes[&Key::RouteTable("testing".into(), "private".into())]
            [&ipnet::IpNet::V4(net("10.4.0.0/16"))],
        RouteVia::Peering(Pair::new("shared", "testing"))
    );
    assert_eq!(
        d.regions(),
        BTreeMap::from([(REGION.to_string(), vec!["vpc-0aaa".to_string()])])
    );

    let empty = BTreeMap::new();
    let tags = Tags::new();
    let ctx = DesiredContext {
        mesh_id: MESH_ID,
        default_region: REGION,
        adopted_cidrs: &empty,
        default_tags: &tags,
    };
    assert_eq!(
        desired(&mesh, &ctx),
        Err(DesiredError::MissingCidr {
            vpc: "shared".into()
        })
    );
}

#[test]
fn reachability_is_direct_peers_only() {
    let mut mesh = seed_mesh();
    mesh.topology = Topology::HubAndSpoke {
        hub: "shared".into(),
    };
    let r = reachability(&mesh);
    assert_eq!(r["shared"], ["development", "production", "testing"]);
    assert_eq!(r["testing"], ["shared"]);
    mesh.topology = Topology::Explicit {
        connections: vec![("testing".into(), "production".into())],
    };
    let r = reachability(&mesh);
    assert_eq!(r["production"], ["testing"]);
    assert!(
        r["shared"].is_empty(),
        "every VPC is listed, even without peers"
    );
}

proptest! {
    #[test]
    fn full_mesh_counts(n in 2usize..24, subnets in 1usize..4) {
        let d = desired_of(&generated_mesh(n, subnets, Topology::FullMesh));
        prop_assert_eq!(d.peerings.len(), n * (n - 1) / 2);
        // Each peering: one route per table on both sides.
        prop_assert_eq!(peer_routes(&d), 2 * subnets * d.peerings.len());
        for pair in d.peerings.keys() {
            for side in [&pair.a, &pair.b] {
                for s in 0..subnets {
                    let table = &d.routes[&Key::RouteTable(side.clone(), format!("s{s}"))];
                    let peer = &d.vpcs[pair.other(side)].cidr;
                    prop_assert_eq!(table.get(&ipnet::IpNet::V4(*peer)), Some(&RouteVia::Peering(pair.clone())));
                }
            }
        }
        for vpc in d.vpcs.values() {
            let peers = d.vpcs.values().filter(|other| crate::mesh::validate::overlap(vpc.cidr, other.cidr).is_some()).count();
            prop_assert_eq!(peers, 1, "no two VPCs overlap");
        }
    }

    #[test]
    fn hub_and_spoke_counts(n in 2usize..24, hub in 0usize..24) {
        let hub = format!("v{:03}", hub % n);
        let d = desired_of(&generated_mesh(n, 1, Topology::HubAndSpoke { hub: hub.clone() }));
        prop_assert_eq!(d.peerings.len(), n - 1);
        prop_assert!(d.peerings.keys().all(|p| p.a == hub || p.b == hub));
        prop_assert_eq!(peer_routes(&d), 2 * (n - 1));
    }
}
