//! Opening an ICMP socket: an unprivileged datagram ("ping") socket when the kernel allows it,
//! otherwise a raw socket; and sending/receiving on it asynchronously.

use std::io;
use std::net::{IpAddr, SocketAddr};

use socket2::{Domain, Protocol, SockRef, Socket, Type};

use super::filter;
use super::packet::{EchoSession, IcmpVersion, ReplyMatcher};
use super::permission;
use super::ProbeError;

/// Which kind of ICMP socket the kernel granted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SocketKind {
    /// `SOCK_DGRAM` + `IPPROTO_ICMP(V6)`: needs the process's group in
    /// `net.ipv4.ping_group_range` (which also governs ICMPv6); the kernel owns the echo
    /// identifier and hands the socket only replies carrying it, without the IP header.
    Datagram,
    /// `SOCK_RAW`: needs `CAP_NET_RAW`; sees every ICMP packet of the network namespace (IPv4
    /// with its IP header), so replies must be filtered by source, identifier and payload.
    Raw,
}

/// An open ICMP socket in the network namespace of the thread that opened it.
#[derive(Debug)]
pub(crate) struct IcmpSocket {
    /// tokio's `UdpSocket` only wraps `sendto`/`recvfrom` with readiness handling, which is
    /// exactly what ICMP datagram and raw sockets need too; it never looks at the protocol.
    socket: tokio::net::UdpSocket,
    kind: SocketKind,
    version: IcmpVersion,
}

impl IcmpSocket {
    /// Opens a datagram socket, or a raw one if datagram sockets are refused. Must run inside a
    /// tokio runtime.
    pub(crate) fn open(version: IcmpVersion) -> Result<Self, ProbeError> {
        let (domain, protocol) = match version {
            IcmpVersion::V4 => (Domain::IPV4, Protocol::ICMPV4),
            IcmpVersion::V6 => (Domain::IPV6, Protocol::ICMPV6),
        };
        let datagram_error = match Socket::new(domain, Type::DGRAM, Some(protocol)) {
            Ok(socket) => return Self::wrap(socket, SocketKind::Datagram, version),
            Err(error) => error,
        };
        let raw_error = match Socket::new(domain, Type::RAW, Some(protocol)) {
            Ok(socket) => return Self::wrap(socket, SocketKind::Raw, version),
            Err(error) => error,
        };
        if raw_error.kind() == io::ErrorKind::PermissionDenied {
            return Err(ProbeError::Permission(permission::diagnose(
                version,
                &datagram_error,
                &raw_error,
            )));
        }
        Err(ProbeError::Io(io::Error::new(
            raw_error.kind(),
            format!(
                "cannot open an {} socket: datagram socket: {datagram_error}; raw socket: {raw_error}",
                protocol_name(version)
            ),
        )))
    }

    fn wrap(socket: Socket, kind: SocketKind, version: IcmpVersion) -> Result<Self, ProbeError> {
        let register = || -> io::Result<tokio::net::UdpSocket> {
            socket.set_nonblocking(true)?;
            tokio::net::UdpSocket::from_std(std::net::UdpSocket::from(socket))
        };
        let socket = register().map_err(|error| {
            ProbeError::Io(io::Error::new(
                error.kind(),
                format!(
                    "cannot register an {} socket with the async runtime: {error}",
                    protocol_name(version)
                ),
            ))
        })?;
        Ok(Self {
            socket,
            kind,
            version,
        })
    }

    pub(crate) fn kind(&self) -> SocketKind {
        self.kind
    }

    /// On a raw socket, has the kernel drop everything but echo replies carrying `ident`, so
    /// concurrent probes are not woken by each other's packets. Datagram sockets need nothing:
    /// the kernel already delivers only their own replies.
    pub(crate) fn keep_only_replies_to(&self, ident: u16) -> io::Result<()> {
        match self.kind {
            SocketKind::Raw => SockRef::from(&self.socket)
                .attach_filter(&filter::echo_replies_with_ident(self.version, ident)),
            SocketKind::Datagram => Ok(()),
        }
    }

    /// The matcher for replies to `session` from `target` as this socket delivers them.
    pub(crate) fn matcher(&self, session: EchoSession, target: IpAddr) -> ReplyMatcher {
        ReplyMatcher {
            session,
            target,
            has_ipv4_header: self.kind == SocketKind::Raw && self.version == IcmpVersion::V4,
            check_ident: self.kind == SocketKind::Raw,
        }
    }

    pub(crate) async fn send_to(&self, packet: &[u8], target: IpAddr) -> io::Result<()> {
        // Port 0: ping sockets ignore it and raw sockets require it to be 0 (or the protocol).
        self.socket
            .send_to(packet, SocketAddr::new(target, 0))
            .await
            .map(drop)
    }

    /// Receives one datagram (truncated to `buffer`) and its source address.
    pub(crate) async fn recv_from(&self, buffer: &mut [u8]) -> io::Result<(usize, IpAddr)> {
        let (len, source) = self.socket.recv_from(buffer).await?;
        Ok((len, source.ip()))
    }
}

pub(crate) fn protocol_name(version: IcmpVersion) -> &'static str {
    match version {
        IcmpVersion::V4 => "ICMP",
        IcmpVersion::V6 => "ICMPv6",
    }
}
