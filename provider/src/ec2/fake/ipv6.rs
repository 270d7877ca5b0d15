//! The fake's IPv6 blocks. Stricter than moto (which accepts any /64 anywhere): a
//! subnet's block must be a /64 of its VPC's block, unique in the VPC, and a VPC's block
//! goes only after its subnets' blocks, as AWS documents.

use ipnet::{IpNet, Ipv6Net};

use super::state::{api, not_found, State};
use crate::ec2::types::RouteTarget;
use crate::ec2::Ec2Error;

impl State {
    /// A /56 from a counter: `2600:1f18:0:100::/56`, `2600:1f18:0:200::/56`...
    pub fn associate_vpc_ipv6(&mut self, region: &str, vpc_id: &str) -> Result<String, Ec2Error> {
        if self.vpc(region, vpc_id)?.ipv6.is_some() {
            return Err(api(
                "CidrLimitExceeded",
                format!("This network {vpc_id} has met its maximum number of allowed CIDRs: 1"),
            ));
        }
        let association = self.new_id("vpc-cidr-assoc");
        let n: u128 = association
            .rsplit('-')
            .next()
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        let base: u128 = 0x2600_1f18 << 96;
        let block = Ipv6Net::new((base | (n << 72)).into(), 56).expect("/56 is a valid prefix");
        self.vpcs.get_mut(vpc_id).expect("checked above").ipv6 = Some((block, association.clone()));
        for table in self
            .route_tables
            .values_mut()
            .filter(|t| t.vpc_id == vpc_id)
        {
            table.routes.insert(IpNet::V6(block), RouteTarget::Local);
        }
        Ok(association)
    }

    pub fn disassociate_vpc_cidr(
        &mut self,
        region: &str,
        association: &str,
    ) -> Result<(), Ec2Error> {
        let Some((vpc_id, block)) = self
            .vpcs
            .iter()
            .filter(|(_, v)| v.region == region)
            .find_map(|(id, v)| match &v.ipv6 {
                Some((block, a)) if a == association => Some((id.clone(), *block)),
                _ => None,
            })
        else {
            return Err(not_found("VPC CIDR block association", association));
        };
        if let Some((id, _)) = self
            .subnets
            .iter()
            .find(|(_, s)| s.vpc_id == vpc_id && s.ipv6.is_some())
        {
            return Err(api(
                "InvalidCidrBlock.InUse",
                format!("The IPv6 block {block} of {vpc_id} is in use by subnet {id}"),
            ));
        }
        self.vpcs.get_mut(&vpc_id).expect("found above").ipv6 = None;
        for table in self
            .route_tables
            .values_mut()
            .filter(|t| t.vpc_id == vpc_id)
        {
            table.routes.remove(&IpNet::V6(block));
        }
        Ok(())
    }

    pub fn associate_subnet_ipv6(
        &mut self,
        region: &str,
        subnet_id: &str,
        cidr: Ipv6Net,
    ) -> Result<String, Ec2Error> {
        let subnet = self.subnet(region, subnet_id)?;
        let vpc_id = subnet.vpc_id.clone();
        if subnet.ipv6.is_some() {
            return Err(api(
                "InvalidSubnet.Conflict",
                format!("subnet {subnet_id} already has an IPv6 block"),
            ));
        }
        let vpc_block = self.vpc(region, &vpc_id)?.ipv6.as_ref().map(|(b, _)| *b);
        if cidr.prefix_len() != 64 || !vpc_block.is_some_and(|b| b.contains(&cidr)) {
            return Err(api(
                "InvalidSubnet.Range",
                format!("The IPv6 CIDR '{cidr}' is not a /64 of the IPv6 block of {vpc_id}"),
            ));
        }
        let taken = self
            .subnets
            .values()
            .any(|s| s.vpc_id == vpc_id && s.ipv6.as_ref().is_some_and(|(b, _)| *b == cidr));
        if taken {
            return Err(api(
                "InvalidSubnet.Conflict",
                format!("The CIDR '{cidr}' conflicts with another subnet"),
            ));
        }
        let association = self.new_id("subnet-cidr-assoc");
        self.subnets.get_mut(subnet_id).expect("checked above").ipv6 =
            Some((cidr, association.clone()));
        Ok(association)
    }

    pub fn disassociate_subnet_cidr(
        &mut self,
        region: &str,
        association: &str,
    ) -> Result<(), Ec2Error> {
        let subnet = self
            .subnets
            .values_mut()
            .filter(|s| s.region == region)
            .find(|s| s.ipv6.as_ref().is_some_and(|(_, a)| a == association))
            .ok_or_else(|| not_found("subnet CIDR block association", association))?;
        subnet.ipv6 = None;
        Ok(())
    }
}
