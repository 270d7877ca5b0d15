//! Security groups and peering connections of the fake.

use std::collections::BTreeSet;

use super::state::{api, not_found, SecurityGroup, State};
use crate::ec2::types::{IngressRule, PeeringObs, PeeringStatus, Tags};
use crate::ec2::Ec2Error;

/// What EC2 says of a peering request between overlapping CIDRs.
pub(super) const OVERLAP_MESSAGE: &str =
    "Failed due to incorrect VPC-ID, Account ID, or overlapping CIDR range.";

impl State {
    pub fn sg_mut(&mut self, region: &str, id: &str) -> Result<&mut SecurityGroup, Ec2Error> {
        self.sgs
            .get_mut(id)
            .filter(|g| g.region == region)
            .ok_or_else(|| not_found("security group", id))
    }

    pub fn create_sg(
        &mut self,
        region: &str,
        vpc_id: &str,
        name: &str,
        tags: &Tags,
    ) -> Result<String, Ec2Error> {
        self.vpc(region, vpc_id)?;
        if self
            .sgs
            .values()
            .any(|g| g.vpc_id == vpc_id && g.name == name)
        {
            return Err(api(
                "InvalidGroup.Duplicate",
                format!("The security group '{name}' already exists for VPC '{vpc_id}'"),
            ));
        }
        let id = self.new_id("sg");
        self.sgs.insert(
            id.clone(),
            SecurityGroup {
                region: region.to_string(),
                vpc_id: vpc_id.to_string(),
                name: name.to_string(),
                rules: BTreeSet::new(),
                foreign_rules: 0,
                tags: tags.clone(),
            },
        );
        Ok(id)
    }

    pub fn delete_sg(&mut self, region: &str, id: &str) -> Result<(), Ec2Error> {
        match self.sg_mut(region, id) {
            Err(_) => Ok(()),
            Ok(g) if g.name == "default" => Err(api(
                "CannotDelete",
                format!("the default security group {id} cannot be deleted"),
            )),
            Ok(_) => {
                self.sgs.remove(id);
                Ok(())
            }
        }
    }

    pub fn authorize(
        &mut self,
        region: &str,
        id: &str,
        rules: &[IngressRule],
    ) -> Result<(), Ec2Error> {
        self.sg_mut(region, id)?.rules.extend(rules.iter().cloned());
        Ok(())
    }

    pub fn revoke(
        &mut self,
        region: &str,
        id: &str,
        rules: &[IngressRule],
    ) -> Result<(), Ec2Error> {
        let Ok(group) = self.sg_mut(region, id) else {
            return Ok(());
        };
        for rule in rules {
            group.rules.remove(rule);
        }
        Ok(())
    }

    /// A peering is visible from both its requester's and its accepter's region.
    pub fn peering(&self, region: &str, id: &str) -> Result<&PeeringObs, Ec2Error> {
        self.peerings
            .get(id)
            .filter(|p| p.requester_region == region || p.accepter_region == region)
            .ok_or_else(|| not_found("VPC peering connection", id))
    }

    fn peering_mut(&mut self, region: &str, id: &str) -> Result<&mut PeeringObs, Ec2Error> {
        self.peering(region, id)?;
        Ok(self.peerings.get_mut(id).expect("checked above"))
    }

    /// Overlapping CIDRs make the request `failed`, as in AWS (moto accepts them).
    pub fn create_peering(
        &mut self,
        region: &str,
        vpc_id: &str,
        peer_vpc_id: &str,
        peer_region: &str,
        tags: &Tags,
    ) -> Result<String, Ec2Error> {
        let cidr = self.vpc(region, vpc_id)?.cidr;
        let peer_cidr = self.vpc(peer_region, peer_vpc_id)?.cidr;
        let overlap = cidr.contains(&peer_cidr.network()) || peer_cidr.contains(&cidr.network());
        let id = self.new_id("pcx");
        self.peerings.insert(
            id.clone(),
            PeeringObs {
                id: id.clone(),
                requester_vpc_id: vpc_id.to_string(),
                requester_region: region.to_string(),
                accepter_vpc_id: peer_vpc_id.to_string(),
                accepter_region: peer_region.to_string(),
                status: if overlap {
                    PeeringStatus::Failed
                } else {
                    PeeringStatus::PendingAcceptance
                },
                requester_dns: false,
                accepter_dns: false,
                tags: tags.clone(),
                status_message: overlap.then(|| OVERLAP_MESSAGE.to_string()),
                requester_owner_id: None,
                accepter_owner_id: None,
            },
        );
        Ok(id)
    }

    pub fn accept_peering(&mut self, accepter_region: &str, id: &str) -> Result<(), Ec2Error> {
        let p = self.peering_mut(accepter_region, id)?;
        if p.accepter_region != accepter_region {
            return Err(api(
                "OperationNotPermitted",
                format!(
                    "Cannot accept {id}: accept it in the accepter's region {}",
                    p.accepter_region
                ),
            ));
        }
        match p.status {
            PeeringStatus::PendingAcceptance => {
                p.status = PeeringStatus::Active;
                Ok(())
            }
            PeeringStatus::Active => Ok(()),
            other => Err(api(
                "InvalidStateTransition",
                format!(
                    "VPC peering connection {id} is {}, not pending-acceptance",
                    other.as_str()
                ),
            )),
        }
    }

    /// Each side sets its own option, only once the peering is active.
    pub fn set_peering_dns(
        &mut self,
        requester_region: &str,
        accepter_region: &str,
        id: &str,
        allow: bool,
    ) -> Result<(), Ec2Error> {
        let p = self.peering_mut(requester_region, id)?;
        if p.requester_region != requester_region || p.accepter_region != accepter_region {
            return Err(api(
                "OperationNotPermitted",
                format!("{id} does not connect {requester_region} to {accepter_region}"),
            ));
        }
        must_be_active(p)?;
        p.requester_dns = allow;
        p.accepter_dns = allow;
        Ok(())
    }

    /// One side's option, set from that side's region only.
    pub fn set_peering_dns_side(
        &mut self,
        region: &str,
        id: &str,
        requester_side: bool,
        allow: bool,
    ) -> Result<(), Ec2Error> {
        let p = self.peering_mut(region, id)?;
        let side_region = match requester_side {
            true => &p.requester_region,
            false => &p.accepter_region,
        };
        if side_region != region {
            return Err(api(
                "OperationNotPermitted",
                format!("{id}: that side of the peering is in {side_region}, not {region}"),
            ));
        }
        must_be_active(p)?;
        match requester_side {
            true => p.requester_dns = allow,
            false => p.accepter_dns = allow,
        }
        Ok(())
    }

    /// Either side may delete; a deleted peering stays visible as `deleted`.
    pub fn delete_peering(&mut self, region: &str, id: &str) -> Result<(), Ec2Error> {
        if let Ok(p) = self.peering_mut(region, id) {
            p.status = PeeringStatus::Deleted;
        }
        Ok(())
    }
}

/// DNS options can be set only on an active peering.
fn must_be_active(p: &PeeringObs) -> Result<(), Ec2Error> {
    if p.status == PeeringStatus::Active {
        return Ok(());
    }
    Err(api(
        "InvalidState",
        format!(
            "VPC peering connection {} is not active (current status: {})",
            p.id,
            p.status.as_str()
        ),
    ))
}
