//! `impl Ec2 for FakeEc2`: each method is one logged call (two where AWS needs two).

use std::time::Duration;

use async_trait::async_trait;
use ipnet::{IpNet, Ipv4Net, Ipv6Net};

use super::state::not_found;
use super::FakeEc2;
use crate::ec2::types::{
    IngressRule, InstanceObs, Inventory, PeeringObs, PeeringStatus, RouteTarget, Tags,
};
use crate::ec2::waiting::{settled, wait_timeout};
use crate::ec2::Action;
use crate::ec2::{Ec2, Ec2Error};

/// How many times `detach_internet_gateway` looks before it gives up (time does not
/// pass in the fake, so the wait is counted in looks).
const DETACH_LOOKS: usize = 100;

#[async_trait]
impl Ec2 for FakeEc2 {
    async fn account_id(&self) -> Result<String, Ec2Error> {
        let id = self.account_id.clone();
        self.call(Action::GetCallerIdentity, "", |_| Ok(id)).await
    }

    async fn inventory(
        &self,
        region: &str,
        mesh_id: &str,
        adopted_vpc_ids: &[String],
    ) -> Result<Inventory, Ec2Error> {
        // Fault points at every Describe call the AWS implementation makes.
        self.call(Action::DescribeVpcs, region, |_| Ok(())).await?;
        if !adopted_vpc_ids.is_empty() {
            self.call(Action::DescribeVpcs, region, |_| Ok(())).await?;
        }
        for action in [
            Action::DescribeSubnets,
            Action::DescribeRouteTables,
            Action::DescribeInternetGateways,
            Action::DescribeSecurityGroups,
        ] {
            self.call(action, region, |_| Ok(())).await?;
        }
        let owned: Vec<String> = self.lock().state.vpcs_tagged(region, mesh_id);
        for vpc_id in owned {
            self.call(Action::DescribeVpcAttribute, vpc_id, |_| Ok(()))
                .await?;
        }
        self.call(Action::DescribeVpcPeeringConnections, region, |s| {
            Ok(s.inventory(region, mesh_id, adopted_vpc_ids))
        })
        .await
    }

    async fn instances(
        &self,
        region: &str,
        vpc_ids: &[String],
    ) -> Result<Vec<InstanceObs>, Ec2Error> {
        if vpc_ids.is_empty() {
            return Ok(Vec::new());
        }
        self.call(Action::DescribeInstances, region, |s| {
            Ok(s.instances(region, vpc_ids))
        })
        .await
    }

    async fn create_vpc(
        &self,
        region: &str,
        cidr: Ipv4Net,
        tags: &Tags,
    ) -> Result<String, Ec2Error> {
        let id = self
            .call(Action::CreateVpc, cidr.to_string(), |s| {
                Ok(s.create_vpc(region, cidr, tags))
            })
            .await?;
        self.enable_dns_hostnames(region, &id).await?;
        Ok(id)
    }

    async fn enable_dns_hostnames(&self, region: &str, vpc_id: &str) -> Result<(), Ec2Error> {
        self.call(Action::ModifyVpcAttribute, vpc_id, |s| {
            s.vpc(region, vpc_id)?;
            s.vpcs.get_mut(vpc_id).expect("checked above").dns_hostnames = true;
            Ok(())
        })
        .await
    }

    async fn delete_vpc(&self, region: &str, vpc_id: &str) -> Result<(), Ec2Error> {
        self.call(Action::DeleteVpc, vpc_id, |s| s.delete_vpc(region, vpc_id))
            .await
    }

    async fn create_subnet(
        &self,
        region: &str,
        vpc_id: &str,
        cidr: Ipv4Net,
        availability_zone: Option<&str>,
        tags: &Tags,
    ) -> Result<String, Ec2Error> {
        self.call(Action::CreateSubnet, cidr.to_string(), |s| {
            s.create_subnet(region, vpc_id, cidr, availability_zone, tags)
        })
        .await
    }

    async fn delete_subnet(&self, region: &str, subnet_id: &str) -> Result<(), Ec2Error> {
        self.call(Action::DeleteSubnet, subnet_id, |s| {
            s.delete_subnet(region, subnet_id)
        })
        .await
    }

    async fn create_route_table(
        &self,
        region: &str,
        vpc_id: &str,
        tags: &Tags,
    ) -> Result<String, Ec2Error> {
        self.call(Action::CreateRouteTable, vpc_id, |s| {
            s.create_route_table(region, vpc_id, tags)
        })
        .await
    }

    async fn associate_route_table(
        &self,
        region: &str,
        route_table_id: &str,
        subnet_id: &str,
    ) -> Result<String, Ec2Error> {
        self.call(
            Action::AssociateRouteTable,
            format!("{route_table_id} {subnet_id}"),
            |s| s.associate(region, route_table_id, subnet_id),
        )
        .await
    }

    async fn disassociate_route_table(
        &self,
        region: &str,
        association_id: &str,
    ) -> Result<(), Ec2Error> {
        self.call(Action::DisassociateRouteTable, association_id, |s| {
            s.disassociate(region, association_id)
        })
        .await
    }

    async fn delete_route_table(&self, region: &str, route_table_id: &str) -> Result<(), Ec2Error> {
        self.call(Action::DeleteRouteTable, route_table_id, |s| {
            s.delete_route_table(region, route_table_id)
        })
        .await
    }

    async fn create_internet_gateway(&self, region: &str, tags: &Tags) -> Result<String, Ec2Error> {
        self.call(Action::CreateInternetGateway, region, |s| {
            Ok(s.create_igw(region, tags))
        })
        .await
    }

    async fn attach_internet_gateway(
        &self,
        region: &str,
        igw_id: &str,
        vpc_id: &str,
    ) -> Result<(), Ec2Error> {
        self.call(
            Action::AttachInternetGateway,
            format!("{igw_id} {vpc_id}"),
            |s| s.attach_igw(region, igw_id, vpc_id),
        )
        .await
    }

    async fn detach_internet_gateway(
        &self,
        region: &str,
        igw_id: &str,
        vpc_id: &str,
    ) -> Result<(), Ec2Error> {
        let detached = self
            .call(
                Action::DetachInternetGateway,
                format!("{igw_id} {vpc_id}"),
                |s| s.detach_igw(region, igw_id, vpc_id),
            )
            .await;
        if let Err(Ec2Error::Api { code, .. }) = &detached {
            if code != "Gateway.NotAttached" {
                return detached;
            }
        }
        // Like the AWS implementation: described until the attachment is gone.
        for _ in 0..DETACH_LOOKS {
            let attached = self
                .call(Action::DescribeInternetGateways, igw_id, |s| {
                    Ok(s.igw_attached_to(region, igw_id, vpc_id))
                })
                .await?;
            if !attached {
                return detached;
            }
        }
        Err(Ec2Error::Timeout {
            what: format!("EC2 Internet Gateway ({igw_id}) to detach from {vpc_id}"),
            after: Duration::ZERO,
        })
    }

    async fn delete_internet_gateway(&self, region: &str, igw_id: &str) -> Result<(), Ec2Error> {
        self.call(Action::DeleteInternetGateway, igw_id, |s| {
            s.delete_igw(region, igw_id)
        })
        .await
    }

    /// CreateRoute, then ReplaceRoute when the destination already routes elsewhere.
    async fn put_route(
        &self,
        region: &str,
        route_table_id: &str,
        destination: IpNet,
        target: &RouteTarget,
    ) -> Result<(), Ec2Error> {
        let what = format!("{route_table_id} {destination}");
        let taken = self
            .call(Action::CreateRoute, what.clone(), |s| {
                s.create_route(region, route_table_id, destination, target)
            })
            .await?;
        if taken {
            self.call(Action::ReplaceRoute, what, |s| {
                s.put_route(region, route_table_id, destination, target)
            })
            .await?;
        }
        Ok(())
    }

    async fn delete_route(
        &self,
        region: &str,
        route_table_id: &str,
        destination: IpNet,
    ) -> Result<(), Ec2Error> {
        self.call(
            Action::DeleteRoute,
            format!("{route_table_id} {destination}"),
            |s| s.delete_route(region, route_table_id, destination),
        )
        .await
    }

    async fn associate_vpc_ipv6(&self, region: &str, vpc_id: &str) -> Result<String, Ec2Error> {
        self.call(Action::AssociateVpcCidrBlock, vpc_id, |s| {
            s.associate_vpc_ipv6(region, vpc_id)
        })
        .await
    }

    async fn disassociate_vpc_cidr(
        &self,
        region: &str,
        association_id: &str,
    ) -> Result<(), Ec2Error> {
        self.call(Action::DisassociateVpcCidrBlock, association_id, |s| {
            s.disassociate_vpc_cidr(region, association_id)
        })
        .await
    }

    async fn associate_subnet_ipv6(
        &self,
        region: &str,
        subnet_id: &str,
        cidr: Ipv6Net,
    ) -> Result<String, Ec2Error> {
        self.call(
            Action::AssociateSubnetCidrBlock,
            format!("{subnet_id} {cidr}"),
            |s| s.associate_subnet_ipv6(region, subnet_id, cidr),
        )
        .await
    }

    async fn disassociate_subnet_cidr(
        &self,
        region: &str,
        association_id: &str,
    ) -> Result<(), Ec2Error> {
        self.call(Action::DisassociateSubnetCidrBlock, association_id, |s| {
            s.disassociate_subnet_cidr(region, association_id)
        })
        .await
    }

    async fn create_security_group(
        &self,
        region: &str,
        vpc_id: &str,
        name: &str,
        _description: &str,
        tags: &Tags,
    ) -> Result<String, Ec2Error> {
        self.call(
            Action::CreateSecurityGroup,
            format!("{vpc_id}/{name}"),
            |s| s.create_sg(region, vpc_id, name, tags),
        )
        .await
    }

    async fn delete_security_group(&self, region: &str, group_id: &str) -> Result<(), Ec2Error> {
        self.call(Action::DeleteSecurityGroup, group_id, |s| {
            s.delete_sg(region, group_id)
        })
        .await
    }

    async fn authorize_ingress(
        &self,
        region: &str,
        group_id: &str,
        rules: &[IngressRule],
    ) -> Result<(), Ec2Error> {
        self.call(Action::AuthorizeSecurityGroupIngress, group_id, |s| {
            s.authorize(region, group_id, rules)
        })
        .await
    }

    async fn revoke_ingress(
        &self,
        region: &str,
        group_id: &str,
        rules: &[IngressRule],
    ) -> Result<(), Ec2Error> {
        self.call(Action::RevokeSecurityGroupIngress, group_id, |s| {
            s.revoke(region, group_id, rules)
        })
        .await
    }

    async fn create_peering(
        &self,
        region: &str,
        vpc_id: &str,
        peer_vpc_id: &str,
        peer_region: &str,
        tags: &Tags,
    ) -> Result<String, Ec2Error> {
        self.call(
            Action::CreateVpcPeeringConnection,
            format!("{vpc_id}:{peer_vpc_id}"),
            |s| s.create_peering(region, vpc_id, peer_vpc_id, peer_region, tags),
        )
        .await
    }

    /// The fake is one account: a peer owner other than its own is not found, as in EC2.
    async fn create_peering_to_account(
        &self,
        region: &str,
        vpc_id: &str,
        peer_vpc_id: &str,
        peer_region: &str,
        peer_owner_id: &str,
        tags: &Tags,
    ) -> Result<String, Ec2Error> {
        let own = peer_owner_id == self.account_id;
        self.call(
            Action::CreateVpcPeeringConnection,
            format!("{vpc_id}:{peer_vpc_id}"),
            |s| match own {
                true => s.create_peering(region, vpc_id, peer_vpc_id, peer_region, tags),
                false => Err(not_found("VPC", peer_vpc_id)),
            },
        )
        .await
    }

    async fn accept_peering(
        &self,
        accepter_region: &str,
        peering_id: &str,
    ) -> Result<(), Ec2Error> {
        self.call(Action::AcceptVpcPeeringConnection, peering_id, |s| {
            s.accept_peering(accepter_region, peering_id)
        })
        .await
    }

    async fn describe_peering(
        &self,
        region: &str,
        peering_id: &str,
    ) -> Result<PeeringObs, Ec2Error> {
        let p = self
            .call(Action::DescribeVpcPeeringConnections, peering_id, |s| {
                s.peering(region, peering_id).cloned()
            })
            .await?;
        if p.status.is_terminal() {
            return Err(not_found("VPC peering connection", peering_id));
        }
        Ok(p)
    }

    async fn wait_peering(
        &self,
        region: &str,
        peering_id: &str,
        target: &[PeeringStatus],
        timeout: Duration,
    ) -> Result<PeeringObs, Ec2Error> {
        let p = self
            .call(Action::DescribeVpcPeeringConnections, peering_id, |s| {
                s.peering(region, peering_id).cloned()
            })
            .await?;
        match settled(&p, target) {
            Some(done) => done,
            None => Err(wait_timeout(peering_id, target, Some(p.status), timeout)),
        }
    }

    async fn set_peering_dns(
        &self,
        requester_region: &str,
        accepter_region: &str,
        peering_id: &str,
        allow: bool,
    ) -> Result<(), Ec2Error> {
        self.call(Action::ModifyVpcPeeringConnectionOptions, peering_id, |s| {
            s.set_peering_dns(requester_region, accepter_region, peering_id, allow)
        })
        .await
    }

    async fn set_peering_dns_side(
        &self,
        region: &str,
        peering_id: &str,
        requester_side: bool,
        allow: bool,
    ) -> Result<(), Ec2Error> {
        self.call(Action::ModifyVpcPeeringConnectionOptions, peering_id, |s| {
            s.set_peering_dns_side(region, peering_id, requester_side, allow)
        })
        .await
    }

    async fn delete_peering(&self, region: &str, peering_id: &str) -> Result<(), Ec2Error> {
        self.call(Action::DeleteVpcPeeringConnection, peering_id, |s| {
            s.delete_peering(region, peering_id)
        })
        .await
    }

    async fn set_tags(
        &self,
        region: &str,
        resource_ids: &[String],
        add: &Tags,
        remove: &[String],
    ) -> Result<(), Ec2Error> {
        let ids = resource_ids.join(",");
        if !add.is_empty() {
            self.call(Action::CreateTags, ids.clone(), |s| {
                s.add_tags(region, resource_ids, add)
            })
            .await?;
        }
        if !remove.is_empty() {
            self.call(Action::DeleteTags, ids, |s| {
                s.remove_tags(region, resource_ids, remove)
            })
            .await?;
        }
        Ok(())
    }
}
