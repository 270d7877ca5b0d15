//! The deletes that real EC2 refuses while dependencies linger (network
//! interfaces for minutes after their instances go), and its answers.

/// A delete that can be refused while dependencies linger.
pub struct GuardedDelete {
    pub action: &'static str,
    pub parameter: &'static str,
    pub code: &'static str,
    pub message: fn(&str) -> String,
}

pub const GUARDED_DELETES: [GuardedDelete; 4] = [
    GuardedDelete {
        action: "DeleteVpc",
        parameter: "VpcId",
        code: "DependencyViolation",
        message: |id| format!("The vpc '{id}' has dependencies and cannot be deleted."),
    },
    GuardedDelete {
        action: "DeleteSubnet",
        parameter: "SubnetId",
        code: "DependencyViolation",
        message: |id| format!("The subnet '{id}' has dependencies and cannot be deleted."),
    },
    GuardedDelete {
        action: "DeleteInternetGateway",
        parameter: "InternetGatewayId",
        code: "DependencyViolation",
        message: |id| format!("The internetGateway '{id}' has dependencies and cannot be deleted."),
    },
    GuardedDelete {
        action: "DeleteSecurityGroup",
        parameter: "GroupId",
        code: "InvalidGroup.InUse",
        message: |id| format!("There are active network interfaces using security group '{id}'"),
    },
];
