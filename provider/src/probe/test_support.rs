//! Helpers for tests that need real ICMP or network namespaces: they skip with a printed reason
//! when the machine does not allow them, except under `CI=true`, where that is a failure.

use std::net::IpAddr;

use super::packet::IcmpVersion;
use super::socket::{IcmpSocket, SocketKind};
use super::ProbeError;

pub(crate) fn is_ci() -> bool {
    std::env::var("CI").is_ok_and(|value| value == "true" || value == "1")
}

/// Reports a missing prerequisite: panics under CI, otherwise prints why `test` is skipped.
pub(crate) fn skip_or_fail(test: &str, reason: &str) {
    assert!(
        !is_ci(),
        "{test}: {reason} (CI=true, so this fails instead of skipping)"
    );
    eprintln!("SKIPPED {test}: {reason}");
}

/// The kind of ICMP socket this thread may open for `version`, or `None` (after
/// [`skip_or_fail`]) when it may open none. Call inside a tokio runtime.
pub(crate) fn icmp_socket_kind(test: &str, version: IcmpVersion) -> Option<SocketKind> {
    match IcmpSocket::open(version) {
        Ok(socket) => Some(socket.kind()),
        Err(ProbeError::Permission(message)) => {
            skip_or_fail(test, &format!("no ICMP permission: {message}"));
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
