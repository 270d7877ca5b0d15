//! Probes from inside the lab: one ping (IPv4 or IPv6), the matrix of who
//! reaches whom over either family, and SSH with the lab's key and `known_hosts`.

use std::collections::BTreeSet;
use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use test_support::command::CmdOutput;
use test_support::netns::exec_in;

use crate::lab::MeshLab;
use crate::plan::HostView;

/// Pings in flight at once (each is an `ip netns exec ping` process).
const PARALLEL_PINGS: usize = 64;

impl MeshLab {
    /// One ICMP echo (`ping -c 1 -W 1`) from namespace `from_ns` to `to`.
    pub fn ping_from(&self, from_ns: &str, to: Ipv4Addr) -> bool {
        self.ping_addr_from(from_ns, to.into())
    }

    /// One echo from namespace `from_ns` to `to`: ICMP, or ICMPv6 for an IPv6 address.
    pub fn ping_addr_from(&self, from_ns: &str, to: IpAddr) -> bool {
        let to = to.to_string();
        exec_in(
            from_ns,
            &["ping", "-n", "-c", "1", "-W", "1", &to],
            Duration::from_secs(10),
        )
        .success()
    }

    /// One ICMP echo from host `from` to `to`.
    #[track_caller]
    pub fn ping(&self, from: &str, to: Ipv4Addr) -> bool {
        self.ping_from(&self.host(from).namespace, to)
    }

    /// One echo from host `from` to `to` (IPv4 or IPv6).
    #[track_caller]
    pub fn ping_addr(&self, from: &str, to: IpAddr) -> bool {
        self.ping_addr_from(&self.host(from).namespace, to)
    }

    /// Every (from, to) pair of distinct hosts, by name, where a ping from
    /// `from` to `to`'s private IP is answered. Pings run in parallel.
    pub fn ping_matrix(&self) -> BTreeSet<(String, String)> {
        self.matrix(|h| Some(h.private_ip.into()))
    }

    /// Every (from, to) pair of distinct hosts where `to` has an IPv6 address
    /// and a ping from `from` to its first one is answered.
    pub fn ping_matrix_ipv6(&self) -> BTreeSet<(String, String)> {
        self.matrix(|h| h.ipv6_addresses.first().map(|a| (*a).into()))
    }

    fn matrix(&self, target: impl Fn(&HostView) -> Option<IpAddr>) -> BTreeSet<(String, String)> {
        let hosts = self.hosts();
        let pairs: Vec<_> = hosts
            .iter()
            .flat_map(|a| {
                hosts
                    .iter()
                    .filter(move |b| b.name != a.name)
                    .map(move |b| (a, b))
            })
            .filter_map(|(a, b)| Some((a, b, target(b)?)))
            .collect();
        let mut reachable = BTreeSet::new();
        for chunk in pairs.chunks(PARALLEL_PINGS) {
            std::thread::scope(|scope| {
                let probes: Vec<_> = chunk
                    .iter()
                    .map(|(a, _, to)| scope.spawn(move || self.ping_addr_from(&a.namespace, *to)))
                    .collect();
                for ((a, b, _), probe) in chunk.iter().zip(probes) {
                    if probe.join().unwrap_or(false) {
                        reachable.insert((a.name.clone(), b.name.clone()));
                    }
                }
            });
        }
        reachable
    }

    /// `ssh root@to REMOTE...` from namespace `from_ns`, with the lab key and
    /// strict host key checking against the lab's `known_hosts`.
    pub fn ssh_from(&self, from_ns: &str, to: impl Into<IpAddr>, remote: &[&str]) -> CmdOutput {
        let args = self.ssh_files().ssh_args(to, remote);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        exec_in(from_ns, &args, Duration::from_secs(30))
    }
}
