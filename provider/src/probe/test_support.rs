//! Helpers for tests that need real ICMP or network namespaces: they skip with a printed reason
//! when the machine does not allow them, except under `CI=true`, where that is a failure (the
//! rule and the namespace helpers are the workspace's `test-support` crate).

use std::net::IpAddr;

use ::test_support::prereq::missing_prerequisite;

use super::packet::IcmpVersion;
use super::socket::{IcmpSocket, SocketKind};
use super::ProbeError;

/// The kind of ICMP socket this thread may open for `version`, or `None` (after
/// [`missing_prerequisite`]) when it may open none. Call inside a tokio runtime.
pub(crate) fn icmp_socket_kind(test: &str, version: IcmpVersion) -> Option<SocketKind> {
    match IcmpSocket::open(version) {
        Ok(socket) => Some(socket.kind()),
        Err(ProbeError::Permission(message)) => {
            missing_prerequisite(test, &format!("no ICMP permission: {message}"));
            None
        }
        Err(other) => panic!("{test}: opening an ICMP socket failed: {other}"),
    }
}

/// Loopback addresses only: the safety rule for prober tests.
pub(crate) fn loopback(text: &str) -> IpAddr {
    let address: IpAddr = text.parse().unwrap();
    assert!(
        address.to_canonical().is_loopback(),
        "{address} is not loopback"
    );
    address
}

/// Runs `make_future` to completion on a new thread that has joined network namespace
/// `namespace` (a name under /run/netns), with its own single-threaded runtime; `prepare`
/// runs on that thread before the runtime starts. Sockets opened there are the namespace's.
pub(crate) fn run_in_netns<T, Fut>(
    namespace: &str,
    prepare: impl FnOnce() + Send,
    make_future: impl FnOnce() -> Fut + Send,
) -> T
where
    T: Send,
    Fut: std::future::Future<Output = T>,
{
    ::test_support::netns::run_in(namespace, || {
        prepare();
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime")
            .block_on(make_future())
    })
    .unwrap_or_else(|e| panic!("{e}"))
}
