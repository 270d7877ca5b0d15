//! The go-plugin handshake: the environment Terraform starts us with and the
//! one stdout line we answer with.

use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::ops::RangeInclusive;

/// Environment variable and value go-plugin uses to tell a plugin it was
/// started by Terraform (not a safety feature, just a "you ran the wrong
/// binary" guard).
pub const MAGIC_COOKIE_KEY: &str = "TF_PLUGIN_MAGIC_COOKIE";
pub const MAGIC_COOKIE_VALUE: &str =
    "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";

/// go-plugin's own protocol version, the first handshake field.
pub const CORE_PROTOCOL_VERSION: u32 = 1;
/// The Terraform plugin protocol major version we speak.
pub const PROTOCOL_VERSION: u32 = 6;

/// go-plugin's port range when `PLUGIN_MIN_PORT`/`PLUGIN_MAX_PORT` are unset.
pub const DEFAULT_PORTS: RangeInclusive<u16> = 10000..=25000;

/// Picks the protocol version from `PLUGIN_PROTOCOL_VERSIONS` (a comma list
/// such as `5,6`). Unset means the host did not negotiate (old go-plugin) and
/// we speak our own. Entries that are not numbers are skipped, as go-plugin
/// does.
pub fn negotiate_protocol(offered: Option<&str>) -> Result<u32, String> {
    let Some(offered) = offered else {
        return Ok(PROTOCOL_VERSION);
    };
    let versions: Vec<u32> = offered
        .split(',')
        .filter_map(|v| v.trim().parse().ok())
        .collect();
    if versions.contains(&PROTOCOL_VERSION) {
        Ok(PROTOCOL_VERSION)
    } else {
        Err(format!(
            "this provider speaks Terraform plugin protocol {PROTOCOL_VERSION}, but the \
             host offered only {offered:?} (PLUGIN_PROTOCOL_VERSIONS). Use Terraform 1.0 \
             or later."
        ))
    }
}

/// The port range from `PLUGIN_MIN_PORT`/`PLUGIN_MAX_PORT`, each defaulting
/// to go-plugin's bound when unset or unparsable.
pub fn port_range(min: Option<&str>, max: Option<&str>) -> Result<RangeInclusive<u16>, String> {
    let parse = |v: Option<&str>, default: u16| {
        v.and_then(|v| v.trim().parse::<u16>().ok())
            .unwrap_or(default)
    };
    let min = parse(min, *DEFAULT_PORTS.start());
    let max = parse(max, *DEFAULT_PORTS.end());
    if min > max {
        return Err(format!(
            "PLUGIN_MIN_PORT ({min}) is greater than PLUGIN_MAX_PORT ({max})"
        ));
    }
    Ok(min..=max)
}

/// Every port of `range` exactly once, starting at `start_offset` (taken
/// modulo the range length) and wrapping around. Starting somewhere other
/// than the bottom keeps several plugins started at the same moment from all
/// racing for the same first port.
pub fn candidate_ports(
    range: RangeInclusive<u16>,
    start_offset: usize,
) -> impl Iterator<Item = u16> {
    let first = usize::from(*range.start());
    let len = usize::from(*range.end()) - first + 1;
    (0..len).map(move |i| {
        let port = first + (start_offset + i) % len;
        u16::try_from(port).expect("port stays within the u16 range it came from")
    })
}

/// Binds 127.0.0.1 on the first free port of `range`.
pub fn bind_in_range(range: RangeInclusive<u16>) -> std::io::Result<TcpListener> {
    let offset = usize::try_from(std::process::id()).unwrap_or(0);
    let mut last_error = None;
    for port in candidate_ports(range.clone(), offset) {
        match TcpListener::bind((Ipv4Addr::LOCALHOST, port)) {
            Ok(listener) => return Ok(listener),
            Err(e) => last_error = Some(e),
        }
    }
    Err(std::io::Error::new(
        std::io::ErrorKind::AddrInUse,
        format!(
            "no free port on 127.0.0.1 in {}..={} (last error: {})",
            range.start(),
            range.end(),
            last_error.map_or_else(|| "empty range".to_string(), |e| e.to_string())
        ),
    ))
}

/// The handshake line, without newline:
/// `CORE|PROTOCOL|tcp|ADDR|grpc|CERT` where CERT is empty without TLS.
pub fn handshake_line(addr: SocketAddr, server_cert: Option<&str>) -> String {
    format!(
        "{CORE_PROTOCOL_VERSION}|{PROTOCOL_VERSION}|tcp|{addr}|grpc|{}",
        server_cert.unwrap_or("")
    )
}

/// The `TF_REATTACH_PROVIDERS` value that points Terraform at a provider
/// already running under a debugger.
pub fn reattach_json(provider_address: &str, pid: u32, addr: SocketAddr) -> String {
    serde_json::json!({
        provider_address: {
            "Protocol": "grpc",
            "ProtocolVersion": PROTOCOL_VERSION,
            "Pid": pid,
            "Test": true,
            "Addr": { "Network": "tcp", "String": addr.to_string() },
        }
    })
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protocol_6_is_chosen_when_offered() {
        assert_eq!(negotiate_protocol(Some("5,6")), Ok(6));
        assert_eq!(negotiate_protocol(Some("6")), Ok(6));
        assert_eq!(negotiate_protocol(Some(" 6 , 7")), Ok(6));
        assert_eq!(negotiate_protocol(Some("x,6")), Ok(6));
    }

    #[test]
    fn protocol_negotiation_fails_without_6() {
        let err = negotiate_protocol(Some("4,5")).unwrap_err();
        assert!(err.contains("protocol 6"), "{err}");
        assert!(negotiate_protocol(Some("")).is_err());
    }

    #[test]
    fn unset_protocol_list_means_ours() {
        assert_eq!(negotiate_protocol(None), Ok(6));
    }

    #[test]
    fn port_range_defaults_to_go_plugin_bounds() {
        assert_eq!(port_range(None, None), Ok(10000..=25000));
        assert_eq!(port_range(Some("30000"), Some("30010")), Ok(30000..=30010));
        assert_eq!(port_range(Some("junk"), Some("12000")), Ok(10000..=12000));
        assert!(port_range(Some("20"), Some("10")).is_err());
    }

    #[test]
    fn candidate_ports_cover_the_range_once_from_the_offset() {
        let ports: Vec<u16> = candidate_ports(100..=104, 7).collect();
        assert_eq!(ports, [102, 103, 104, 100, 101]);
        assert_eq!(candidate_ports(5..=5, 123).collect::<Vec<_>>(), [5]);
        let mut all: Vec<u16> = candidate_ports(10000..=25000, 999_999).collect();
        all.sort_unstable();
        assert_eq!(all, (10000..=25000).collect::<Vec<_>>());
    }

    #[test]
    fn bind_fails_when_the_whole_range_is_taken() {
        let taken = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        let port = taken.local_addr().unwrap().port();
        assert!(bind_in_range(port..=port).is_err());
    }

    #[test]
    fn bind_skips_a_taken_port() {
        // Find a taken port P whose neighbour P+1 is free; the range P..=P+1
        // must then yield P+1 whichever end the search starts from.
        for _ in 0..50 {
            let taken = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
            let port = taken.local_addr().unwrap().port();
            if port == u16::MAX || TcpListener::bind((Ipv4Addr::LOCALHOST, port + 1)).is_err() {
                continue;
            }
            let bound = bind_in_range(port..=port + 1).unwrap();
            assert_eq!(bound.local_addr().unwrap().port(), port + 1);
            return;
        }
        panic!("found no taken port with a free neighbour");
    }

    #[test]
    fn handshake_line_has_the_go_plugin_shape() {
        let addr: SocketAddr = "127.0.0.1:12345".parse().unwrap();
        assert_eq!(
            handshake_line(addr, Some("MIIB")),
            "1|6|tcp|127.0.0.1:12345|grpc|MIIB"
        );
        assert_eq!(handshake_line(addr, None), "1|6|tcp|127.0.0.1:12345|grpc|");
    }

    #[test]
    fn reattach_json_names_the_provider_and_address() {
        let addr: SocketAddr = "127.0.0.1:4242".parse().unwrap();
        let json: serde_json::Value = serde_json::from_str(&reattach_json(
            "registry.terraform.io/peeringmesh/peering",
            77,
            addr,
        ))
        .unwrap();
        let entry = &json["registry.terraform.io/peeringmesh/peering"];
        assert_eq!(entry["Protocol"], "grpc");
        assert_eq!(entry["ProtocolVersion"], 6);
        assert_eq!(entry["Pid"], 77);
        assert_eq!(entry["Test"], true);
        assert_eq!(entry["Addr"]["Network"], "tcp");
        assert_eq!(entry["Addr"]["String"], "127.0.0.1:4242");
    }
}
