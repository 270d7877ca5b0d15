//! EC2 (and STS) API actions. Call logs, fault injection, pacing and the call counters
//! of benchmarks all speak in [`Action`]s; they are written out as AWS spells them.

use std::cmp::Ordering;
use std::fmt;

/// Declares [`Action`] with one variant per call the provider makes. A variant is named
/// exactly as AWS spells the action, so its text is the variant's name and no list of
/// names can drift from the variants.
macro_rules! actions {
    ($($(#[$doc:meta])* $name:ident,)*) => {
        /// Which EC2 (or STS) API an operation uses; drives pacing, fault injection and
        /// the call counts of benchmarks.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Action {
            $($(#[$doc])* $name,)*
        }

        impl Action {
            /// Every action, in declaration order.
            pub const ALL: &'static [Action] = &[$(Action::$name,)*];

            /// The action as AWS spells it (`CreateVpc`).
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Action::$name => stringify!($name),)*
                }
            }
        }
    };
}

actions! {
    /// STS: the account of the credentials, for the mesh id.
    GetCallerIdentity,

    DescribeVpcs,
    DescribeSubnets,
    DescribeRouteTables,
    DescribeInternetGateways,
    DescribeSecurityGroups,
    DescribeVpcPeeringConnections,
    /// One per VPC the mesh owns, in `inventory` (EC2 has no batch form).
    DescribeVpcAttribute,
    /// Only the connectivity diagnosis lists instances; the mesh never touches them.
    DescribeInstances,

    CreateVpc,
    ModifyVpcAttribute,
    DeleteVpc,
    CreateSubnet,
    DeleteSubnet,
    CreateRouteTable,
    AssociateRouteTable,
    DisassociateRouteTable,
    DeleteRouteTable,
    CreateInternetGateway,
    AttachInternetGateway,
    DetachInternetGateway,
    DeleteInternetGateway,
    CreateRoute,
    ReplaceRoute,
    DeleteRoute,
    CreateSecurityGroup,
    DeleteSecurityGroup,
    AuthorizeSecurityGroupIngress,
    RevokeSecurityGroupIngress,
    CreateVpcPeeringConnection,
    AcceptVpcPeeringConnection,
    ModifyVpcPeeringConnectionOptions,
    DeleteVpcPeeringConnection,
    CreateTags,
    DeleteTags,
    /// IPv6: an Amazon-provided /56 for a VPC, a /64 of it for a subnet.
    AssociateVpcCidrBlock,
    DisassociateVpcCidrBlock,
    AssociateSubnetCidrBlock,
    DisassociateSubnetCidrBlock,
}

impl Action {
    /// A `Describe*` call: reads, and counts as the cost of a refresh.
    pub fn is_describe(self) -> bool {
        self.as_str().starts_with("Describe")
    }

    /// Whether the action changes something (all but `Describe*` and STS's
    /// `GetCallerIdentity`, which finds the account for the mesh id).
    pub fn is_mutating(self) -> bool {
        !self.is_describe() && self != Action::GetCallerIdentity
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Alphabetical, as AWS spells them: counters and call logs list actions in that order.
impl Ord for Action {
    fn cmp(&self, other: &Self) -> Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl PartialOrd for Action {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[cfg(test)]
mod tests {
    use super::Action;

    #[test]
    fn actions_read_as_aws_spells_them() {
        assert_eq!(Action::CreateVpc.as_str(), "CreateVpc");
        assert_eq!(
            Action::AuthorizeSecurityGroupIngress.to_string(),
            "AuthorizeSecurityGroupIngress"
        );
        let mut sorted = Action::ALL.to_vec();
        sorted.sort();
        let names: Vec<&str> = sorted.iter().map(|a| a.as_str()).collect();
        let mut alphabetical = names.clone();
        alphabetical.sort_unstable();
        assert_eq!(names, alphabetical);
        alphabetical.dedup();
        assert_eq!(alphabetical.len(), Action::ALL.len(), "no name twice");
    }

    #[test]
    fn describes_and_the_account_lookup_change_nothing() {
        assert!(Action::DescribeVpcAttribute.is_describe());
        assert!(!Action::DescribeVpcAttribute.is_mutating());
        assert!(!Action::GetCallerIdentity.is_mutating());
        assert!(!Action::GetCallerIdentity.is_describe());
        assert!(Action::ModifyVpcAttribute.is_mutating());
        assert!(Action::CreateTags.is_mutating());
    }
}
