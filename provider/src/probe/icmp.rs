//! The real prober: ICMP echo from this machine.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::io;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use futures::future::BoxFuture;
use futures::FutureExt;

use super::packet::{EchoSession, IcmpVersion, ReplyMatcher};
use super::socket::{protocol_name, IcmpSocket};
use super::{Echo, ProbeError, ProbeOutcome, Prober};

/// Large enough for our replies behind a maximal IPv4 header; longer foreign packets that raw
/// sockets also see are truncated, which is harmless since they are discarded.
const RECEIVE_BUFFER_LEN: usize = 512;

/// Probes with ICMP echo from the local machine. Sockets are opened per probe call, so each
/// probe runs in the network namespace of the thread that polls it first.
#[derive(Debug, Clone, Default)]
pub struct IcmpProber {
    _private: (),
}

impl IcmpProber {
    pub fn new() -> Self {
        Self::default()
    }
}

impl Prober for IcmpProber {
    fn probe<'a>(
        &'a self,
        target: IpAddr,
        echo: &'a Echo,
    ) -> BoxFuture<'a, Result<ProbeOutcome, ProbeError>> {
        probe_target(target, echo).boxed()
    }
}

pub(crate) async fn probe_target(target: IpAddr, echo: &Echo) -> Result<ProbeOutcome, ProbeError> {
    // An IPv4-mapped IPv6 address is an IPv4 host; ping it as one.
    let target = target.to_canonical();
    check_target(target)?;
    let version = IcmpVersion::of(target);
    let socket = IcmpSocket::open(version)?;
    let session = EchoSession {
        version,
        ident: next_ident(),
        token: random_u64(),
    };
    if let Err(error) = socket.keep_only_replies_to(session.ident) {
        // Only an optimisation: the matcher checks every packet anyway.
        tracing::debug!(%error, "cannot attach the ICMP socket filter; filtering in userspace");
    }
    let matcher = socket.matcher(session, target);
    let mut outcome = ProbeOutcome::default();
    for index in 0..echo.count {
        outcome.sent += 1;
        let sent_at = Instant::now();
        match socket.send_to(&session.request(index), target).await {
            Ok(()) => {}
            Err(error) if means_unreachable(&error) => {
                tracing::debug!(%target, index, %error, "echo request not routable; counted as lost");
                continue;
            }
            Err(error) => return Err(io_error(version, target, "sending an echo request", error)),
        }
        if let Some(rtt) = await_reply(&socket, &matcher, index, sent_at, echo.timeout).await? {
            outcome.received += 1;
            outcome.rtts.push(rtt);
        }
    }
    tracing::debug!(
        %target,
        kind = ?socket.kind(),
        sent = outcome.sent,
        received = outcome.received,
        "probe finished"
    );
    Ok(outcome)
}

/// Waits until the reply to echo `index` arrives (its round-trip time) or `timeout` after
/// sending it (`None`). Anything else the socket receives, including late replies to earlier
/// echoes, is skipped.
pub(super) async fn await_reply(
    socket: &IcmpSocket,
    matcher: &ReplyMatcher,
    index: u32,
    sent_at: Instant,
    timeout: Duration,
) -> Result<Option<Duration>, ProbeError> {
    let deadline = tokio::time::Instant::from_std(sent_at + timeout);
    let mut buffer = [0u8; RECEIVE_BUFFER_LEN];
    loop {
        let Ok(received) = tokio::time::timeout_at(deadline, socket.recv_from(&mut buffer)).await
        else {
            return Ok(None);
        };
        match received {
            Ok((len, source)) => {
                if matcher.answered_index(&buffer[..len], source) == Some(index) {
                    return Ok(Some(sent_at.elapsed()));
                }
            }
            Err(error) if means_unreachable(&error) => return Ok(None),
            Err(error) => {
                let target = matcher.target;
                return Err(io_error(
                    matcher.session.version,
                    target,
                    "receiving",
                    error,
                ));
            }
        }
    }
}

/// Errors that say "no way to that host" rather than "this machine is broken".
fn means_unreachable(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::HostUnreachable
            | io::ErrorKind::NetworkUnreachable
            | io::ErrorKind::NetworkDown
            | io::ErrorKind::AddrNotAvailable
    )
}

fn check_target(target: IpAddr) -> Result<(), ProbeError> {
    let reason = if target.is_unspecified() {
        "the unspecified address is not a host"
    } else if target.is_multicast() {
        "multicast addresses are not probed (many hosts could answer)"
    } else if target == IpAddr::V4(Ipv4Addr::BROADCAST) {
        "the broadcast address is not probed (many hosts could answer)"
    } else {
        return Ok(());
    };
    Err(ProbeError::InvalidTarget {
        address: target,
        reason,
    })
}

fn io_error(version: IcmpVersion, target: IpAddr, doing: &str, error: io::Error) -> ProbeError {
    let context = format!(
        "probing {target}: {doing} on an {} socket",
        protocol_name(version)
    );
    ProbeError::Io(io::Error::new(error.kind(), format!("{context}: {error}")))
}

/// A fresh echo identifier per probe so concurrent raw-socket probes in this process never
/// share one; the random start keeps other processes' pings from colliding with ours.
fn next_ident() -> u16 {
    static NEXT: OnceLock<AtomicU16> = OnceLock::new();
    NEXT.get_or_init(|| AtomicU16::new(random_u64() as u16))
        .fetch_add(1, Ordering::Relaxed)
}

/// Unpredictable enough to tell our echoes from anyone else's (not for cryptography):
/// `RandomState` is seeded from the OS's randomness.
fn random_u64() -> u64 {
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            .as_nanos(),
    );
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probe_rejects_targets_that_are_not_one_host() {
        for address in ["0.0.0.0", "::", "224.0.0.1", "ff02::1", "255.255.255.255"] {
            let address: IpAddr = address.parse().unwrap();
            assert!(
                matches!(check_target(address), Err(ProbeError::InvalidTarget { .. })),
                "{address}"
            );
        }
        for address in ["127.0.0.1", "::1", "10.1.2.249"] {
            assert!(check_target(address.parse().unwrap()).is_ok(), "{address}");
        }
    }

    #[test]
    fn probe_idents_and_tokens_differ_between_probes() {
        assert_ne!(next_ident(), next_ident());
        assert_ne!(random_u64(), random_u64());
    }

    #[test]
    fn probe_routing_errors_are_unreachable_not_failures() {
        assert!(means_unreachable(&io::Error::from(
            io::ErrorKind::NetworkUnreachable
        )));
        assert!(means_unreachable(&io::Error::from(
            io::ErrorKind::HostUnreachable
        )));
        assert!(!means_unreachable(&io::Error::from(
            io::ErrorKind::PermissionDenied
        )));
    }
}
