//! Route tables, associations, routes and internet gateways of the fake.

use std::collections::BTreeMap;

use ipnet::IpNet;

use super::state::{api, not_found, InternetGateway, RouteTable, State};
use crate::ec2::types::{RouteTarget, Tags};
use crate::ec2::Ec2Error;

impl State {
    pub fn route_table_mut(&mut self, region: &str, id: &str) -> Result<&mut RouteTable, Ec2Error> {
        self.route_tables
            .get_mut(id)
            .filter(|t| t.region == region)
            .ok_or_else(|| not_found("route table", id))
    }

    pub fn create_route_table(
        &mut self,
        region: &str,
        vpc_id: &str,
        tags: &Tags,
    ) -> Result<String, Ec2Error> {
        let vpc = self.vpc(region, vpc_id)?;
        let mut routes = BTreeMap::from([(IpNet::V4(vpc.cidr), RouteTarget::Local)]);
        if let Some((block, _)) = &vpc.ipv6 {
            routes.insert(IpNet::V6(*block), RouteTarget::Local);
        }
        let id = self.new_id("rtb");
        self.route_tables.insert(
            id.clone(),
            RouteTable {
                region: region.to_string(),
                vpc_id: vpc_id.to_string(),
                main: false,
                associations: BTreeMap::new(),
                routes,
                tags: tags.clone(),
            },
        );
        Ok(id)
    }

    pub fn associate(
        &mut self,
        region: &str,
        rtb_id: &str,
        subnet_id: &str,
    ) -> Result<String, Ec2Error> {
        let subnet_vpc = self.subnet(region, subnet_id)?.vpc_id.clone();
        let table_vpc = self.route_table_mut(region, rtb_id)?.vpc_id.clone();
        if subnet_vpc != table_vpc {
            return Err(api(
                "InvalidParameterValue",
                format!("route table {rtb_id} and subnet {subnet_id} belong to different networks"),
            ));
        }
        let taken = self
            .route_tables
            .values()
            .any(|t| t.associations.values().any(|s| s == subnet_id));
        if taken {
            return Err(api("Resource.AlreadyAssociated", format!("the specified association for route table {rtb_id} conflicts with an existing association")));
        }
        let id = self.new_id("rtbassoc");
        self.route_table_mut(region, rtb_id)?
            .associations
            .insert(id.clone(), subnet_id.to_string());
        Ok(id)
    }

    pub fn disassociate(&mut self, region: &str, association_id: &str) -> Result<(), Ec2Error> {
        for t in self
            .route_tables
            .values_mut()
            .filter(|t| t.region == region)
        {
            if t.associations.remove(association_id).is_some() {
                return Ok(());
            }
        }
        Ok(())
    }

    pub fn delete_route_table(&mut self, region: &str, id: &str) -> Result<(), Ec2Error> {
        let Ok(table) = self.route_table_mut(region, id) else {
            return Ok(());
        };
        if table.main || !table.associations.is_empty() {
            return Err(api(
                "DependencyViolation",
                format!("The routeTable '{id}' has dependencies and cannot be deleted."),
            ));
        }
        self.route_tables.remove(id);
        Ok(())
    }

    /// Create-or-replace, checking the target exists where AWS checks it.
    pub fn put_route(
        &mut self,
        region: &str,
        rtb_id: &str,
        destination: IpNet,
        target: &RouteTarget,
    ) -> Result<(), Ec2Error> {
        let vpc_id = self.route_table_mut(region, rtb_id)?.vpc_id.clone();
        match target {
            RouteTarget::Local => {
                return Err(api(
                    "InvalidParameterValue",
                    "local routes are created with the VPC",
                ));
            }
            RouteTarget::Gateway(igw) => {
                let attached = self.igw_mut(region, igw)?.attached_vpc.clone();
                if attached.as_deref() != Some(vpc_id.as_str()) {
                    return Err(api(
                        "InvalidParameterValue",
                        format!("route table {rtb_id} and network gateway {igw} belong to different networks"),
                    ));
                }
            }
            RouteTarget::Peering(pcx) => {
                let usable = self.peerings.get(pcx).is_some_and(|p| {
                    !p.status.is_terminal()
                        && (p.requester_vpc_id == vpc_id || p.accepter_vpc_id == vpc_id)
                });
                if !usable {
                    return Err(not_found("VPC peering connection", pcx));
                }
            }
            RouteTarget::Other(_) => {}
        }
        let table = self.route_table_mut(region, rtb_id)?;
        if table.routes.get(&destination) == Some(&RouteTarget::Local) {
            return Err(api(
                "InvalidParameterValue",
                format!("cannot replace the local route {destination}"),
            ));
        }
        table.routes.insert(destination, target.clone());
        Ok(())
    }

    /// CreateRoute: Ok(true) when the destination routes elsewhere already (the caller
    /// then replaces it), Ok(false) when created or identical.
    pub fn create_route(
        &mut self,
        region: &str,
        rtb_id: &str,
        destination: IpNet,
        target: &RouteTarget,
    ) -> Result<bool, Ec2Error> {
        match self
            .route_table_mut(region, rtb_id)?
            .routes
            .get(&destination)
        {
            Some(existing) if existing == target => Ok(false),
            Some(_) => Ok(true),
            None => self
                .put_route(region, rtb_id, destination, target)
                .map(|()| false),
        }
    }

    pub fn delete_route(
        &mut self,
        region: &str,
        rtb_id: &str,
        destination: IpNet,
    ) -> Result<(), Ec2Error> {
        let Ok(table) = self.route_table_mut(region, rtb_id) else {
            return Ok(());
        };
        if table.routes.get(&destination) == Some(&RouteTarget::Local) {
            return Err(api(
                "InvalidParameterValue",
                format!("cannot remove the local route {destination}"),
            ));
        }
        table.routes.remove(&destination);
        Ok(())
    }

    /// `active`, or `blackhole` when the peering is gone or the gateway detached, as
    /// real AWS reports it (moto does not).
    pub fn route_state(&self, vpc_id: &str, target: &RouteTarget) -> &'static str {
        let alive = match target {
            RouteTarget::Local | RouteTarget::Other(_) => true,
            RouteTarget::Gateway(igw) => self
                .igws
                .get(igw)
                .is_some_and(|g| g.attached_vpc.as_deref() == Some(vpc_id)),
            RouteTarget::Peering(pcx) => self
                .peerings
                .get(pcx)
                .is_some_and(|p| !p.status.is_terminal()),
        };
        if alive {
            "active"
        } else {
            "blackhole"
        }
    }

    pub fn create_igw(&mut self, region: &str, tags: &Tags) -> String {
        let id = self.new_id("igw");
        self.igws.insert(
            id.clone(),
            InternetGateway {
                region: region.to_string(),
                attached_vpc: None,
                detaching: 0,
                tags: tags.clone(),
            },
        );
        id
    }

    pub fn attach_igw(&mut self, region: &str, igw_id: &str, vpc_id: &str) -> Result<(), Ec2Error> {
        self.vpc(region, vpc_id)?;
        if self
            .igws
            .values()
            .any(|g| g.attached_vpc.as_deref() == Some(vpc_id))
        {
            return Err(api(
                "Resource.AlreadyAssociated",
                format!("VPC {vpc_id} already has an internet gateway"),
            ));
        }
        let igw = self.igw_mut(region, igw_id)?;
        if igw.attached_vpc.is_some() {
            return Err(api(
                "Resource.AlreadyAssociated",
                format!("resource {igw_id} is already attached"),
            ));
        }
        igw.attached_vpc = Some(vpc_id.to_string());
        Ok(())
    }

    pub fn detach_igw(&mut self, region: &str, igw_id: &str, vpc_id: &str) -> Result<(), Ec2Error> {
        let lag = self.detach_lag;
        let igw = self.igw_mut(region, igw_id)?;
        if igw.attached_vpc.as_deref() != Some(vpc_id) {
            return Err(api(
                "Gateway.NotAttached",
                format!("resource {igw_id} is not attached to network {vpc_id}"),
            ));
        }
        if igw.detaching > 0 {
            return Err(api(
                "IncorrectState",
                format!("resource {igw_id} is detaching from {vpc_id}"),
            ));
        }
        match lag {
            0 => igw.attached_vpc = None,
            lag => igw.detaching = lag,
        }
        Ok(())
    }

    /// DescribeInternetGateways of one gateway: is it still attached (or detaching)
    /// to `vpc_id`? Each look brings a detach in progress one step closer to its end.
    pub fn igw_attached_to(&mut self, region: &str, igw_id: &str, vpc_id: &str) -> bool {
        let Ok(igw) = self.igw_mut(region, igw_id) else {
            return false;
        };
        if igw.detaching > 0 {
            igw.detaching -= 1;
            if igw.detaching == 0 {
                igw.attached_vpc = None;
            }
        }
        igw.attached_vpc.as_deref() == Some(vpc_id)
    }

    pub fn delete_igw(&mut self, region: &str, igw_id: &str) -> Result<(), Ec2Error> {
        match self.igw_mut(region, igw_id) {
            Err(_) => Ok(()),
            Ok(g) if g.attached_vpc.is_some() => Err(api(
                "DependencyViolation",
                format!("The internetGateway '{igw_id}' has dependencies and cannot be deleted."),
            )),
            Ok(_) => {
                self.igws.remove(igw_id);
                Ok(())
            }
        }
    }
}
