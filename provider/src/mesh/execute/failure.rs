//! What a failed step reports: the EC2 error, which call of a multi-call step failed,
//! and the component, in the words terraform-provider-aws uses.

use crate::ec2::Ec2Error;
use crate::mesh::plan::{Op, Phase};

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
        Op::AssociateVpcIpv6 { .. } => ("associating an IPv6 CIDR block with", "EC2 VPC"),
        Op::DisassociateVpcIpv6 { .. } => ("disassociating the IPv6 CIDR block of", "EC2 VPC"),
        Op::AssociateSubnetIpv6 { .. } => ("associating an IPv6 CIDR block with", "EC2 Subnet"),
        Op::DisassociateSubnetIpv6 { .. } => {
            ("disassociating the IPv6 CIDR block of", "EC2 Subnet")
        }
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
    let what = match e.during {
        Some(during) => format!("{doing} {kind} ({name}): {during}: {}", e.error),
        None => format!("{doing} {kind} ({name}): {}", e.error),
    };
    let next = match (&e.error, e.during) {
        (Ec2Error::PeeringFailed { .. }, _) => {
            "The next apply requests a new peering; fix the cause first."
        }
        (_, Some(during)) if during.starts_with("waiting") => {
            "The next apply looks at the peering again and completes it."
        }
        _ => consequence(op, &e.error),
    };
    let stop = if what.ends_with('.') { "" } else { "." };
    format!("{what}{stop} {next}")
}

/// Whether the failed call may have changed EC2, and what the next apply does about it.
fn consequence(op: &Op, error: &Ec2Error) -> &'static str {
    let creates = matches!(
        op,
        Op::CreateVpc { .. }
            | Op::CreateSubnet { .. }
            | Op::CreateRouteTable { .. }
            | Op::CreateInternetGateway { .. }
            | Op::CreateSecurityGroup { .. }
            | Op::CreatePeering { .. }
    );
    let deletes = op.phase() == Phase::Delete;
    match (error, creates, deletes) {
        (Ec2Error::Cancelled, _, _) => {
            "Stopped before it finished; the next apply reads EC2 again and completes it."
        }
        (e, true, _) if e.may_have_taken_effect() => {
            "The request may have taken effect, but the object was not found by its tags in time; the next apply looks for it by its tags again and adopts it rather than making a second one."
        }
        (e, _, true) if e.may_have_taken_effect() => {
            "The deletion may have taken effect; the next apply (or destroy) reads EC2 again and deletes what is still there."
        }
        (e, _, _) if e.may_have_taken_effect() => {
            "The request may have taken effect; the next apply reads EC2 again and repeats it if needed."
        }
        (_, _, true) => "EC2 did not delete it; the next apply (or destroy) tries again.",
        _ => "EC2 made no change; the next apply tries again.",
    }
}
