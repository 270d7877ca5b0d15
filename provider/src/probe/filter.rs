//! A classic BPF socket filter for raw ICMP sockets: keep only echo replies carrying our
//! identifier. Every raw socket receives a copy of every ICMP packet in the namespace, so
//! without it 50 concurrent probes would wake each other up 50 times per packet. The filter
//! only saves work; [`super::packet::ReplyMatcher`] still checks every packet it lets through.

use socket2::SockFilter;

use super::packet::IcmpVersion;

// Opcode parts from linux/filter.h.
const BPF_LD: u16 = 0x00;
const BPF_LDX: u16 = 0x01;
const BPF_JMP: u16 = 0x05;
const BPF_RET: u16 = 0x06;
const BPF_H: u16 = 0x08;
const BPF_B: u16 = 0x10;
const BPF_ABS: u16 = 0x20;
const BPF_IND: u16 = 0x40;
/// `X = 4 * (P[k] & 0xf)`: the IPv4 header length.
const BPF_MSH: u16 = 0xa0;
const BPF_JEQ: u16 = 0x10;
const BPF_K: u16 = 0x00;

const ACCEPT_WHOLE_PACKET: u32 = u32::MAX;
const DROP: u32 = 0;

/// The program for a raw socket of `version` whose echo identifier is `ident`.
///
/// Raw IPv4 sockets are handed the packet from its IP header, raw ICMPv6 sockets from the
/// ICMPv6 header, so the IPv4 program first puts the header length into X and loads relative
/// to it; the rest reads "type == echo reply && identifier == ours".
pub(crate) fn echo_replies_with_ident(version: IcmpVersion, ident: u16) -> Vec<SockFilter> {
    let (mut program, load_mode) = match version {
        IcmpVersion::V4 => (
            vec![SockFilter::new(BPF_LDX | BPF_B | BPF_MSH, 0, 0, 0)],
            BPF_IND,
        ),
        IcmpVersion::V6 => (Vec::new(), BPF_ABS),
    };
    // Jump offsets count instructions after the jump: "false" of both tests lands on DROP.
    program.extend([
        SockFilter::new(BPF_LD | BPF_B | load_mode, 0, 0, 0),
        SockFilter::new(BPF_JMP | BPF_JEQ | BPF_K, 0, 3, version.reply_type().into()),
        SockFilter::new(BPF_LD | BPF_H | load_mode, 0, 0, 4),
        SockFilter::new(BPF_JMP | BPF_JEQ | BPF_K, 0, 1, ident.into()),
        SockFilter::new(BPF_RET | BPF_K, 0, 0, ACCEPT_WHOLE_PACKET),
        SockFilter::new(BPF_RET | BPF_K, 0, 0, DROP),
    ]);
    program
}
