//! EC2 (and STS) API action names, as AWS spells them. Call logs, fault injection,
//! pacing and the call counters of benchmarks all speak in these names.

use super::Action;

pub const GET_CALLER_IDENTITY: Action = "GetCallerIdentity";

pub const DESCRIBE_VPCS: Action = "DescribeVpcs";
pub const DESCRIBE_SUBNETS: Action = "DescribeSubnets";
pub const DESCRIBE_ROUTE_TABLES: Action = "DescribeRouteTables";
pub const DESCRIBE_INTERNET_GATEWAYS: Action = "DescribeInternetGateways";
pub const DESCRIBE_SECURITY_GROUPS: Action = "DescribeSecurityGroups";
pub const DESCRIBE_VPC_PEERING_CONNECTIONS: Action = "DescribeVpcPeeringConnections";
/// One per VPC the mesh owns, in `inventory` (EC2 has no batch form).
pub const DESCRIBE_VPC_ATTRIBUTE: Action = "DescribeVpcAttribute";
/// Only the connectivity diagnosis lists instances; the mesh never touches them.
pub const DESCRIBE_INSTANCES: Action = "DescribeInstances";

pub const CREATE_VPC: Action = "CreateVpc";
pub const MODIFY_VPC_ATTRIBUTE: Action = "ModifyVpcAttribute";
pub const DELETE_VPC: Action = "DeleteVpc";
pub const CREATE_SUBNET: Action = "CreateSubnet";
pub const DELETE_SUBNET: Action = "DeleteSubnet";
pub const CREATE_ROUTE_TABLE: Action = "CreateRouteTable";
pub const ASSOCIATE_ROUTE_TABLE: Action = "AssociateRouteTable";
pub const DISASSOCIATE_ROUTE_TABLE: Action = "DisassociateRouteTable";
pub const DELETE_ROUTE_TABLE: Action = "DeleteRouteTable";
pub const CREATE_INTERNET_GATEWAY: Action = "CreateInternetGateway";
pub const ATTACH_INTERNET_GATEWAY: Action = "AttachInternetGateway";
pub const DETACH_INTERNET_GATEWAY: Action = "DetachInternetGateway";
pub const DELETE_INTERNET_GATEWAY: Action = "DeleteInternetGateway";
pub const CREATE_ROUTE: Action = "CreateRoute";
pub const REPLACE_ROUTE: Action = "ReplaceRoute";
pub const DELETE_ROUTE: Action = "DeleteRoute";
pub const CREATE_SECURITY_GROUP: Action = "CreateSecurityGroup";
pub const DELETE_SECURITY_GROUP: Action = "DeleteSecurityGroup";
pub const AUTHORIZE_SECURITY_GROUP_INGRESS: Action = "AuthorizeSecurityGroupIngress";
pub const REVOKE_SECURITY_GROUP_INGRESS: Action = "RevokeSecurityGroupIngress";
pub const CREATE_VPC_PEERING_CONNECTION: Action = "CreateVpcPeeringConnection";
pub const ACCEPT_VPC_PEERING_CONNECTION: Action = "AcceptVpcPeeringConnection";
pub const MODIFY_VPC_PEERING_CONNECTION_OPTIONS: Action = "ModifyVpcPeeringConnectionOptions";
pub const DELETE_VPC_PEERING_CONNECTION: Action = "DeleteVpcPeeringConnection";
pub const CREATE_TAGS: Action = "CreateTags";
pub const DELETE_TAGS: Action = "DeleteTags";

/// The Describe calls one `inventory` makes per region, in order.
pub const INVENTORY_DESCRIBES: [Action; 6] = [
    DESCRIBE_VPCS,
    DESCRIBE_SUBNETS,
    DESCRIBE_ROUTE_TABLES,
    DESCRIBE_INTERNET_GATEWAYS,
    DESCRIBE_SECURITY_GROUPS,
    DESCRIBE_VPC_PEERING_CONNECTIONS,
];
