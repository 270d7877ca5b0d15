//! What a diagnosis can find wrong, one variant per broken component, and the sentence
//! that names it. Faults compare by value, so the same component found through several
//! failing results (both directions of a pair, every host of two VPCs) is reported once.

use std::fmt;

use super::names::{echo_sources, group_refs, route_clauses};
pub use super::names::{ObjectRef, RouteProblem, Sources, Unknown, VpcRef};
use super::snapshot::{InstanceState, PeeringStatus};

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Fault {
    /// The instance behind a host is not running (stopped, pending, stopping...).
    NotRunning {
        host: String,
        instance_id: String,
        state: InstanceState,
    },
    /// Nobody reaches a running host although every path to it looks right.
    HostSilent { host: String, instance_id: String },
    /// No live peering connection between two VPCs (sorted). `dead` are the peerings
    /// (sorted) that their route tables still send each other's traffic to although EC2
    /// no longer lists them as live: a peering deleted (or rejected, failed, expired).
    NoPeering {
        vpcs: [VpcRef; 2],
        dead: Vec<String>,
    },
    /// The peering between two VPCs (sorted names) exists but is not active.
    PeeringInactive {
        peering: ObjectRef,
        status: PeeringStatus,
        vpcs: [String; 2],
    },
    /// Routes of one table that do not lead to the peer VPCs. Built with one problem per
    /// failing result; the diagnosis merges those of the same table, so a table is one
    /// sentence however many of its routes are wrong.
    Routes {
        table: ObjectRef,
        problems: Vec<RouteProblem>,
    },
    /// The instance behind a host has no IPv6 address, yet a probe from it went to an IPv6
    /// address: it has no address to send from.
    NoIpv6Address { host: String, instance_id: String },
    /// A VPC on an IPv6 path has no IPv6 block, so no route can lead IPv6 traffic to or
    /// from it.
    NoIpv6Block { vpc: VpcRef },
    /// No ingress rule of the target's groups (in VPC `vpc`) admits echo from the source
    /// (ICMP from its IPv4 address, ICMPv6 from its IPv6 one). Never built from an empty group list: EC2 never leaves one empty, so that
    /// is a fact not read, not a group that blocks.
    /// Built for one host and one source; the diagnosis merges those of the same groups
    /// into one fault, so a group is named once however many pairs it blocks.
    IcmpBlocked {
        groups: Vec<ObjectRef>,
        vpc: String,
        hosts: Vec<String>,
        sources: Vec<Sources>,
    },
    /// Everything this check sees is in place between two hosts (sorted), yet they fail.
    DataPlane { hosts: [String; 2] },
    /// Two VPCs (sorted names) that should not reach each other do; `peering` is the
    /// active peering between them, if any.
    UnexpectedPath {
        vpcs: [String; 2],
        peering: Option<String>,
    },
    /// The snapshot lacks what is needed to check a host's path.
    NoFacts { host: String, missing: Unknown },
}

impl Fault {
    pub fn is_no_facts(&self) -> bool {
        matches!(self, Fault::NoFacts { .. })
    }

    /// Folds `other` into `self` when both are the same groups blocking ICMP echo, or
    /// routes of the same table. False (nothing changed) otherwise.
    pub fn absorb(&mut self, other: &Fault) -> bool {
        if let (
            Fault::Routes { table, problems },
            Fault::Routes {
                table: other_table,
                problems: other_problems,
            },
        ) = (&mut *self, other)
        {
            if table != other_table {
                return false;
            }
            for p in other_problems {
                if !problems.contains(p) {
                    problems.push(p.clone());
                }
            }
            return true;
        }
        let (
            Fault::IcmpBlocked {
                groups,
                hosts,
                sources,
                ..
            },
            Fault::IcmpBlocked {
                groups: other_groups,
                hosts: other_hosts,
                sources: other_sources,
                ..
            },
        ) = (self, other)
        else {
            return false;
        };
        if groups != other_groups {
            return false;
        }
        for h in other_hosts {
            if !hosts.contains(h) {
                hosts.push(h.clone());
            }
        }
        for o in other_sources {
            match sources.iter_mut().find(|s| s.same_block(o)) {
                Some(s) => {
                    for a in &o.addrs {
                        if !s.addrs.contains(a) {
                            s.addrs.push(*a);
                        }
                    }
                }
                None => sources.push(o.clone()),
            }
        }
        true
    }
}

/// The two values in sorted order, so either direction builds the same fault.
pub fn sorted<T: Ord>(a: T, b: T) -> [T; 2] {
    if a <= b {
        [a, b]
    } else {
        [b, a]
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Fault::NotRunning {
                host,
                instance_id,
                state,
            } => write!(
                f,
                "instance {instance_id} (host {host}) is {}",
                state.as_str()
            ),
            Fault::HostSilent { host, instance_id } => write!(
                f,
                "host {host} answers no source although instance {instance_id} is running and every path to it looks right: look at the host itself (firewall, ICMP settings, hung system)"
            ),
            Fault::NoPeering { vpcs: [a, b], dead } => {
                write!(
                    f,
                    "peering {}:{} is missing: no peering connection between VPC {} ({}) and VPC {} ({})",
                    a.name, b.name, a.name, a.id, b.name, b.id
                )?;
                match dead.as_slice() {
                    [] => Ok(()),
                    [id] => write!(f, "; their routes still lead to peering {id}, which EC2 no longer lists: it was deleted (or rejected, failed, expired)"),
                    ids => write!(f, "; their routes still lead to peerings {}, which EC2 no longer lists: they were deleted (or rejected, failed, expired)", ids.join(", ")),
                }
            }
            Fault::PeeringInactive { peering, status, vpcs: [a, b] } => write!(
                f,
                "{peering} between VPC {a} and VPC {b} is {}, not active",
                status.as_str()
            ),
            Fault::Routes { table, problems } => {
                write!(f, "{table} {}", route_clauses(problems).join("; it "))
            }
            Fault::IcmpBlocked { groups: ids, vpc, hosts, sources } => {
                let verb = if ids.len() == 1 { "has" } else { "have" };
                let noun = if hosts.len() == 1 { "host" } else { "hosts" };
                write!(
                    f,
                    "{} of VPC {vpc} ({noun} {}) {verb} no inbound rule for {}",
                    group_refs(ids),
                    hosts.join(", "),
                    echo_sources(sources)
                )
            }
            Fault::NoIpv6Address { host, instance_id } => write!(
                f,
                "instance {instance_id} (host {host}) has no IPv6 address, so it cannot send IPv6 echo requests: give it one in a subnet with an IPv6 block"
            ),
            Fault::NoIpv6Block { vpc } => write!(
                f,
                "VPC {} ({}) has no IPv6 CIDR block, so no route leads IPv6 traffic to or from it (ipv6 = true in the mesh)",
                vpc.name, vpc.id
            ),
            Fault::DataPlane { hosts: [a, b] } => write!(
                f,
                "control plane looks right between hosts {a} and {b}: a data-plane problem (host firewall, network ACL or the network itself)"
            ),
            Fault::UnexpectedPath { vpcs: [a, b], peering: Some(id) } => write!(
                f,
                "VPC {a} and VPC {b} are joined by active peering {id}, which expect does not list: expect is out of date or the peering is not the mesh's"
            ),
            Fault::UnexpectedPath { vpcs: [a, b], peering: None } => write!(
                f,
                "traffic flows between VPC {a} and VPC {b} with no active peering between them: peering is not transitive, so it takes a path outside the mesh (transit gateway, VPN, proxy)"
            ),
            Fault::NoFacts { host, missing } => {
                write!(f, "no EC2 facts for host {host}: {missing}")
            }
        }
    }
}
