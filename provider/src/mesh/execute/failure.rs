//! What a failed step reports: the EC2 error, which call of a multi-call step failed,
//! and the component, in the words terraform-provider-aws uses.

use crate::ec2::Ec2Error;
use crate::mesh::plan::Op;

/// A failed step: the EC2 error and, for steps of several calls, which one failed.
pub(super) struct StepError {
    pub during: Option<&'static str>,
    pub error: Ec2Error,
}

impl From<Ec2Error> for StepError {
    fn from(error: Ec2Error) -> Self {
        StepError {
            during: None,
            error,
        }
    }
}

pub(super) fn during(what: &'static str) -> impl Fn(Ec2Error) -> StepError {
    move |error| StepError {
        during: Some(what),
        error,
    }
}

/// "creating EC2 VPC Peering Connection (development:production): waiting for active: ..."
pub(super) fn describe_failure(op: &Op, e: &StepError) -> String {
    let (doing, kind) = match op {
        Op::CreateVpc { .. } => ("creating", "EC2 VPC"),
        Op::EnableDnsHostnames { .. } => ("enabling DNS hostnames of", "EC2 VPC"),
        Op::FindMainRouteTable { .. } => ("reading", "EC2 main Route Table"),
        Op::CreateSubnet { .. } => ("creating", "EC2 Subnet"),
        Op::CreateRouteTable { .. } => ("creating", "EC2 Route Table"),
        Op::AssociateRouteTable { .. } => ("creating", "EC2 Route Table Association"),
        Op::CreateInternetGateway { .. } => ("creating", "EC2 Internet Gateway"),
        Op::AttachInternetGateway { .. } => ("attaching", "EC2 Internet Gateway"),
        Op::CreateSecurityGroup { .. } => ("creating", "EC2 Security Group"),
        Op::AuthorizeIngress { .. } => ("creating", "EC2 Security Group Rules"),
        Op::RevokeIngress { .. } => ("deleting", "EC2 Security Group Rules"),
        Op::CreatePeering { .. } | Op::AcceptPeering { .. } | Op::WaitPeeringActive { .. } => {
            ("creating", "EC2 VPC Peering Connection")
        }
        Op::SetPeeringDns { .. } => ("updating", "EC2 VPC Peering Connection Options"),
        Op::PutRoute { .. } => ("creating", "EC2 Route"),
        Op::SetTags { .. } => ("updating", "tags of"),
        Op::DeleteRoute { .. } => ("deleting", "EC2 Route"),
        Op::DeletePeering(_) => ("deleting", "EC2 VPC Peering Connection"),
        Op::DeleteSecurityGroup(_) => ("deleting", "EC2 Security Group"),
        Op::DisassociateRouteTable { .. } => ("deleting", "EC2 Route Table Association"),
        Op::DeleteRouteTable(_) => ("deleting", "EC2 Route Table"),
        Op::DeleteSubnet(_) => ("deleting", "EC2 Subnet"),
        Op::DetachInternetGateway { .. } => ("detaching", "EC2 Internet Gateway"),
        Op::DeleteInternetGateway(_) => ("deleting", "EC2 Internet Gateway"),
        Op::DeleteVpc(_) => ("deleting", "EC2 VPC"),
    };
    let name = match op {
        Op::CreatePeering { pair, .. }
        | Op::AcceptPeering { pair, .. }
        | Op::WaitPeeringActive { pair, .. }
        | Op::SetPeeringDns { pair, .. } => pair.key(),
        Op::DeletePeering(d)
        | Op::DeleteSecurityGroup(d)
        | Op::DeleteRouteTable(d)
        | Op::DeleteSubnet(d)
        | Op::DeleteInternetGateway(d)
        | Op::DeleteVpc(d) => {
            format!("{}, {}", d.label, d.id)
        }
        other => other.component(),
    };
    match e.during {
        Some(during) => format!("{doing} {kind} ({name}): {during}: {}", e.error),
        None => format!("{doing} {kind} ({name}): {}", e.error),
    }
}
