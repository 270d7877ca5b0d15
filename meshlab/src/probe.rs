//! Probes from inside the lab: one ping, the matrix of who reaches whom,
//! and SSH with the lab's key and `known_hosts`.

use std::collections::BTreeSet;
use std::net::Ipv4Addr;
use std::time::Duration;

use test_support::command::CmdOutput;
use test_support::netns::exec_in;

use crate::lab::MeshLab;

/// Pings in flight at once (each is an `ip netns exec ping` process).
const PARALLEL_PINGS: usize = 64;

impl MeshLab {
    /// One ICMP echo (`ping -c 1 -W 1`) from namespace `from_ns` to `to`.
    pub fn ping_from(&self, from_ns: &str, to: Ipv4Addr) -> bool {
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

    /// Every (from, to) pair of distinct hosts, by name, where a ping from
    /// `from` to `to`'s private IP is answered. Pings run in parallel.
    pub fn ping_matrix(&self) -> BTreeSet<(String, String)> {
        let hosts = self.hosts();
        let pairs: Vec<_> = hosts
            .iter()
            .flat_map(|a| {
                hosts
                    .iter()
                    .filter(move |b| b.name != a.name)
                    .map(move |b| (a, b))
            })
            .collect();
        let mut reachable = BTreeSet::new();
        for chunk in pairs.chunks(PARALLEL_PINGS) {
            std::thread::scope(|scope| {
                let probes: Vec<_> = chunk
                    .iter()
                    .map(|(a, b)| scope.spawn(move || self.ping_from(&a.namespace, b.private_ip)))
                    .collect();
                for ((a, b), probe) in chunk.iter().zip(probes) {
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
    pub fn ssh_from(&self, from_ns: &str, to: Ipv4Addr, remote: &[&str]) -> CmdOutput {
        let args = self.ssh_files().ssh_args(to, remote);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        exec_in(from_ns, &args, Duration::from_secs(30))
    }
}
