//! The fake's EC2 world: objects per id, each remembering its region. Lookups from the
//! wrong region answer NotFound, as AWS does. VPCs and subnets live here; route tables,
//! gateways, security groups and peerings in the sibling files.

use std::collections::{BTreeMap, BTreeSet};

use ipnet::{IpNet, Ipv4Net, Ipv6Net};

use crate::ec2::types::{IngressRule, PeeringObs, PeeringStatus, RouteTarget, Tags};
use crate::ec2::Ec2Error;

pub(super) struct Vpc {
    pub region: String,
    pub cidr: Ipv4Net,
    pub dns_hostnames: bool,
    pub tags: Tags,
    /// The associated IPv6 block and its association id.
    pub ipv6: Option<(Ipv6Net, String)>,
}

pub(super) struct Subnet {
    pub region: String,
    pub vpc_id: String,
    pub cidr: Ipv4Net,
    pub availability_zone: String,
    pub tags: Tags,
    /// The associated IPv6 block and its association id.
    pub ipv6: Option<(Ipv6Net, String)>,
}

pub(super) struct RouteTable {
    pub region: String,
    pub vpc_id: String,
    pub main: bool,
    /// association id -> subnet id
    pub associations: BTreeMap<String, String>,
    pub routes: BTreeMap<IpNet, RouteTarget>,
    pub tags: Tags,
}

pub(super) struct InternetGateway {
    pub region: String,
    pub attached_vpc: Option<String>,
    /// After a detach: how many more DescribeInternetGateways still show the attachment
    /// (`detaching`); it is gone when this reaches 0. See [`State::detach_lag`].
    pub detaching: usize,
    pub tags: Tags,
}

pub(super) struct SecurityGroup {
    pub region: String,
    pub vpc_id: String,
    pub name: String,
    pub rules: BTreeSet<IngressRule>,
    /// Rules the mesh does not model (the default group's self-reference, ...).
    pub foreign_rules: usize,
    pub tags: Tags,
}

#[derive(Default)]
pub(super) struct State {
    next_id: BTreeMap<&'static str, u32>,
    pub vpcs: BTreeMap<String, Vpc>,
    pub subnets: BTreeMap<String, Subnet>,
    pub route_tables: BTreeMap<String, RouteTable>,
    pub igws: BTreeMap<String, InternetGateway>,
    pub sgs: BTreeMap<String, SecurityGroup>,
    pub peerings: BTreeMap<String, PeeringObs>,
    pub instances: BTreeMap<String, super::instances::Instance>,
    /// Describes a detach takes to finish (0: at once, as moto does).
    pub detach_lag: usize,
}

pub(super) fn not_found(kind: &'static str, id: &str) -> Ec2Error {
    Ec2Error::NotFound {
        kind,
        id: id.to_string(),
    }
}

pub(super) fn api(code: &str, message: impl Into<String>) -> Ec2Error {
    Ec2Error::Api {
        code: code.to_string(),
        message: message.into(),
    }
}

impl State {
    /// `vpc-0001`, `vpc-0002`, `subnet-0001`...: one counter per prefix.
    pub fn new_id(&mut self, prefix: &'static str) -> String {
        let n = self.next_id.entry(prefix).or_insert(0);
        *n += 1;
        format!("{prefix}-{n:04}")
    }

    pub fn vpc(&self, region: &str, id: &str) -> Result<&Vpc, Ec2Error> {
        self.vpcs
            .get(id)
            .filter(|v| v.region == region)
            .ok_or_else(|| not_found("VPC", id))
    }

    pub fn subnet(&self, region: &str, id: &str) -> Result<&Subnet, Ec2Error> {
        self.subnets
            .get(id)
            .filter(|s| s.region == region)
            .ok_or_else(|| not_found("subnet", id))
    }

    pub fn igw_mut(&mut self, region: &str, id: &str) -> Result<&mut InternetGateway, Ec2Error> {
        self.igws
            .get_mut(id)
            .filter(|g| g.region == region)
            .ok_or_else(|| not_found("internet gateway", id))
    }

    /// A VPC with its main route table (local route) and its `default` security group,
    /// like AWS creates them.
    pub fn create_vpc(&mut self, region: &str, cidr: Ipv4Net, tags: &Tags) -> String {
        let id = self.new_id("vpc");
        self.vpcs.insert(
            id.clone(),
            Vpc {
                region: region.to_string(),
                cidr,
                dns_hostnames: false,
                tags: tags.clone(),
                ipv6: None,
            },
        );
        let rtb = self.new_id("rtb");
        self.route_tables.insert(
            rtb,
            RouteTable {
                region: region.to_string(),
                vpc_id: id.clone(),
                main: true,
                associations: BTreeMap::new(),
                routes: BTreeMap::from([(IpNet::V4(cidr), RouteTarget::Local)]),
                tags: Tags::new(),
            },
        );
        let sg = self.new_id("sg");
        self.sgs.insert(
            sg,
            SecurityGroup {
                region: region.to_string(),
                vpc_id: id.clone(),
                name: "default".to_string(),
                rules: BTreeSet::new(),
                foreign_rules: 1,
                tags: Tags::new(),
            },
        );
        id
    }

    /// AWS refuses to delete a VPC that still holds subnets, extra route tables or
    /// security groups, an attached gateway or a live peering.
    pub fn delete_vpc(&mut self, region: &str, id: &str) -> Result<(), Ec2Error> {
        if self.vpc(region, id).is_err() {
            return Ok(());
        }
        let in_vpc = |vpc: &String| vpc == id;
        let busy = self.subnets.values().any(|s| in_vpc(&s.vpc_id))
            || self
                .route_tables
                .values()
                .any(|t| in_vpc(&t.vpc_id) && !t.main)
            || self
                .sgs
                .values()
                .any(|g| in_vpc(&g.vpc_id) && g.name != "default")
            || self
                .igws
                .values()
                .any(|g| g.attached_vpc.as_deref() == Some(id))
            || self.peerings.values().any(|p| {
                !p.status.is_terminal() && (p.requester_vpc_id == id || p.accepter_vpc_id == id)
            });
        if busy {
            return Err(api(
                "DependencyViolation",
                format!("The vpc '{id}' has dependencies and cannot be deleted."),
            ));
        }
        self.remove_vpc_and_contents(id);
        Ok(())
    }

    /// Removes the VPC and everything inside it; peerings of it turn `deleted`.
    pub fn remove_vpc_and_contents(&mut self, id: &str) {
        self.vpcs.remove(id);
        self.subnets.retain(|_, s| s.vpc_id != id);
        self.route_tables.retain(|_, t| t.vpc_id != id);
        self.sgs.retain(|_, g| g.vpc_id != id);
        self.instances.retain(|_, i| i.vpc_id != id);
        for g in self.igws.values_mut() {
            if g.attached_vpc.as_deref() == Some(id) {
                g.attached_vpc = None;
            }
        }
        for p in self.peerings.values_mut() {
            if p.requester_vpc_id == id || p.accepter_vpc_id == id {
                p.status = PeeringStatus::Deleted;
            }
        }
    }

    pub fn create_subnet(
        &mut self,
        region: &str,
        vpc_id: &str,
        cidr: Ipv4Net,
        availability_zone: Option<&str>,
        tags: &Tags,
    ) -> Result<String, Ec2Error> {
        let vpc = self.vpc(region, vpc_id)?;
        if !vpc.cidr.contains(&cidr) {
            return Err(api(
                "InvalidSubnet.Range",
                format!("The CIDR '{cidr}' is invalid."),
            ));
        }
        let clash = self.subnets.values().any(|s| {
            s.vpc_id == vpc_id
                && (s.cidr.contains(&cidr.network()) || cidr.contains(&s.cidr.network()))
        });
        if clash {
            return Err(api(
                "InvalidSubnet.Conflict",
                format!("The CIDR '{cidr}' conflicts with another subnet"),
            ));
        }
        let id = self.new_id("subnet");
        let availability_zone =
            availability_zone.map_or_else(|| format!("{region}a"), str::to_string);
        self.subnets.insert(
            id.clone(),
            Subnet {
                region: region.to_string(),
                vpc_id: vpc_id.to_string(),
                cidr,
                availability_zone,
                tags: tags.clone(),
                ipv6: None,
            },
        );
        Ok(id)
    }

    /// Deleting a subnet drops its route table association with it.
    pub fn delete_subnet(&mut self, region: &str, id: &str) -> Result<(), Ec2Error> {
        if self.subnet(region, id).is_err() {
            return Ok(());
        }
        self.refuse_if_instances_in(id)?;
        self.subnets.remove(id);
        for t in self.route_tables.values_mut() {
            t.associations.retain(|_, subnet| subnet != id);
        }
        Ok(())
    }

    /// CreateTags: all ids must exist, or nothing changes.
    pub fn add_tags(&mut self, region: &str, ids: &[String], add: &Tags) -> Result<(), Ec2Error> {
        for id in ids {
            self.tags_mut(region, id)?;
        }
        for id in ids {
            self.tags_mut(region, id)?
                .extend(add.iter().map(|(k, v)| (k.clone(), v.clone())));
        }
        Ok(())
    }

    pub fn remove_tags(
        &mut self,
        region: &str,
        ids: &[String],
        keys: &[String],
    ) -> Result<(), Ec2Error> {
        for id in ids {
            self.tags_mut(region, id)?.retain(|k, _| !keys.contains(k));
        }
        Ok(())
    }

    /// The tags of any object by id, from `region`.
    pub fn tags_mut(&mut self, region: &str, id: &str) -> Result<&mut Tags, Ec2Error> {
        let found = match id.split('-').next().unwrap_or_default() {
            "vpc" => self
                .vpcs
                .get_mut(id)
                .filter(|o| o.region == region)
                .map(|o| &mut o.tags),
            "subnet" => self
                .subnets
                .get_mut(id)
                .filter(|o| o.region == region)
                .map(|o| &mut o.tags),
            "rtb" => self
                .route_tables
                .get_mut(id)
                .filter(|o| o.region == region)
                .map(|o| &mut o.tags),
            "igw" => self
                .igws
                .get_mut(id)
                .filter(|o| o.region == region)
                .map(|o| &mut o.tags),
            "sg" => self
                .sgs
                .get_mut(id)
                .filter(|o| o.region == region)
                .map(|o| &mut o.tags),
            "pcx" => self
                .peerings
                .get_mut(id)
                .filter(|p| p.requester_region == region || p.accepter_region == region)
                .map(|p| &mut p.tags),
            _ => None,
        };
        found.ok_or_else(|| not_found("resource", id))
    }
}
