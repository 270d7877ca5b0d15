//! One step against EC2. Each is idempotent: a creation whose component already has an
//! id is done; deletions treat NotFound as done; an association or attachment that
//! already exists as planned counts as made; accepting looks at the status first.

use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use super::adopt::Place;
use super::failure::{describe_failure, during, StepError};
use super::recover::{gone, ALREADY_ASSOCIATED, NOT_ATTACHED};
use super::Timeouts;
use crate::ec2::types::{PeeringStatus, RouteTarget};
use crate::ec2::{Ec2, Ec2Error};
use crate::mesh::key::{Key, RouteVia};
use crate::mesh::model::Pair;
use crate::mesh::plan::{Doomed, Op, Phase};

pub(super) struct Ctx<'a> {
    pub ec2: &'a dyn Ec2,
    pub mesh_id: &'a str,
    pub ids: Mutex<BTreeMap<Key, String>>,
    pub statuses: Mutex<BTreeMap<Pair, PeeringStatus>>,
    pub timeouts: Timeouts,
}

/// Worth another round: EC2 may answer differently next time.
fn is_transient(e: &Ec2Error) -> bool {
    matches!(
        e,
        Ec2Error::Exhausted { .. } | Ec2Error::NotFound { .. } | Ec2Error::Timeout { .. }
    ) || e.may_have_taken_effect()
}

impl Ctx<'_> {
    /// Runs `op` within its phase's timeout; the error names the component and what
    /// was being done, and says whether the failure may pass.
    pub async fn run(&self, op: &Op) -> Result<(), (String, bool)> {
        let limit = match op.phase() {
            Phase::Create => self.timeouts.create,
            Phase::Update => self.timeouts.update,
            Phase::Delete => self.timeouts.delete,
        };
        let result = match tokio::time::timeout(limit, self.perform(op, limit)).await {
            Ok(result) => result,
            Err(_) => Err(StepError::from(Ec2Error::Timeout {
                what: "the operation".to_string(),
                after: limit,
            })),
        };
        result.map_err(|e| (describe_failure(op, &e), is_transient(&e.error)))
    }

    pub fn lock_ids(&self) -> MutexGuard<'_, BTreeMap<Key, String>> {
        self.ids.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn id(&self, key: &Key) -> Result<String, Ec2Error> {
        self.lock_ids()
            .get(key)
            .cloned()
            .ok_or_else(|| Ec2Error::NotFound {
                kind: "component",
                id: key.to_string(),
            })
    }

    fn observed(&self, pair: &Pair, status: PeeringStatus) {
        self.statuses
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(pair.clone(), status);
    }

    async fn perform(&self, op: &Op, limit: Duration) -> Result<(), StepError> {
        match op {
            Op::AcceptPeering {
                pair,
                requester_region,
                accepter_region,
            } => {
                let id = self.id(&Key::Peering(pair.clone()))?;
                let acceptable = [
                    PeeringStatus::PendingAcceptance,
                    PeeringStatus::Provisioning,
                    PeeringStatus::Active,
                ];
                let seen = self
                    .ec2
                    .wait_peering(requester_region, &id, &acceptable, limit)
                    .await;
                let mut status = seen
                    .map_err(during("waiting for pending-acceptance"))?
                    .status;
                if status == PeeringStatus::PendingAcceptance {
                    if let Err(e) = self.ec2.accept_peering(accepter_region, &id).await {
                        // A retried accept whose first answer was lost is refused as a
                        // state change that already happened: look before failing.
                        let now = self.ec2.describe_peering(requester_region, &id).await;
                        let accepted = now.is_ok_and(|p| {
                            matches!(
                                p.status,
                                PeeringStatus::Provisioning | PeeringStatus::Active
                            )
                        });
                        if !accepted {
                            return Err(during("accepting")(e));
                        }
                    }
                    status = PeeringStatus::Provisioning;
                }
                self.observed(pair, status);
                Ok(())
            }
            Op::WaitPeeringActive { pair, region } => {
                let id = self.id(&Key::Peering(pair.clone()))?;
                let seen = self
                    .ec2
                    .wait_peering(region, &id, &[PeeringStatus::Active], limit)
                    .await;
                self.observed(pair, seen.map_err(during("waiting for active"))?.status);
                Ok(())
            }
            other => Ok(self.perform_call(other).await?),
        }
    }

    /// Steps that are one EC2 call (or one call and a check of what it refused).
    async fn perform_call(&self, op: &Op) -> Result<(), Ec2Error> {
        let ec2 = self.ec2;
        let vpc_id = |vpc: &String| self.id(&Key::Vpc(vpc.clone()));
        match op {
            Op::CreateVpc {
                vpc,
                region,
                cidr,
                tags,
            } => {
                let place = Place {
                    region,
                    vpc_ids: Vec::new(),
                };
                self.create(Key::Vpc(vpc.clone()), place, || {
                    ec2.create_vpc(region, *cidr, tags)
                })
                .await
            }
            Op::EnableDnsHostnames { vpc, region } => {
                ec2.enable_dns_hostnames(region, &vpc_id(vpc)?).await
            }
            Op::FindMainRouteTable { vpc, region } => {
                let vpc_id = vpc_id(vpc)?;
                let place = Place {
                    region,
                    vpc_ids: vec![vpc_id.clone()],
                };
                self.create(Key::MainRouteTable(vpc.clone()), place, || async {
                    let inventory = ec2
                        .inventory(region, self.mesh_id, std::slice::from_ref(&vpc_id))
                        .await?;
                    let main = inventory
                        .route_tables
                        .into_iter()
                        .find(|t| t.main && t.vpc_id == vpc_id);
                    main.map(|t| t.id).ok_or_else(|| Ec2Error::NotFound {
                        kind: "main route table of",
                        id: vpc_id.clone(),
                    })
                })
                .await
            }
            Op::CreateSubnet {
                vpc,
                subnet,
                region,
                cidr,
                availability_zone,
                tags,
            } => {
                let vpc_id = vpc_id(vpc)?;
                let key = Key::Subnet(vpc.clone(), subnet.clone());
                let place = Place {
                    region,
                    vpc_ids: vec![vpc_id.clone()],
                };
                self.create(key, place, || {
                    ec2.create_subnet(region, &vpc_id, *cidr, availability_zone.as_deref(), tags)
                })
                .await
            }
            Op::CreateRouteTable {
                vpc,
                subnet,
                region,
                tags,
            } => {
                let vpc_id = vpc_id(vpc)?;
                let place = Place {
                    region,
                    vpc_ids: vec![vpc_id.clone()],
                };
                self.create(Key::RouteTable(vpc.clone(), subnet.clone()), place, || {
                    ec2.create_route_table(region, &vpc_id, tags)
                })
                .await
            }
            Op::AssociateRouteTable {
                vpc,
                subnet,
                region,
            } => {
                let table = self.id(&Key::RouteTable(vpc.clone(), subnet.clone()))?;
                let subnet_id = self.id(&Key::Subnet(vpc.clone(), subnet.clone()))?;
                let vpc_id = vpc_id(vpc)?;
                let place = Place {
                    region,
                    vpc_ids: vec![vpc_id.clone()],
                };
                self.create(
                    Key::Association(vpc.clone(), subnet.clone()),
                    place,
                    || async {
                        match ec2.associate_route_table(region, &table, &subnet_id).await {
                            Err(Ec2Error::Api { code, message }) if code == ALREADY_ASSOCIATED => {
                                let found = self
                                    .association(region, &vpc_id, &table, &subnet_id)
                                    .await?;
                                found.ok_or(Ec2Error::Api { code, message })
                            }
                            other => other,
                        }
                    },
                )
                .await
            }
            Op::CreateInternetGateway { vpc, region, tags } => {
                let place = Place {
                    region,
                    vpc_ids: Vec::new(),
                };
                self.create(Key::InternetGateway(vpc.clone()), place, || {
                    ec2.create_internet_gateway(region, tags)
                })
                .await
            }
            Op::AttachInternetGateway { vpc, region } => {
                let (igw, vpc_id) = (self.id(&Key::InternetGateway(vpc.clone()))?, vpc_id(vpc)?);
                match ec2.attach_internet_gateway(region, &igw, &vpc_id).await {
                    Err(Ec2Error::Api { code, message }) if code == ALREADY_ASSOCIATED => {
                        match self.attached(region, &vpc_id, &igw).await? {
                            true => Ok(()),
                            false => Err(Ec2Error::Api { code, message }),
                        }
                    }
                    other => other,
                }
            }
            Op::CreateSecurityGroup {
                vpc,
                region,
                group_name,
                description,
                tags,
            } => {
                let vpc_id = vpc_id(vpc)?;
                let key = Key::SecurityGroup(vpc.clone());
                let place = Place {
                    region,
                    vpc_ids: vec![vpc_id.clone()],
                };
                self.create(key, place, || {
                    ec2.create_security_group(region, &vpc_id, group_name, description, tags)
                })
                .await
            }
            Op::AuthorizeIngress { vpc, region, rules } => {
                ec2.authorize_ingress(region, &self.id(&Key::SecurityGroup(vpc.clone()))?, rules)
                    .await
            }
            Op::RevokeIngress { vpc, region, rules } => {
                ec2.revoke_ingress(region, &self.id(&Key::SecurityGroup(vpc.clone()))?, rules)
                    .await
            }
            Op::CreatePeering {
                pair,
                requester_region,
                accepter_region,
                tags,
            } => {
                let (a, b) = (vpc_id(&pair.a)?, vpc_id(&pair.b)?);
                let place = Place {
                    region: requester_region,
                    vpc_ids: vec![a.clone(), b.clone()],
                };
                self.create(Key::Peering(pair.clone()), place, || {
                    ec2.create_peering(requester_region, &a, &b, accepter_region, tags)
                })
                .await
            }
            Op::AcceptPeering { .. } | Op::WaitPeeringActive { .. } => {
                unreachable!("performed with the context of each call")
            }
            Op::SetPeeringDns {
                pair,
                requester_region,
                accepter_region,
                allow,
            } => {
                ec2.set_peering_dns(
                    requester_region,
                    accepter_region,
                    &self.id(&Key::Peering(pair.clone()))?,
                    *allow,
                )
                .await
            }
            Op::PutRoute {
                table,
                region,
                destination,
                via,
            } => {
                let target_id = self.id(&via.key())?;
                let target = match via {
                    RouteVia::Peering(_) => RouteTarget::Peering(target_id),
                    RouteVia::InternetGateway(_) => RouteTarget::Gateway(target_id),
                };
                ec2.put_route(region, &self.id(table)?, *destination, &target)
                    .await
            }
            Op::SetTags {
                key,
                region,
                add,
                remove,
            } => ec2.set_tags(region, &[self.id(key)?], add, remove).await,
            Op::DeleteRoute {
                region,
                route_table_id,
                destination,
                ..
            } => gone(ec2.delete_route(region, route_table_id, *destination).await),
            Op::AssociateVpcIpv6 { vpc, region } => ec2
                .associate_vpc_ipv6(region, &vpc_id(vpc)?)
                .await
                .map(drop),
            Op::AssociateSubnetIpv6 {
                vpc,
                subnet,
                region,
                cidr,
            } => {
                let subnet_id = self.id(&Key::Subnet(vpc.clone(), subnet.clone()))?;
                ec2.associate_subnet_ipv6(region, &subnet_id, *cidr)
                    .await
                    .map(drop)
            }
            Op::DisassociateSubnetIpv6 {
                region,
                association_id,
                ..
            } => gone(ec2.disassociate_subnet_cidr(region, association_id).await),
            Op::DisassociateVpcIpv6 {
                region,
                association_id,
                ..
            } => gone(ec2.disassociate_vpc_cidr(region, association_id).await),
            Op::DeletePeering(d) => gone(ec2.delete_peering(&d.region, &d.id).await),
            Op::DeleteSecurityGroup(d) => gone(
                self.while_in_use(|| ec2.delete_security_group(&d.region, &d.id))
                    .await,
            ),
            Op::DisassociateRouteTable {
                region,
                association_id,
                ..
            } => gone(ec2.disassociate_route_table(region, association_id).await),
            Op::DeleteRouteTable(d) => gone(ec2.delete_route_table(&d.region, &d.id).await),
            Op::DeleteSubnet(d) => gone(
                self.while_in_use(|| ec2.delete_subnet(&d.region, &d.id))
                    .await,
            ),
            Op::DetachInternetGateway {
                gateway: Doomed { region, id, .. },
                vpc_id,
            } => match ec2.detach_internet_gateway(region, id, vpc_id).await {
                Err(Ec2Error::Api { code, .. }) if code == NOT_ATTACHED => Ok(()),
                other => gone(other),
            },
            Op::DeleteInternetGateway(d) => gone(
                self.while_in_use(|| ec2.delete_internet_gateway(&d.region, &d.id))
                    .await,
            ),
            Op::DeleteVpc(d) => gone(self.while_in_use(|| ec2.delete_vpc(&d.region, &d.id)).await),
        }
    }
}
