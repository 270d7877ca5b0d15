//! Explaining why no ICMP socket could be opened, precisely enough to fix it.
//!
//! The kernel allows an unprivileged datagram ICMP socket (IPv4 and IPv6 alike) when the
//! effective group or a supplementary group of the caller lies in `net.ipv4.ping_group_range`
//! of its network namespace; a raw socket needs `CAP_NET_RAW`. Both facts are read from /proc
//! for the calling thread, since capabilities and network namespaces are per thread.

use std::io;
use std::path::Path;

use super::packet::IcmpVersion;
use super::socket::protocol_name;

const PING_GROUP_RANGE: &str = "/proc/sys/net/ipv4/ping_group_range";
const CAP_NET_RAW_BIT: u32 = 13;

/// The message for [`super::ProbeError::Permission`], after both socket kinds were refused.
pub(crate) fn diagnose(
    version: IcmpVersion,
    datagram_error: &io::Error,
    raw_error: &io::Error,
) -> String {
    let status = read_thread_status();
    let facts = PermissionFacts {
        version,
        ping_group_range: std::fs::read_to_string(PING_GROUP_RANGE)
            .ok()
            .and_then(|text| parse_group_range(&text)),
        groups: status.as_deref().and_then(parse_groups),
        has_cap_net_raw: status.as_deref().and_then(parse_cap_net_raw),
        binary: std::env::current_exe()
            .ok()
            .map(|path| path.display().to_string()),
        datagram_denied: datagram_error.kind() == io::ErrorKind::PermissionDenied,
        datagram_error: datagram_error.to_string(),
        raw_error: raw_error.to_string(),
    };
    facts.describe()
}

/// The process's groups as the ping-socket check sees them.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Groups {
    effective: u32,
    supplementary: Vec<u32>,
}

/// Everything the message depends on, gathered first so the wording is testable.
#[derive(Debug, Clone)]
struct PermissionFacts {
    version: IcmpVersion,
    /// Inclusive range; `None` if it could not be read.
    ping_group_range: Option<(u32, u32)>,
    groups: Option<Groups>,
    has_cap_net_raw: Option<bool>,
    binary: Option<String>,
    datagram_denied: bool,
    datagram_error: String,
    raw_error: String,
}

impl PermissionFacts {
    fn describe(&self) -> String {
        let (datagram_problem, sysctl_would_help) = self.datagram_problem();
        let raw_problem = match self.has_cap_net_raw {
            Some(false) => "raw sockets need CAP_NET_RAW, which this process lacks".to_string(),
            Some(true) => format!(
                "raw sockets were refused ({}) although the process has CAP_NET_RAW \
                 (a security policy such as seccomp, SELinux or AppArmor may forbid them)",
                self.raw_error
            ),
            None => format!("raw sockets need CAP_NET_RAW ({})", self.raw_error),
        };
        let binary = self.binary.as_deref().unwrap_or("BINARY");
        let grant = format!("grant CAP_NET_RAW (setcap cap_net_raw+ep {binary})");
        let fix = if sysctl_would_help {
            format!("run `sysctl -w net.ipv4.ping_group_range=\"0 2147483647\"` or {grant}")
        } else {
            grant
        };
        format!(
            "cannot send {}: {datagram_problem} and {raw_problem}. Fix: {fix}",
            protocol_name(self.version)
        )
    }

    /// What is wrong with datagram sockets, and whether widening the sysctl range would help.
    fn datagram_problem(&self) -> (String, bool) {
        if !self.datagram_denied {
            let problem = format!(
                "unprivileged ICMP sockets are unavailable ({})",
                self.datagram_error
            );
            return (problem, false);
        }
        let (Some((low, high)), Some(groups)) = (self.ping_group_range, &self.groups) else {
            let problem = format!(
                "unprivileged ICMP sockets were refused ({}) and {PING_GROUP_RANGE} could not be read",
                self.datagram_error
            );
            return (problem, true);
        };
        let range = format!("net.ipv4.ping_group_range is \"{low} {high}\"");
        let all = std::iter::once(groups.effective).chain(groups.supplementary.iter().copied());
        if let Some(allowed) = all.into_iter().find(|gid| (low..=high).contains(gid)) {
            let problem = format!(
                "unprivileged ICMP sockets were refused ({}) although {range} and includes group \
                 {allowed} (a security policy such as seccomp, SELinux or AppArmor may forbid them)",
                self.datagram_error
            );
            return (problem, false);
        }
        let mut excluded = format!("group {}", groups.effective);
        if !groups.supplementary.is_empty() {
            let list: Vec<String> = groups.supplementary.iter().map(u32::to_string).collect();
            excluded.push_str(&format!(" or its supplementary groups {}", list.join(", ")));
        }
        let disabled = if low > high {
            "disabled"
        } else {
            "not allowed for this process"
        };
        let problem = format!(
            "unprivileged ICMP sockets are {disabled} ({range} and does not include {excluded})"
        );
        (problem, true)
    }
}

/// `/proc/thread-self/status` (per-thread capabilities), or the process's on old kernels.
fn read_thread_status() -> Option<String> {
    ["/proc/thread-self/status", "/proc/self/status"]
        .iter()
        .find_map(|path| std::fs::read_to_string(Path::new(path)).ok())
}

fn parse_group_range(text: &str) -> Option<(u32, u32)> {
    let mut numbers = text.split_whitespace().map(str::parse::<u32>);
    match (numbers.next(), numbers.next(), numbers.next()) {
        (Some(Ok(low)), Some(Ok(high)), None) => Some((low, high)),
        _ => None,
    }
}

fn status_field<'a>(status: &'a str, name: &str) -> Option<&'a str> {
    status.lines().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        (key == name).then_some(value.trim())
    })
}

fn parse_groups(status: &str) -> Option<Groups> {
    // "Gid:" lists real, effective, saved and filesystem group ids.
    let effective = status_field(status, "Gid")?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    let supplementary = status_field(status, "Groups")?
        .split_whitespace()
        .map(str::parse)
        .collect::<Result<_, _>>()
        .ok()?;
    Some(Groups {
        effective,
        supplementary,
    })
}

fn parse_cap_net_raw(status: &str) -> Option<bool> {
    let effective = u64::from_str_radix(status_field(status, "CapEff")?, 16).ok()?;
    Some(effective & (1 << CAP_NET_RAW_BIT) != 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    const STATUS: &str = "Name:\tterraform-provider-peering\nUid:\t1000\t1000\t1000\t1000\n\
        Gid:\t1000\t1001\t1000\t1000\nGroups:\t4 24 \nCapInh:\t0000000000000000\n\
        CapEff:\t0000000000000000\n";

    fn facts() -> PermissionFacts {
        PermissionFacts {
            version: IcmpVersion::V4,
            ping_group_range: Some((1, 0)),
            groups: Some(Groups {
                effective: 1000,
                supplementary: vec![],
            }),
            has_cap_net_raw: Some(false),
            binary: Some("/usr/bin/terraform-provider-peering".into()),
            datagram_denied: true,
            datagram_error: "Permission denied (os error 13)".into(),
            raw_error: "Operation not permitted (os error 1)".into(),
        }
    }

    #[test]
    fn probe_permission_default_sysctl_and_no_capability() {
        assert_eq!(
            facts().describe(),
            "cannot send ICMP: unprivileged ICMP sockets are disabled (net.ipv4.ping_group_range \
             is \"1 0\" and does not include group 1000) and raw sockets need CAP_NET_RAW, which \
             this process lacks. Fix: run `sysctl -w net.ipv4.ping_group_range=\"0 2147483647\"` \
             or grant CAP_NET_RAW (setcap cap_net_raw+ep /usr/bin/terraform-provider-peering)"
        );
    }

    #[test]
    fn probe_permission_range_excludes_all_groups_of_the_process() {
        let mut facts = facts();
        facts.version = IcmpVersion::V6;
        facts.ping_group_range = Some((100, 200));
        facts.groups = Some(Groups {
            effective: 1000,
            supplementary: vec![4, 24],
        });
        let message = facts.describe();
        assert!(message.starts_with(
            "cannot send ICMPv6: unprivileged ICMP sockets are not allowed for this process \
             (net.ipv4.ping_group_range is \"100 200\" and does not include group 1000 or its \
             supplementary groups 4, 24)"
        ));
        assert!(message.contains("sysctl -w"));
    }

    #[test]
    fn probe_permission_range_includes_group_so_only_capability_fix_is_offered() {
        let mut facts = facts();
        facts.ping_group_range = Some((0, 2_147_483_647));
        facts.has_cap_net_raw = Some(true);
        let message = facts.describe();
        assert!(message.contains("includes group 1000"), "{message}");
        assert!(message.contains("security policy"), "{message}");
        assert!(
            message.contains("although the process has CAP_NET_RAW"),
            "{message}"
        );
        assert!(!message.contains("sysctl -w"), "{message}");
    }

    #[test]
    fn probe_permission_unknown_facts_still_say_what_to_do() {
        let mut facts = facts();
        facts.ping_group_range = None;
        facts.has_cap_net_raw = None;
        facts.binary = None;
        let message = facts.describe();
        assert!(message.contains("could not be read"), "{message}");
        assert!(message.contains("raw sockets need CAP_NET_RAW (Operation not permitted"));
        assert!(
            message.ends_with("setcap cap_net_raw+ep BINARY)"),
            "{message}"
        );
    }

    #[test]
    fn probe_permission_datagram_unsupported_is_not_blamed_on_the_sysctl() {
        let mut facts = facts();
        facts.datagram_denied = false;
        facts.datagram_error = "Protocol not supported (os error 93)".into();
        let message = facts.describe();
        assert!(
            message.contains("unavailable (Protocol not supported"),
            "{message}"
        );
        assert!(!message.contains("sysctl -w"), "{message}");
    }

    #[test]
    fn probe_permission_parses_proc_files() {
        assert_eq!(parse_group_range("1\t0\n"), Some((1, 0)));
        assert_eq!(
            parse_group_range("0\t2147483647\n"),
            Some((0, 2_147_483_647))
        );
        assert_eq!(parse_group_range("garbage"), None);
        assert_eq!(
            parse_groups(STATUS),
            Some(Groups {
                effective: 1001,
                supplementary: vec![4, 24],
            })
        );
        assert_eq!(parse_cap_net_raw(STATUS), Some(false));
        let privileged = STATUS.replace("CapEff:\t0000000000000000", "CapEff:\t000001fffeffffff");
        assert_eq!(parse_cap_net_raw(&privileged), Some(true));
        let only_raw = STATUS.replace("CapEff:\t0000000000000000", "CapEff:\t0000000000002000");
        assert_eq!(parse_cap_net_raw(&only_raw), Some(true));
    }
}
