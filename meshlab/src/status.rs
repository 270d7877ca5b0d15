//! `meshlab status`: the lab as text, hosts, routers and links.

use std::fmt::Write as _;

use crate::lab::MeshLab;
use crate::names;

impl MeshLab {
    pub fn status(&self) -> String {
        let mut out = String::new();
        let state = self.state();
        let _ = writeln!(out, "lab {} (files in {})", state.id, state.dir.display());
        let _ = writeln!(
            out,
            "ssh key {}  known_hosts {}",
            self.private_key().display(),
            self.known_hosts().display()
        );
        let _ = writeln!(out, "runner  {}", self.runner());
        let _ = writeln!(out, "\nhosts:");
        for h in self.hosts() {
            let public = h
                .public_ip
                .map(|ip| format!(" public {ip}"))
                .unwrap_or_default();
            let ipv6: String = h.ipv6_addresses.iter().map(|a| format!(" {a}")).collect();
            let ipv6 = match (ipv6.is_empty(), h.ipv6_public) {
                (true, _) => String::new(),
                (false, true) => format!(" ipv6{ipv6} (public)"),
                (false, false) => format!(" ipv6{ipv6}"),
            };
            let running = if h.running { "running" } else { "stopped" };
            let sshd = state
                .sshd
                .get(&h.namespace)
                .map(|p| format!(" sshd {p}"))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "  {:<14} {:<15} {running:<8} {} {}{public}{ipv6}{sshd}  ns {}",
                h.name, h.private_ip, h.instance_id, h.vpc_id, h.namespace
            );
        }
        let _ = writeln!(out, "\nrouters:");
        for r in &self.layout().routers {
            let ipv6 = r.ipv6_cidr.map(|b| format!(" {b}")).unwrap_or_default();
            let owner = r
                .owner_id
                .as_ref()
                .map(|o| format!(" account {o}"))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "  {:<22} {:<15}{ipv6}{owner} ns {}",
                r.vpc_id, r.cidr, r.namespace
            );
        }
        let _ = writeln!(out, "\nlinks:");
        for peering in self.spec().live_peerings() {
            let link = names::peering_link(&peering.id);
            let _ = writeln!(
                out,
                "  {} {} <-> {} ({link})",
                peering.id, peering.requester_vpc_id, peering.accepter_vpc_id
            );
        }
        for p in self.spec().peerings.iter().filter(|p| !p.is_active()) {
            let _ = writeln!(
                out,
                "  {} {} -- {} {} (no link)",
                p.id, p.requester_vpc_id, p.accepter_vpc_id, p.status
            );
        }
        for vpc in self
            .spec()
            .vpcs
            .iter()
            .filter(|v| self.spec().has_gateway(&v.id))
        {
            let link = names::runner_gateway_link(&vpc.id);
            let _ = writeln!(out, "  internet gateway {} <-> runner ({link})", vpc.id);
        }
        out
    }
}
