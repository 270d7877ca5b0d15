//! From a [`LabSpec`] to a [`Layout`]: every namespace, bridge and veth the
//! lab needs, and the configuration of each namespace as text (`ip -batch`
//! lines and an nftables script). Pure: nothing is touched here, so the
//! whole mapping from AWS semantics to Linux is unit-tested without root.

use std::collections::{BTreeMap, BTreeSet};
use std::net::{Ipv4Addr, Ipv6Addr};

use ipnet::{Ipv4Net, Ipv6Net};

use crate::names::{self, Names, HOST_LINK, ROUTER_GATEWAY_LINK};
use crate::spec::{InstanceSpec, InstanceState, LabSpec};
use crate::{firewall, gateway, router};

/// One end of a veth pair: (namespace, interface).
pub type End = (String, String);

#[derive(Debug, Clone, Default)]
pub struct Layout {
    pub runner: String,
    /// Every namespace, with the sysctls set when it is created.
    pub namespaces: BTreeMap<String, Vec<&'static str>>,
    /// (namespace, bridge).
    pub bridges: BTreeSet<End>,
    /// Veth pairs, keyed by the end in a router.
    pub veths: BTreeMap<End, End>,
    pub configs: BTreeMap<String, NsConfig>,
    pub hosts: Vec<HostView>,
    pub routers: Vec<RouterView>,
}

/// What is applied to one namespace after its links exist.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NsConfig {
    /// `ip -batch` lines.
    pub ip: Vec<String>,
    /// `ip -6 -batch` lines, applied after `ip` (in batch mode `ip rule` and
    /// `default` take their family from the command line only).
    pub ip6: Vec<String>,
    /// An nftables script (empty: none).
    pub nft: String,
}

impl NsConfig {
    /// Both parts as one text, to tell whether anything changed.
    pub fn fingerprint(&self) -> String {
        format!(
            "{}\n--\n{}\n--\n{}",
            self.ip.join("\n"),
            self.ip6.join("\n"),
            self.nft
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostView {
    pub name: String,
    pub instance_id: String,
    pub namespace: String,
    pub vpc_id: String,
    pub private_ip: Ipv4Addr,
    /// The public IP, when the runner can reach it through a gateway.
    pub public_ip: Option<Ipv4Addr>,
    /// Its IPv6 addresses (global, routed without NAT).
    pub ipv6_addresses: Vec<Ipv6Addr>,
    /// Whether the runner reaches its IPv6 addresses (its subnet routes `::/0`
    /// to an attached internet gateway).
    pub ipv6_public: bool,
    pub running: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouterView {
    pub vpc_id: String,
    pub cidr: Ipv4Net,
    pub ipv6_cidr: Option<Ipv6Net>,
    /// The account that owns the VPC, when known.
    pub owner_id: Option<String>,
    pub namespace: String,
}

const COMMON_SYSCTLS: [&str; 14] = [
    // IPv6 only where the spec puts it: no address is generated on its own
    // (no link-local chatter), none is held back by duplicate address
    // detection (lab addresses are unique and usable at once), no router
    // advertisement is heeded (routes come from the spec).
    "net.ipv6.conf.all.disable_ipv6=0",
    "net.ipv6.conf.default.disable_ipv6=0",
    "net.ipv6.conf.all.addr_gen_mode=1",
    "net.ipv6.conf.default.addr_gen_mode=1",
    "net.ipv6.conf.all.accept_dad=0",
    "net.ipv6.conf.default.accept_dad=0",
    "net.ipv6.conf.all.accept_ra=0",
    "net.ipv6.conf.default.accept_ra=0",
    "net.ipv6.conf.all.autoconf=0",
    "net.ipv6.conf.default.autoconf=0",
    // A stopped instance's link goes down; its addresses stay for its restart.
    "net.ipv6.conf.all.keep_addr_on_down=1",
    "net.ipv6.conf.default.keep_addr_on_down=1",
    // Policy routing decides; reverse-path filtering would second-guess it.
    "net.ipv4.conf.all.rp_filter=0",
    "net.ipv4.conf.default.rp_filter=0",
];

pub fn plan(spec: &LabSpec, names: &Names) -> Result<Layout, String> {
    spec.validate()?;
    let mut layout = Layout {
        runner: names.runner(),
        ..Layout::default()
    };
    layout
        .namespaces
        .insert(names.runner(), COMMON_SYSCTLS.to_vec());
    for vpc in &spec.vpcs {
        let ns = names.router(&vpc.id);
        let mut sysctls = COMMON_SYSCTLS.to_vec();
        sysctls.extend([
            "net.ipv4.ip_forward=1",
            "net.ipv6.conf.all.forwarding=1",
            "net.ipv6.conf.default.forwarding=1",
        ]);
        layout.namespaces.insert(ns.clone(), sysctls);
        for subnet in spec.subnets_of(&vpc.id) {
            layout
                .bridges
                .insert((ns.clone(), names::bridge(&subnet.id)));
        }
        if spec.has_gateway(&vpc.id) {
            let runner_end = (names.runner(), names::runner_gateway_link(&vpc.id));
            layout
                .veths
                .insert((ns.clone(), ROUTER_GATEWAY_LINK.into()), runner_end);
        }
        layout.configs.insert(ns.clone(), router::config(spec, vpc));
        layout.routers.push(RouterView {
            vpc_id: vpc.id.clone(),
            cidr: vpc.cidr,
            ipv6_cidr: vpc.ipv6_cidr,
            owner_id: vpc.owner_id.clone(),
            namespace: ns,
        });
    }
    for peering in spec.live_peerings() {
        let link = names::peering_link(&peering.id);
        let requester = (names.router(&peering.requester_vpc_id), link.clone());
        layout
            .veths
            .insert(requester, (names.router(&peering.accepter_vpc_id), link));
    }
    for instance in &spec.instances {
        add_host(&mut layout, spec, names, instance);
    }
    layout
        .configs
        .insert(names.runner(), gateway::runner_config(spec));
    check_unique_names(spec, &layout)?;
    Ok(layout)
}

fn add_host(layout: &mut Layout, spec: &LabSpec, names: &Names, instance: &InstanceSpec) {
    let subnet = spec.subnet(&instance.subnet_id).expect("validated");
    let ns = names.host(&instance.id);
    layout
        .namespaces
        .insert(ns.clone(), COMMON_SYSCTLS.to_vec());
    let router_end = (names.router(&subnet.vpc_id), names::host_port(&instance.id));
    layout
        .veths
        .insert(router_end, (ns.clone(), HOST_LINK.into()));
    let running = instance.state == InstanceState::Running;
    let gateway = subnet.cidr.network().to_bits() + 1;
    let mut ip = vec![
        format!(
            "addr replace {}/{} dev {HOST_LINK}",
            instance.private_ip,
            subnet.cidr.prefix_len()
        ),
        format!(
            "link set {HOST_LINK} {}",
            if running { "up" } else { "down" }
        ),
    ];
    if running {
        ip.push(format!(
            "route replace default via {} dev {HOST_LINK}",
            Ipv4Addr::from_bits(gateway)
        ));
    }
    let ip6 = host_ip6(subnet.ipv6_cidr, instance, running);
    let nft = firewall::host_ruleset(spec, instance);
    layout.configs.insert(ns.clone(), NsConfig { ip, ip6, nft });
    layout.hosts.push(HostView {
        name: instance.name.clone(),
        instance_id: instance.id.clone(),
        namespace: ns,
        vpc_id: subnet.vpc_id.clone(),
        private_ip: instance.private_ip,
        public_ip: spec.reachable_public_ip(instance),
        ipv6_addresses: instance.ipv6_addresses.clone(),
        ipv6_public: spec.public_ipv6_block(subnet).is_some(),
        running,
    });
}

/// A host's IPv6: its addresses on `eth0` in the subnet's /64 (`nodad`: usable
/// at once), default route via the subnet's `::1` (the router's bridge). None
/// without a /64 or addresses.
fn host_ip6(block: Option<Ipv6Net>, instance: &InstanceSpec, running: bool) -> Vec<String> {
    let Some(block) = block.filter(|_| !instance.ipv6_addresses.is_empty()) else {
        return Vec::new();
    };
    let mut ip6: Vec<String> = instance
        .ipv6_addresses
        .iter()
        .map(|a| {
            format!(
                "addr replace {a}/{} dev {HOST_LINK} nodad",
                block.prefix_len()
            )
        })
        .collect();
    if running {
        ip6.push(format!(
            "route replace default via {} dev {HOST_LINK}",
            router::subnet_router_ip6(block)
        ));
    }
    ip6
}

/// Names derived from ids could collide (see [`names::short`]): refuse
/// rather than wire two objects to one interface.
fn check_unique_names(spec: &LabSpec, layout: &Layout) -> Result<(), String> {
    let gateways = spec.vpcs.iter().filter(|v| spec.has_gateway(&v.id)).count();
    let expected = [
        (
            layout.namespaces.len(),
            1 + spec.vpcs.len() + spec.instances.len(),
        ),
        (layout.bridges.len(), spec.subnets.len()),
        (
            layout.veths.len(),
            spec.instances.len() + spec.live_peerings().count() + gateways,
        ),
    ];
    let mut interfaces: BTreeSet<&End> = BTreeSet::new();
    let ends = layout.veths.iter().flat_map(|(a, b)| [a, b]);
    let distinct_ends = layout
        .bridges
        .iter()
        .chain(ends)
        .all(|end| interfaces.insert(end));
    if expected.iter().any(|(got, want)| got != want) || !distinct_ends {
        return Err(
            "two ids of one kind end in the same 11 characters (names are derived \
             from them, see meshlab::names::short); rename one"
                .into(),
        );
    }
    Ok(())
}
