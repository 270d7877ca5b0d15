//! IPv6 in the plan, without root: a dual-stack pair's routers, hosts, the
//! runner and the firewall as text.

use crate::build::{icmp_from, icmpv6_from};
use crate::firewall;
use crate::names::Names;
use crate::plan::{plan, Layout};
use crate::spec::{LabSpec, RouteTarget};

const A6: &str = "2600:1f18:a:100::/56";
const B6: &str = "2600:1f18:b:200::/56";

fn names() -> Names {
    Names {
        lab: "ptl1x0".into(),
    }
}

/// A and B dual-stack and peered; A's subnet is public over IPv6.
fn dual_stack() -> LabSpec {
    let mut spec = LabSpec::default();
    spec.add_vpc("vpc-a", "10.1.0.0/16")
        .add_vpc("vpc-b", "10.2.0.0/16")
        .set_vpc_ipv6("vpc-a", A6)
        .set_vpc_ipv6("vpc-b", B6)
        .add_subnet("subnet-a", "vpc-a", "10.1.1.0/24")
        .set_subnet_ipv6("subnet-a", "2600:1f18:a:100::/64")
        .add_subnet("subnet-b", "vpc-b", "10.2.1.0/24")
        .set_subnet_ipv6("subnet-b", "2600:1f18:b:200::/64")
        .add_group("sg", vec![icmp_from("10.0.0.0/8"), icmpv6_from(A6)])
        .add_instance("a", "subnet-a", "10.1.1.10", &["sg"])
        .add_instance_ipv6("a", "2600:1f18:a:100::10")
        .add_instance("b", "subnet-b", "10.2.1.10", &["sg"])
        .add_instance_ipv6("b", "2600:1f18:b:200::10")
        .peer("pcx-ab", "vpc-a", "vpc-b")
        .add_gateway("igw-a", "vpc-a")
        .add_route(
            "vpc-a-main",
            "::/0",
            RouteTarget::InternetGateway("igw-a".into()),
        );
    spec
}

fn ip6(layout: &Layout, ns: &str) -> Vec<String> {
    layout.configs[ns].ip6.clone()
}

fn has(lines: &[String], wanted: &str) -> bool {
    lines.iter().any(|l| l == wanted)
}

#[test]
fn ipv6_routes_cross_a_peering_by_link_local_next_hops_and_enter_the_outside_table() {
    let spec = dual_stack();
    let layout = plan(&spec, &names()).unwrap();
    let a = ip6(&layout, &names().router("vpc-a"));
    let b_router = spec.router_ip6("vpc-b");
    for wanted in [
        format!("route add {B6} via {b_router} dev pab table 101"),
        "route add 2600:1f18:a:100::/64 dev sa table 101".to_string(),
        "route add 2600:1f18:a:100::/64 dev sa table 100".to_string(),
        "rule add pref 5000 iif pab lookup 100".to_string(),
        "rule add pref 1000 iif sa lookup 101".to_string(),
        "route add ::/0 via fe80::2 dev igw0 table 101".to_string(),
        "addr replace 2600:1f18:a:100::1/64 dev sa nodad".to_string(),
        format!("addr replace {}/64 dev pab nodad", spec.router_ip6("vpc-a")),
    ] {
        assert!(has(&a, &wanted), "{wanted}\n{a:#?}");
    }
    assert!(
        !router_ipv4_lines_mention_ipv6(&layout),
        "IPv6 stays in the -6 batch"
    );
}

fn router_ipv4_lines_mention_ipv6(layout: &Layout) -> bool {
    layout.routers.iter().any(|r| {
        layout.configs[&r.namespace]
            .ip
            .iter()
            .any(|l| l.contains("2600:"))
    })
}

/// The router solicits hosts for forwarded packets only from a link-local
/// address of the bridge, and a snooping bridge would drop the solicitations.
#[test]
fn subnet_bridges_can_solicit_hosts_for_forwarded_packets() {
    let spec = dual_stack();
    let layout = plan(&spec, &names()).unwrap();
    let router = &layout.configs[&names().router("vpc-a")];
    let link_local = format!("addr replace {}/64 dev sa nodad", spec.router_ip6("vpc-a"));
    assert!(has(&router.ip6, &link_local), "{:#?}", router.ip6);
    let no_snooping = "link set sa type bridge mcast_snooping 0";
    assert!(has(&router.ip, no_snooping), "{:#?}", router.ip);
}

#[test]
fn an_ipv6_route_whose_peering_is_gone_or_unknown_is_a_blackhole() {
    let mut spec = dual_stack();
    spec.set_peering_status("pcx-ab", "deleted");
    spec.add_route(
        "vpc-b-main",
        "2600:1f18:c::/56",
        RouteTarget::Peering("pcx-nowhere".into()),
    );
    let layout = plan(&spec, &names()).unwrap();
    let a = ip6(&layout, &names().router("vpc-a"));
    assert!(
        has(&a, &format!("route add blackhole {B6} table 101")),
        "{a:#?}"
    );
    let b = ip6(&layout, &names().router("vpc-b"));
    assert!(
        has(&b, &format!("route add blackhole {A6} table 101")),
        "{b:#?}"
    );
    assert!(
        has(&b, "route add blackhole 2600:1f18:c::/56 table 101"),
        "{b:#?}"
    );
}

#[test]
fn hosts_get_their_ipv6_at_once_and_a_default_route_via_the_subnet_router() {
    let layout = plan(&dual_stack(), &names()).unwrap();
    let host = &layout.configs[&names().host("i-a")];
    assert_eq!(
        host.ip6,
        [
            "addr replace 2600:1f18:a:100::10/64 dev eth0 nodad",
            "route replace default via 2600:1f18:a:100::1 dev eth0"
        ]
    );
    let sysctls = &layout.namespaces[&names().host("i-a")];
    assert!(sysctls.contains(&"net.ipv6.conf.default.accept_dad=0"));
    assert!(sysctls.contains(&"net.ipv6.conf.all.disable_ipv6=0"));
}

#[test]
fn the_runner_routes_public_ipv6_subnets_without_nat() {
    let spec = dual_stack();
    let layout = plan(&spec, &names()).unwrap();
    let runner = ip6(&layout, &names().runner());
    let routes: Vec<&String> = runner
        .iter()
        .filter(|l| l.starts_with("route add"))
        .collect();
    assert_eq!(
        routes,
        [&format!(
            "route add 2600:1f18:a:100::/64 via {} dev ga",
            spec.router_ip6("vpc-a")
        )]
    );
    let public: Vec<(&str, bool)> = layout
        .hosts
        .iter()
        .map(|h| (h.name.as_str(), h.ipv6_public))
        .collect();
    assert_eq!(public, [("a", true), ("b", false)]);
    let nat = &layout.configs[&names().router("vpc-a")].nft;
    assert!(!nat.contains("2600:"), "IPv6 is never NATed:\n{nat}");
}

#[test]
fn icmpv6_rules_match_ipv6_sources_and_neighbour_discovery_always_passes() {
    let spec = dual_stack();
    let rules = firewall::host_ruleset(&spec, &spec.instances[1]);
    assert!(
        rules.contains(&format!("ip6 saddr {A6} meta l4proto ipv6-icmp accept")),
        "{rules}"
    );
    assert!(rules.contains("nd-neighbor-solicit"), "{rules}");
    let mut echo = icmpv6_from("::/0");
    (echo.from_port, echo.to_port) = (Some(128), Some(-1));
    assert_eq!(firewall::matcher(&echo), "ip6 saddr ::/0 icmpv6 type 128");
    assert_eq!(
        firewall::matcher(&icmp_from("::/0")),
        "ip6 saddr ::/0 meta l4proto icmp",
        "ICMP from an IPv6 range admits no ICMPv6"
    );
}

#[test]
fn ipv6_validation_names_what_is_wrong() {
    let mut spec = dual_stack();
    spec.set_subnet_ipv6("subnet-b", "2600:1f18:a:101::/64");
    spec.add_instance_ipv6("a", "2600:1f18:a:1ff::10");
    spec.add_instance_ipv6("a", "2600:1f18:a:100::1");
    let err = plan(&spec, &names()).unwrap_err();
    for wanted in [
        "subnet subnet-b: IPv6 2600:1f18:a:101::/64 is outside VPC vpc-b",
        "instance i-a: 2600:1f18:a:1ff::10 is not a usable IPv6 address",
        "instance i-a: 2600:1f18:a:100::1 is not a usable IPv6 address",
    ] {
        assert!(err.contains(wanted), "{wanted}\n{err}");
    }
}

#[test]
fn dual_stack_spec_survives_json_and_old_specs_still_read() {
    let spec = dual_stack();
    let text = serde_json::to_string(&spec).unwrap();
    assert_eq!(serde_json::from_str::<LabSpec>(&text).unwrap(), spec);
    let old = r#"{"vpcs":[{"id":"vpc-a","cidr":"10.1.0.0/16"}],"subnets":[],"route_tables":[],
        "peerings":[],"internet_gateways":[],"security_groups":[],"instances":[]}"#;
    let read: LabSpec = serde_json::from_str(old).unwrap();
    assert_eq!(read.vpcs[0].ipv6_cidr, None);
}
