use super::*;

fn summary(transmitted: u32, received: u32, rtt_ms: Option<(f64, f64, f64)>) -> PingSummary {
    PingSummary {
        transmitted,
        received,
        rtt_ms,
    }
}

#[test]
fn ping_parse_iputils_success() {
    let output = "\
PING 10.2.1.29 (10.2.1.29) 56(84) bytes of data.
64 bytes from 10.2.1.29: icmp_seq=1 ttl=64 time=0.129 ms
64 bytes from 10.2.1.29: icmp_seq=2 ttl=64 time=0.040 ms

--- 10.2.1.29 ping statistics ---
2 packets transmitted, 2 received, 0% packet loss, time 1022ms
rtt min/avg/max/mdev = 0.040/0.084/0.129/0.044 ms
";
    assert_eq!(
        parse(output),
        Some(summary(2, 2, Some((0.040, 0.084, 0.129))))
    );
}

#[test]
fn ping_parse_iputils_total_loss() {
    let silent = "\
PING 10.4.1.22 (10.4.1.22) 56(84) bytes of data.

--- 10.4.1.22 ping statistics ---
2 packets transmitted, 0 received, 100% packet loss, time 1032ms

";
    assert_eq!(parse(silent), Some(summary(2, 0, None)));
    // No neighbour answers ARP: errors are counted too.
    let no_neighbour = "\
PING 10.78.0.250 (10.78.0.250) 56(84) bytes of data.
From 10.78.0.11 icmp_seq=1 Destination Host Unreachable
From 10.78.0.11 icmp_seq=2 Destination Host Unreachable

--- 10.78.0.250 ping statistics ---
2 packets transmitted, 0 received, +2 errors, 100% packet loss, time 1019ms
pipe 2
";
    let parsed = parse(no_neighbour).unwrap();
    assert_eq!(parsed, summary(2, 0, None));
    let address = "10.78.0.250".parse().unwrap();
    let result = parsed.into_result("h1", "nobody", address);
    assert_eq!((result.sent, result.received), (2, 0));
    assert_eq!(result.loss_percent, 100.0);
    assert!(!result.reachable);
    assert_eq!(result.rtt_avg_ms, None);
}

#[test]
fn ping_parse_iputils_partial_loss_and_duplicates() {
    let output = "\
PING 10.3.1.129 (10.3.1.129) 56(84) bytes of data.
64 bytes from 10.3.1.129: icmp_seq=1 ttl=63 time=1.52 ms
64 bytes from 10.3.1.129: icmp_seq=3 ttl=63 time=1.10 ms
64 bytes from 10.3.1.129: icmp_seq=3 ttl=63 time=1.31 ms (DUP!)

--- 10.3.1.129 ping statistics ---
3 packets transmitted, 2 received, +1 duplicates, 33.3333% packet loss, time 2003ms
rtt min/avg/max/mdev = 1.100/1.310/1.520/0.171 ms
";
    let parsed = parse(output).unwrap();
    assert_eq!(parsed, summary(3, 2, Some((1.1, 1.31, 1.52))));
    let result = parsed.into_result("a", "b", "10.3.1.129".parse().unwrap());
    assert!((result.loss_percent - 100.0 / 3.0).abs() < 1e-9);
    assert_eq!(result.rtt_min_ms, Some(1.1));
    assert_eq!(result.rtt_avg_ms, Some(1.31));
    assert_eq!(result.rtt_max_ms, Some(1.52));
    assert!(result.reachable);
}

#[test]
fn ping_parse_busybox() {
    let success = "\
PING 10.2.1.29 (10.2.1.29): 56 data bytes
64 bytes from 10.2.1.29: seq=0 ttl=64 time=0.075 ms
64 bytes from 10.2.1.29: seq=1 ttl=64 time=0.089 ms

--- 10.2.1.29 ping statistics ---
2 packets transmitted, 2 packets received, 0% packet loss
round-trip min/avg/max = 0.075/0.082/0.089 ms
";
    assert_eq!(
        parse(success),
        Some(summary(2, 2, Some((0.075, 0.082, 0.089))))
    );
    let partial = "\
PING 10.2.1.29 (10.2.1.29): 56 data bytes
64 bytes from 10.2.1.29: seq=1 ttl=64 time=0.101 ms

--- 10.2.1.29 ping statistics ---
2 packets transmitted, 1 packets received, 1 duplicates, 50% packet loss
round-trip min/avg/max = 0.101/0.101/0.101 ms
";
    assert_eq!(
        parse(partial),
        Some(summary(2, 1, Some((0.101, 0.101, 0.101))))
    );
    let lost = "\
PING 10.4.1.22 (10.4.1.22): 56 data bytes

--- 10.4.1.22 ping statistics ---
2 packets transmitted, 0 packets received, 100% packet loss
";
    assert_eq!(parse(lost), Some(summary(2, 0, None)));
}

#[test]
fn ping_parse_ipv6() {
    let iputils = "\
PING fd00::29(fd00::29) 56 data bytes
64 bytes from fd00::29: icmp_seq=1 ttl=64 time=0.030 ms
64 bytes from fd00::29: icmp_seq=2 ttl=64 time=0.046 ms

--- fd00::29 ping statistics ---
2 packets transmitted, 2 received, 0% packet loss, time 1012ms
rtt min/avg/max/mdev = 0.030/0.038/0.046/0.008 ms
";
    let parsed = parse(iputils).unwrap();
    assert_eq!(parsed, summary(2, 2, Some((0.030, 0.038, 0.046))));
    let address: IpAddr = "fd00::29".parse().unwrap();
    let result = parsed.into_result("a", "b", address);
    assert_eq!(result.address, address);
    assert_eq!(result.loss_percent, 0.0);
    let busybox = "\
PING fd00::29 (fd00::29): 56 data bytes
64 bytes from fd00::29: seq=0 ttl=64 time=0.061 ms

--- fd00::29 ping statistics ---
1 packets transmitted, 1 packets received, 0% packet loss
round-trip min/avg/max = 0.061/0.061/0.061 ms
";
    assert_eq!(
        parse(busybox),
        Some(summary(1, 1, Some((0.061, 0.061, 0.061))))
    );
}

#[test]
fn ping_parse_without_statistics_is_none() {
    assert_eq!(parse(""), None);
    assert_eq!(parse("ping: connect: Network is unreachable\n"), None);
    assert_eq!(parse("sh: 1: ping: not found\n"), None);
    // A summary line cut short does not invent counts.
    assert_eq!(parse("2 packets transmitted, \n"), None);
}

#[test]
fn ping_parse_odd_rtt_units_and_garbage() {
    assert_eq!(
        parse_rtt("round-trip min/avg/max = 500/750/1000 us"),
        Some((0.5, 0.75, 1.0))
    );
    assert_eq!(parse_rtt("rtt min/avg/max/mdev = a/b/c/d ms"), None);
    assert_eq!(parse_rtt("rtt min/avg/max/mdev = 1/2 ms"), None);
    assert_eq!(parse_rtt("rtt min/avg/max/mdev = 1/2/3/4 furlongs"), None);
    // Received but no rtt line (e.g. cut output): counts without times.
    let output = "1 packets transmitted, 1 received, 0% packet loss\n";
    assert_eq!(parse(output), Some(summary(1, 1, None)));
}
