//! The real prober inside network namespaces these tests create (root only): each socket kind
//! on purpose, the timeout path, a link that is down, and the permission error. Probes run on a
//! thread moved into the namespace, whose only interface is its own loopback.

use std::collections::BTreeMap;
use std::future::Future;
use std::process::Command;
use std::time::{Duration, Instant};

use tokio_util::sync::CancellationToken;

use super::icmp::probe_target;
use super::packet::IcmpVersion;
use super::socket::{IcmpSocket, SocketKind};
use super::test_support::{loopback, run_in_netns};
use super::{probe_matrix, render_report, Echo, IcmpProber, ProbeError, ProbeOutcome};
use ::test_support::netns::harness_name;
use ::test_support::prereq::{is_root, missing_prerequisite};

/// A network namespace removed again when dropped, also when the test fails.
struct TestNetns {
    name: String,
}

impl TestNetns {
    /// Creates a fresh namespace (loopback down), or `None` after [`missing_prerequisite`].
    fn create(test: &str) -> Option<Self> {
        if !is_root() {
            missing_prerequisite(test, "creating network namespaces needs root");
            return None;
        }
        // The labs' naming (`ptl<pid>x...`): `make lab-clean` removes it if this test is
        // killed before it can.
        let name = harness_name("-probe");
        match Command::new("ip").args(["netns", "add", &name]).status() {
            Ok(status) if status.success() => Some(Self { name }),
            Ok(status) => {
                missing_prerequisite(test, &format!("`ip netns add` failed: {status}"));
                None
            }
            Err(error) => {
                missing_prerequisite(test, &format!("cannot run `ip` (iproute2): {error}"));
                None
            }
        }
    }

    /// Runs `command` inside the namespace and insists it succeeds.
    fn exec(&self, command: &[&str]) {
        let status = Command::new("ip")
            .args(["netns", "exec", &self.name])
            .args(command)
            .status()
            .expect("running ip netns exec");
        assert!(status.success(), "{command:?} in {} failed", self.name);
    }

    fn loopback_up(&self) {
        self.exec(&["ip", "link", "set", "lo", "up"]);
    }

    fn sysctl(&self, setting: &str) {
        self.exec(&["sysctl", "-q", "-w", setting]);
    }

    /// Runs `make_future` to completion on a new thread that has joined the namespace, with its
    /// own single-threaded runtime; `prepare` runs on that thread before the runtime starts.
    fn run<T, Fut>(
        &self,
        prepare: impl FnOnce() + Send,
        make_future: impl FnOnce() -> Fut + Send,
    ) -> T
    where
        T: Send,
        Fut: Future<Output = T>,
    {
        run_in_netns(&self.name, prepare, make_future)
    }
}

impl Drop for TestNetns {
    fn drop(&mut self) {
        let _ = Command::new("ip")
            .args(["netns", "del", &self.name])
            .status();
    }
}

fn echo(count: u32, timeout_ms: u64) -> Echo {
    Echo {
        count,
        timeout: Duration::from_millis(timeout_ms),
    }
}

fn assert_all_answered(outcome: &ProbeOutcome, count: u32) {
    assert_eq!((outcome.sent, outcome.received), (count, count));
    assert_eq!(outcome.rtts.len(), count as usize);
}

/// Socket kinds, single and concurrent probes of 127.0.0.1, 127.0.0.2 and ::1.
async fn check_loopback_probes(expected_kind: SocketKind) {
    for version in [IcmpVersion::V4, IcmpVersion::V6] {
        assert_eq!(IcmpSocket::open(version).unwrap().kind(), expected_kind);
    }
    let echo = echo(3, 2000);
    for target in ["127.0.0.1", "127.0.0.2", "::1"] {
        assert_all_answered(&probe_target(loopback(target), &echo).await.unwrap(), 3);
        let concurrent = (0..3).map(|_| probe_target(loopback(target), &echo));
        for outcome in futures::future::join_all(concurrent).await {
            assert_all_answered(&outcome.unwrap(), 3);
        }
    }
}

#[test]
fn probe_netns_datagram_sockets_when_ping_group_range_allows() {
    let Some(netns) =
        TestNetns::create("probe_netns_datagram_sockets_when_ping_group_range_allows")
    else {
        return;
    };
    netns.loopback_up();
    netns.sysctl("net.ipv4.ping_group_range=0 2147483647");
    let range = netns.run(
        || {},
        || async {
            check_loopback_probes(SocketKind::Datagram).await;
            // The permission diagnosis relies on /proc/sys/net following the thread's namespace.
            std::fs::read_to_string("/proc/sys/net/ipv4/ping_group_range").unwrap()
        },
    );
    assert_eq!(
        range.split_whitespace().collect::<Vec<_>>(),
        ["0", "2147483647"]
    );
}

#[test]
fn probe_netns_raw_sockets_when_datagram_refused() {
    let Some(netns) = TestNetns::create("probe_netns_raw_sockets_when_datagram_refused") else {
        return;
    };
    netns.loopback_up();
    netns.run(|| {}, || check_loopback_probes(SocketKind::Raw));
}

#[test]
fn probe_netns_silent_host_times_out_as_data() {
    let Some(netns) = TestNetns::create("probe_netns_silent_host_times_out_as_data") else {
        return;
    };
    netns.loopback_up();
    netns.sysctl("net.ipv4.icmp_echo_ignore_all=1");
    netns.sysctl("net.ipv6.icmp.echo_ignore_all=1");
    let echo = echo(2, 150);
    netns.run(
        || {},
        || async {
            for target in ["127.0.0.1", "::1"] {
                let started = Instant::now();
                let outcome = probe_target(loopback(target), &echo).await.unwrap();
                let elapsed = started.elapsed();
                assert_eq!((outcome.sent, outcome.received), (2, 0), "{target}");
                assert!(outcome.rtts.is_empty());
                assert!(
                    elapsed >= Duration::from_millis(300),
                    "{target}: {elapsed:?}"
                );
                assert!(elapsed < Duration::from_secs(2), "{target}: {elapsed:?}");
            }
        },
    );
}

#[test]
fn probe_netns_link_down_is_unreachable_data() {
    let Some(netns) = TestNetns::create("probe_netns_link_down_is_unreachable_data") else {
        return;
    };
    // A new namespace's loopback is down: nothing routes, sending fails at once.
    let echo = echo(2, 1000);
    let hosts: BTreeMap<String, _> = [("four", "127.0.0.1"), ("six", "::1")]
        .into_iter()
        .map(|(name, address)| (name.to_string(), loopback(address)))
        .collect();
    let results = netns.run(
        || {},
        || async {
            let cancel = CancellationToken::new();
            probe_matrix(&IcmpProber::new(), &hosts, &echo, 2, &cancel).await
        },
    );
    let results = results.unwrap();
    for result in &results {
        assert_eq!((result.sent, result.received), (2, 0), "{result:?}");
        assert!(
            !result.reachable && result.loss_percent == 100.0,
            "{result:?}"
        );
        assert_eq!(result.rtt_avg_ms, None);
    }
    assert!(
        render_report(&results).ends_with("2 of 2 pairs unreachable: local->four, local->six\n")
    );
}

#[test]
fn probe_netns_permission_error_names_sysctl_and_capability() {
    let Some(netns) = TestNetns::create("probe_netns_permission_error_names_sysctl_and_capability")
    else {
        return;
    };
    netns.loopback_up();
    let hosts: BTreeMap<String, _> = [("one".to_string(), loopback("127.0.0.1"))].into();
    let echo = echo(1, 500);
    let (open_error, matrix_error) = netns.run(drop_cap_net_raw, || async {
        let open_error = IcmpSocket::open(IcmpVersion::V6).unwrap_err();
        let cancel = CancellationToken::new();
        let matrix = probe_matrix(&IcmpProber::new(), &hosts, &echo, 1, &cancel).await;
        (open_error, matrix.unwrap_err())
    });
    for error in [open_error, matrix_error] {
        let ProbeError::Permission(message) = error else {
            panic!("expected a permission error, got {error:?}");
        };
        for expected in [
            "unprivileged ICMP sockets are disabled (net.ipv4.ping_group_range is \"1 0\"",
            "does not include group 0",
            "raw sockets need CAP_NET_RAW, which this process lacks",
            "sysctl -w net.ipv4.ping_group_range=\"0 2147483647\"",
            "setcap cap_net_raw+ep ",
        ] {
            assert!(
                message.contains(expected),
                "missing {expected:?} in: {message}"
            );
        }
    }
}

/// Clears CAP_NET_RAW from this thread's effective set (capabilities are per thread).
fn drop_cap_net_raw() {
    #[repr(C)]
    struct Header {
        version: u32,
        pid: i32,
    }
    #[repr(C)]
    #[derive(Clone, Copy, Default)]
    struct Data {
        effective: u32,
        permitted: u32,
        inheritable: u32,
    }
    const LINUX_CAPABILITY_VERSION_3: u32 = 0x2008_0522;
    const CAP_NET_RAW: u32 = 13;
    let mut header = Header {
        version: LINUX_CAPABILITY_VERSION_3,
        pid: 0,
    };
    let mut data = [Data::default(); 2];
    // SAFETY: header and a two-element data array are what capget/capset expect for version 3;
    // pid 0 means the calling thread.
    unsafe {
        let got = libc::syscall(libc::SYS_capget, &mut header, data.as_mut_ptr());
        assert_eq!(got, 0, "capget: {}", std::io::Error::last_os_error());
        data[0].effective &= !(1 << CAP_NET_RAW);
        let set = libc::syscall(libc::SYS_capset, &mut header, data.as_ptr());
        assert_eq!(set, 0, "capset: {}", std::io::Error::last_os_error());
    }
}
