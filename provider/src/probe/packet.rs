//! ICMP and ICMPv6 echo messages: building our requests and recognising replies to them.
//!
//! A request is the 8-byte echo header followed by a 16-byte payload: a random per-probe token,
//! the echo index and a marker. A reply is ours only if the source, type, identifier (where we
//! chose it), sequence and the whole payload match, so concurrent probes never steal each
//! other's replies even when raw sockets let every probe see every ICMP packet.

use std::net::IpAddr;

const ECHO_HEADER_LEN: usize = 8;
const PAYLOAD_LEN: usize = 16;
/// Length of an echo request we send.
pub(crate) const REQUEST_LEN: usize = ECHO_HEADER_LEN + PAYLOAD_LEN;
/// Makes our packets recognisable in a capture.
const MARKER: [u8; 4] = *b"PEER";
const IPV4_PROTOCOL_ICMP: u8 = 1;

/// The ICMP flavour a target needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum IcmpVersion {
    V4,
    V6,
}

impl IcmpVersion {
    pub(crate) fn of(address: IpAddr) -> Self {
        match address {
            IpAddr::V4(_) => Self::V4,
            IpAddr::V6(_) => Self::V6,
        }
    }

    fn request_type(self) -> u8 {
        match self {
            Self::V4 => 8,
            Self::V6 => 128,
        }
    }

    pub(crate) fn reply_type(self) -> u8 {
        match self {
            Self::V4 => 0,
            Self::V6 => 129,
        }
    }
}

/// What identifies one probe's requests on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct EchoSession {
    pub(crate) version: IcmpVersion,
    /// Echo identifier. Datagram sockets overwrite it with their port, raw sockets keep it.
    pub(crate) ident: u16,
    /// Random per probe, echoed back in the payload.
    pub(crate) token: u64,
}

impl EchoSession {
    /// The request for the `index`-th echo; its sequence number is `index` modulo 2^16, the full
    /// index also travels in the payload.
    pub(crate) fn request(&self, index: u32) -> [u8; REQUEST_LEN] {
        let mut packet = [0u8; REQUEST_LEN];
        packet[0] = self.version.request_type();
        packet[4..6].copy_from_slice(&self.ident.to_be_bytes());
        packet[6..8].copy_from_slice(&sequence(index).to_be_bytes());
        packet[8..].copy_from_slice(&self.payload(index));
        // The kernel fills in ICMPv6 checksums (they cover a pseudo-header we never see);
        // ICMPv4 ones are ours to compute on raw sockets.
        if self.version == IcmpVersion::V4 {
            let checksum = internet_checksum(&packet);
            packet[2..4].copy_from_slice(&checksum.to_be_bytes());
        }
        packet
    }

    fn payload(&self, index: u32) -> [u8; PAYLOAD_LEN] {
        let mut payload = [0u8; PAYLOAD_LEN];
        payload[..8].copy_from_slice(&self.token.to_be_bytes());
        payload[8..12].copy_from_slice(&index.to_be_bytes());
        payload[12..].copy_from_slice(&MARKER);
        payload
    }
}

/// Recognises replies to one [`EchoSession`] arriving on one socket.
#[derive(Debug, Clone)]
pub(crate) struct ReplyMatcher {
    pub(crate) session: EchoSession,
    pub(crate) target: IpAddr,
    /// Raw IPv4 sockets deliver the IP header in front of the ICMP message.
    pub(crate) has_ipv4_header: bool,
    /// Whether the identifier must be checked: raw sockets see every echo reply on the host;
    /// datagram sockets only get replies the kernel already matched to their identifier.
    pub(crate) check_ident: bool,
}

impl ReplyMatcher {
    /// The echo index `datagram` (received from `source`) answers, if it is a reply to us.
    pub(crate) fn answered_index(&self, datagram: &[u8], source: IpAddr) -> Option<u32> {
        if source.to_canonical() != self.target.to_canonical() {
            return None;
        }
        let icmp = if self.has_ipv4_header {
            strip_ipv4_header(datagram)?
        } else {
            datagram
        };
        if icmp.len() < REQUEST_LEN || icmp[0] != self.session.version.reply_type() || icmp[1] != 0
        {
            return None;
        }
        let ident = u16::from_be_bytes([icmp[4], icmp[5]]);
        if self.check_ident && ident != self.session.ident {
            return None;
        }
        let index = u32::from_be_bytes(icmp[16..20].try_into().ok()?);
        let sequence_matches = u16::from_be_bytes([icmp[6], icmp[7]]) == sequence(index);
        let payload_matches = icmp[8..REQUEST_LEN] == self.session.payload(index);
        (sequence_matches && payload_matches).then_some(index)
    }
}

fn sequence(index: u32) -> u16 {
    (index & 0xffff) as u16
}

/// The ICMP message inside an IPv4 packet carrying ICMP, if it is one.
fn strip_ipv4_header(packet: &[u8]) -> Option<&[u8]> {
    let first = *packet.first()?;
    let header_len = usize::from(first & 0x0f) * 4;
    let is_ipv4_icmp = first >> 4 == 4 && packet.get(9) == Some(&IPV4_PROTOCOL_ICMP);
    (is_ipv4_icmp && header_len >= 20)
        .then(|| packet.get(header_len..))
        .flatten()
}

/// RFC 1071 ones'-complement checksum.
fn internet_checksum(data: &[u8]) -> u16 {
    let mut sum: u32 = data
        .chunks(2)
        .map(|pair| u32::from(u16::from_be_bytes([pair[0], *pair.get(1).unwrap_or(&0)])))
        .sum();
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TARGET: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(127, 0, 0, 2));

    fn session(version: IcmpVersion) -> EchoSession {
        EchoSession {
            version,
            ident: 0x1234,
            token: 0x0102_0304_0506_0708,
        }
    }

    fn matcher(version: IcmpVersion, target: IpAddr, raw: bool) -> ReplyMatcher {
        ReplyMatcher {
            session: session(version),
            target,
            has_ipv4_header: raw && version == IcmpVersion::V4,
            check_ident: raw,
        }
    }

    /// What the peer sends back for `request`: same message with the reply type (the checksum
    /// is not checked by the matcher, the kernel already verified it).
    fn reply_to(request: &[u8], version: IcmpVersion) -> Vec<u8> {
        let mut reply = request.to_vec();
        reply[0] = version.reply_type();
        reply
    }

    fn with_ipv4_header(icmp: &[u8]) -> Vec<u8> {
        let mut packet = vec![0x45, 0, 0, 0, 0, 0, 0, 0, 64, IPV4_PROTOCOL_ICMP, 0, 0];
        packet.extend_from_slice(&[127, 0, 0, 2, 127, 0, 0, 1]);
        packet.extend_from_slice(icmp);
        packet
    }

    #[test]
    fn probe_packet_request_layout_and_checksum() {
        let request = session(IcmpVersion::V4).request(0x0001_0005);
        assert_eq!(request[0], 8);
        assert_eq!(request[1], 0);
        assert_eq!(&request[4..6], &[0x12, 0x34]);
        assert_eq!(
            &request[6..8],
            &[0x00, 0x05],
            "sequence is the index modulo 2^16"
        );
        assert_eq!(&request[8..16], &[1, 2, 3, 4, 5, 6, 7, 8]);
        assert_eq!(&request[16..20], &[0, 1, 0, 5]);
        assert_eq!(&request[20..], b"PEER");
        assert_eq!(
            internet_checksum(&request),
            0,
            "a valid checksum sums to zero"
        );

        let v6 = session(IcmpVersion::V6).request(1);
        assert_eq!(v6[0], 128);
        assert_eq!(&v6[2..4], &[0, 0], "the kernel computes ICMPv6 checksums");
    }

    #[test]
    fn probe_packet_checksum_known_value() {
        // Example from RFC 1071 section 3: sum 0xddf2, checksum its complement.
        let data = [0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7];
        assert_eq!(internet_checksum(&data), !0xddf2);
        assert_eq!(
            internet_checksum(&[0xff]),
            !0xff00,
            "odd length pads with zero"
        );
    }

    #[test]
    fn probe_packet_matches_own_reply_on_every_socket_kind() {
        let v6_target: IpAddr = "::1".parse().unwrap();
        for (version, target) in [(IcmpVersion::V4, TARGET), (IcmpVersion::V6, v6_target)] {
            let reply = reply_to(&session(version).request(7), version);
            let datagram = matcher(version, target, false);
            assert_eq!(datagram.answered_index(&reply, target), Some(7));
            let raw = matcher(version, target, true);
            let on_wire = if version == IcmpVersion::V4 {
                with_ipv4_header(&reply)
            } else {
                reply.clone()
            };
            assert_eq!(raw.answered_index(&on_wire, target), Some(7));
        }
    }

    #[test]
    fn probe_packet_rejects_replies_that_are_not_ours() {
        let version = IcmpVersion::V4;
        let raw = matcher(version, TARGET, true);
        let own = reply_to(&session(version).request(3), version);
        let wire = |icmp: &[u8]| with_ipv4_header(icmp);
        assert_eq!(raw.answered_index(&wire(&own), TARGET), Some(3));

        let other_source: IpAddr = "127.0.0.1".parse().unwrap();
        assert_eq!(raw.answered_index(&wire(&own), other_source), None);

        let mut request_seen_by_raw_socket = own.clone();
        request_seen_by_raw_socket[0] = 8;
        assert_eq!(
            raw.answered_index(&wire(&request_seen_by_raw_socket), TARGET),
            None
        );

        let mut other_ident = own.clone();
        other_ident[5] ^= 1;
        assert_eq!(raw.answered_index(&wire(&other_ident), TARGET), None);

        let mut other_token = own.clone();
        other_token[8] ^= 1;
        assert_eq!(raw.answered_index(&wire(&other_token), TARGET), None);

        let mut sequence_disagrees_with_index = own.clone();
        sequence_disagrees_with_index[7] ^= 1;
        assert_eq!(
            raw.answered_index(&wire(&sequence_disagrees_with_index), TARGET),
            None
        );

        let mut other_code = own.clone();
        other_code[1] = 1;
        assert_eq!(raw.answered_index(&wire(&other_code), TARGET), None);

        assert_eq!(
            raw.answered_index(&wire(&own[..REQUEST_LEN - 1]), TARGET),
            None
        );
        assert_eq!(
            raw.answered_index(&own, TARGET),
            None,
            "raw IPv4 needs the header"
        );
        assert_eq!(raw.answered_index(&[], TARGET), None);
    }

    #[test]
    fn probe_packet_datagram_sockets_accept_kernel_rewritten_ident() {
        let version = IcmpVersion::V4;
        let mut reply = reply_to(&session(version).request(0), version);
        reply[4..6].copy_from_slice(&0xbeefu16.to_be_bytes());
        assert_eq!(
            matcher(version, TARGET, false).answered_index(&reply, TARGET),
            Some(0)
        );
        assert_eq!(
            matcher(version, TARGET, true).answered_index(&with_ipv4_header(&reply), TARGET),
            None
        );
    }

    #[test]
    fn probe_packet_ipv4_mapped_source_matches_ipv4_target() {
        let version = IcmpVersion::V4;
        let reply = reply_to(&session(version).request(0), version);
        let mapped: IpAddr = "::ffff:127.0.0.2".parse().unwrap();
        assert_eq!(
            matcher(version, TARGET, false).answered_index(&reply, mapped),
            Some(0)
        );
    }
}
