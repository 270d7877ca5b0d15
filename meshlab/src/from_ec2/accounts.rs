//! One lab over several accounts: one EC2 reader per account (the own keys,
//! and the keys of each role ARN, as the provider reaches its accounts), their
//! specs merged. A cross-account peering is listed by both of its accounts
//! under one id, so it is kept once and links the two VPCs as a peering within
//! one account does; routes in either account name it by that id.

use std::collections::BTreeSet;

use crate::query::Ec2Api;
use crate::spec::LabSpec;

use super::{kept, unique_names};

impl LabSpec {
    /// Everything in `region` of the own account and of the account of each
    /// role in `role_arns` (`arn:aws:iam::N:role/X`, assumed with STS
    /// AssumeRole at the same `endpoint`), mirrored into one lab.
    pub fn from_ec2_accounts(
        endpoint: &str,
        region: &str,
        role_arns: &[String],
    ) -> Result<LabSpec, String> {
        let mut spec = read_accounts(endpoint, region, role_arns)?;
        unique_names(&mut spec.instances);
        Ok(spec)
    }

    /// The VPCs of [`LabSpec::from_ec2_accounts`] that `keep` accepts, as
    /// [`LabSpec::from_ec2_vpcs`] keeps them.
    pub fn from_ec2_accounts_vpcs(
        endpoint: &str,
        region: &str,
        role_arns: &[String],
        keep: impl Fn(&str) -> bool,
    ) -> Result<LabSpec, String> {
        Ok(kept(read_accounts(endpoint, region, role_arns)?, keep))
    }

    /// Adds what `other` holds and `self` does not (by id): one account's
    /// objects to another's, a shared peering once.
    pub fn merge(&mut self, other: LabSpec) {
        fn add<T>(into: &mut Vec<T>, from: Vec<T>, id: impl Fn(&T) -> &str) {
            let known: BTreeSet<String> = into.iter().map(|x| id(x).to_string()).collect();
            into.extend(from.into_iter().filter(|x| !known.contains(id(x))));
        }
        add(&mut self.vpcs, other.vpcs, |x| &x.id);
        add(&mut self.subnets, other.subnets, |x| &x.id);
        add(&mut self.route_tables, other.route_tables, |x| &x.id);
        add(&mut self.peerings, other.peerings, |x| &x.id);
        add(&mut self.internet_gateways, other.internet_gateways, |x| {
            &x.id
        });
        add(&mut self.security_groups, other.security_groups, |x| &x.id);
        add(&mut self.instances, other.instances, |x| &x.id);
    }
}

/// Every account's spec, merged; names as tagged.
fn read_accounts(endpoint: &str, region: &str, role_arns: &[String]) -> Result<LabSpec, String> {
    let mut spec = LabSpec::from_api(&Ec2Api::new(endpoint, region))?;
    for role_arn in role_arns {
        let api = Ec2Api::assume_role(endpoint, region, role_arn)?;
        spec.merge(LabSpec::from_api(&api)?);
    }
    Ok(spec)
}
