//! Names of everything a lab creates, derived from EC2 ids so they stay the
//! same from one sync to the next, and the fixed addresses of its links.
//!
//! Namespaces: `<lab>-run`, `<lab>-r-<vpc>`, `<lab>-h-<instance>`, where
//! `<lab>` is `ptl<pid>x...` (see `test_support::netns`). Interfaces (at most 15
//! bytes): in a router `s<subnet>` (bridge), `h<instance>` (host port),
//! `p<peering>` (peering link, same name at both ends), `igw0` (to the
//! runner); in a host `eth0`; in the runner `g<vpc>`.

use std::net::{Ipv4Addr, Ipv6Addr};

/// Links between namespaces carry only /32 addresses from 169.254/16 with
/// `onlink` next hops. Each VPC router has one such address, used on all its
/// peering and gateway links: the n-th VPC (by id) gets `ROUTER_IPS_FROM + n + 1`.
/// (One address per link role would not do: a router that is the requester
/// of one peering and the accepter of another would own its peer's address.)
pub const ROUTER_IPS_FROM: Ipv4Addr = Ipv4Addr::new(169, 254, 16, 0);
/// The runner's address on every gateway link: what an instance sees as the
/// source of a connection from "the internet".
pub const RUNNER_IP: Ipv4Addr = Ipv4Addr::new(169, 254, 1, 2);

/// IPv6 on the same links: link-local addresses (no prefix to route, valid on
/// every link at once), the n-th VPC's router `ROUTER_IP6S_FROM + n + 1`, the
/// runner [`RUNNER_LINK_IP6`]. Routes name them as next hops.
pub const ROUTER_IP6S_FROM: Ipv6Addr = Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 1, 0);
pub const RUNNER_LINK_IP6: Ipv6Addr = Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 2);
/// The runner's own IPv6 address, the source hosts see for a connection from
/// "the internet": routers do not forward packets from link-local sources, so
/// the runner needs a global one. From the documentation range (RFC 3849), which
/// no real network routes and EC2 never hands out.
pub const RUNNER_IP6: Ipv6Addr = Ipv6Addr::new(0x2001, 0xdb8, 0xffff, 0xffff, 0, 0, 0, 2);

pub const HOST_LINK: &str = "eth0";
pub const ROUTER_GATEWAY_LINK: &str = "igw0";

/// Up to 11 lowercase alphanumerics from the end of an id, after its
/// `kind-` prefix: `subnet-0123456789abcdef0` -> `6789abcdef0`: enough to
/// tell real ids apart; [`super::plan`] rejects a spec where two collide.
pub fn short(id: &str) -> String {
    let body = id.split_once('-').map_or(id, |(_, rest)| rest);
    let clean: Vec<char> = body
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    clean[clean.len().saturating_sub(11)..].iter().collect()
}

pub fn bridge(subnet_id: &str) -> String {
    format!("s{}", short(subnet_id))
}

pub fn host_port(instance_id: &str) -> String {
    format!("h{}", short(instance_id))
}

pub fn peering_link(peering_id: &str) -> String {
    format!("p{}", short(peering_id))
}

pub fn runner_gateway_link(vpc_id: &str) -> String {
    format!("g{}", short(vpc_id))
}

/// Namespace names of one lab.
#[derive(Debug, Clone)]
pub struct Names {
    pub lab: String,
}

impl Names {
    pub fn runner(&self) -> String {
        format!("{}-run", self.lab)
    }

    pub fn router(&self, vpc_id: &str) -> String {
        format!("{}-r-{}", self.lab, short(vpc_id))
    }

    pub fn host(&self, instance_id: &str) -> String {
        format!("{}-h-{}", self.lab, short(instance_id))
    }

    /// True for every namespace of this lab.
    pub fn owns(&self, namespace: &str) -> bool {
        namespace
            .strip_prefix(self.lab.as_str())
            .is_some_and(|rest| rest.starts_with('-'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_names_fit_interfaces_and_keep_the_distinct_end_of_ids() {
        assert_eq!(short("subnet-0123456789abcdef0"), "6789abcdef0");
        assert_eq!(short("vpc-a"), "a");
        assert_eq!(short("pcx-ab"), "ab");
        assert_eq!(short("vpc-a-main"), "amain");
        assert!(bridge("subnet-0123456789abcdef0").len() <= 15);
        let names = Names {
            lab: "ptl1x0".into(),
        };
        assert!(names.owns("ptl1x0-run"));
        assert!(!names.owns("ptl1x01-run"));
    }
}
