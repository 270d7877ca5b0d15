//! The EC2 Query API as the proxy sees it: form parameters in, EC2's error
//! document out, and the kinds of ids the proxy tracks.

use hyper::body::Bytes;

/// The API version of EC2's Query API; other versions at the same endpoint
/// (STS) are forwarded untouched.
pub const EC2_VERSION: &str = "2016-11-15";

/// A request's form parameters (URL query and form body), in order.
pub struct Params(Vec<(String, String)>);

impl Params {
    pub fn parse(query: Option<&str>, body: &[u8]) -> Params {
        let from_query = query.map(|q| form_urlencoded::parse(q.as_bytes()));
        let pairs = from_query
            .into_iter()
            .flatten()
            .chain(form_urlencoded::parse(body))
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        Params(pairs)
    }
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
    pub fn action(&self) -> &str {
        self.get("Action").unwrap_or("")
    }
    /// An EC2 call (to be faulted), not STS or anything else.
    pub fn is_ec2(&self) -> bool {
        self.get("Version") == Some(EC2_VERSION) && !self.action().is_empty()
    }
    /// Values that name objects: everything but Action, Version and filters
    /// (a filter naming an id that EC2 cannot see yet matches nothing; it is
    /// no error).
    pub fn named_values(&self) -> impl Iterator<Item = &str> {
        self.0
            .iter()
            .filter(|(k, _)| k != "Action" && k != "Version" && !k.starts_with("Filter."))
            .map(|(_, v)| v.as_str())
    }
    pub fn has_filter(&self) -> bool {
        self.0.iter().any(|(k, _)| k.starts_with("Filter."))
    }
}

/// The kinds of ids whose visibility the proxy delays.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IdKind {
    Vpc,
    Subnet,
    RouteTable,
    SecurityGroup,
    InternetGateway,
    VpcPeeringConnection,
    RouteTableAssociation,
}

impl IdKind {
    pub const ALL: [IdKind; 7] = [
        IdKind::Vpc,
        IdKind::Subnet,
        IdKind::RouteTable,
        IdKind::SecurityGroup,
        IdKind::InternetGateway,
        IdKind::VpcPeeringConnection,
        IdKind::RouteTableAssociation,
    ];

    /// The XML element that carries this id in responses.
    pub fn element(self) -> &'static str {
        match self {
            IdKind::Vpc => "vpcId",
            IdKind::Subnet => "subnetId",
            IdKind::RouteTable => "routeTableId",
            IdKind::SecurityGroup => "groupId",
            IdKind::InternetGateway => "internetGatewayId",
            IdKind::VpcPeeringConnection => "vpcPeeringConnectionId",
            IdKind::RouteTableAssociation => "associationId",
        }
    }

    /// The action that makes an object of this kind.
    pub fn create_action(self) -> &'static str {
        match self {
            IdKind::Vpc => "CreateVpc",
            IdKind::Subnet => "CreateSubnet",
            IdKind::RouteTable => "CreateRouteTable",
            IdKind::SecurityGroup => "CreateSecurityGroup",
            IdKind::InternetGateway => "CreateInternetGateway",
            IdKind::VpcPeeringConnection => "CreateVpcPeeringConnection",
            IdKind::RouteTableAssociation => "AssociateRouteTable",
        }
    }

    /// The Describe action listing this kind and the element holding its items.
    pub fn describe(self) -> Option<(&'static str, &'static str)> {
        match self {
            IdKind::Vpc => Some(("DescribeVpcs", "vpcSet")),
            IdKind::Subnet => Some(("DescribeSubnets", "subnetSet")),
            IdKind::RouteTable => Some(("DescribeRouteTables", "routeTableSet")),
            IdKind::SecurityGroup => Some(("DescribeSecurityGroups", "securityGroupInfo")),
            IdKind::InternetGateway => Some(("DescribeInternetGateways", "internetGatewaySet")),
            IdKind::VpcPeeringConnection => {
                Some(("DescribeVpcPeeringConnections", "vpcPeeringConnectionSet"))
            }
            IdKind::RouteTableAssociation => None,
        }
    }

    /// EC2's error for an id it does not (yet) know.
    pub fn not_found(self, id: &str) -> Ec2Error {
        let (code, noun) = match self {
            IdKind::Vpc => ("InvalidVpcID.NotFound", "vpc ID"),
            IdKind::Subnet => ("InvalidSubnetID.NotFound", "subnet ID"),
            IdKind::RouteTable => ("InvalidRouteTableID.NotFound", "routeTable ID"),
            IdKind::SecurityGroup => ("InvalidGroup.NotFound", "security group"),
            IdKind::InternetGateway => ("InvalidInternetGatewayID.NotFound", "internetGateway ID"),
            IdKind::VpcPeeringConnection => (
                "InvalidVpcPeeringConnectionID.NotFound",
                "vpcPeeringConnection ID",
            ),
            IdKind::RouteTableAssociation => ("InvalidAssociationID.NotFound", "association ID"),
        };
        Ec2Error::new(400, code, format!("The {noun} '{id}' does not exist"))
    }

    pub fn for_create(action: &str) -> Option<IdKind> {
        IdKind::ALL
            .into_iter()
            .find(|k| k.create_action() == action)
    }
    pub fn for_describe(action: &str) -> Option<IdKind> {
        IdKind::ALL
            .into_iter()
            .find(|k| k.describe().is_some_and(|(a, _)| a == action))
    }
}

/// An error answered by the proxy in EC2's format.
#[derive(Clone, Debug, PartialEq)]
pub struct Ec2Error {
    pub status: u16,
    pub code: &'static str,
    pub message: String,
}

impl Ec2Error {
    pub fn new(status: u16, code: &'static str, message: impl Into<String>) -> Ec2Error {
        Ec2Error {
            status,
            code,
            message: message.into(),
        }
    }

    /// EC2's error document (what aws-sdk-ec2 parses: Response/Errors/Error
    /// with Code and Message, and RequestID).
    pub fn body(&self, request_id: &str) -> Bytes {
        Bytes::from(format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>{}</Code>\
             <Message>{}</Message></Error></Errors><RequestID>{request_id}</RequestID></Response>",
            self.code,
            escape(&self.message)
        ))
    }
}

/// STS's error document (ErrorResponse/Error with Type, Code and Message).
pub fn sts_error_body(code: &str, message: &str) -> Bytes {
    Bytes::from(format!(
        "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type>\
         <Code>{code}</Code><Message>{}</Message></Error><RequestId>faultproxy-sts</RequestId></ErrorResponse>",
        escape(message)
    ))
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
