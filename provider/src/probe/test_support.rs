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
    use std::os::fd::AsRawFd;
    let path = format!("/run/netns/{namespace}");
    std::thread::scope(|scope| {
        scope
            .spawn(|| {
                let file = std::fs::File::open(&path).expect("opening the namespace");
                // SAFETY: a valid namespace fd; setns only changes this thread, which ends
                // when the future completes.
                let joined = unsafe { libc::setns(file.as_raw_fd(), libc::CLONE_NEWNET) };
                assert_eq!(joined, 0, "setns: {}", std::io::Error::last_os_error());
                prepare();
                tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("runtime")
                    .block_on(make_future())
            })
            .join()
            .expect("namespace thread panicked")
    })
}
