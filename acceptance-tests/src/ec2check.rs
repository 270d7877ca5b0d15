//! Checks through the EC2 API itself, independent of the provider: an
//! aws-sdk-ec2 client pointed at the test's moto server with dummy
//! credentials, blocking (the scenarios are plain synchronous tests), that
//! reads everything into an [`Ec2Snapshot`] and can change things out of band
//! (delete a peering to test drift; more in [`oob`]).

mod convert;
pub mod instance;
pub mod oob;
pub mod snapshot;

use std::future::Future;

use aws_sdk_ec2::config::{BehaviorVersion, Credentials, Region};
use tokio::runtime::Runtime;

pub use instance::Instance;
pub use oob::RouteTo;
pub use snapshot::{
    Ec2Snapshot, IngressRule, InternetGateway, MeshObject, Peering, Route, RouteTable,
    SecurityGroup, Subnet, Tagged, Tags, Vpc, TAG_COMPONENT, TAG_MESH,
};

/// The dummy keys moto accepts; the scenarios give Terraform the same ones.
pub const DUMMY_ACCESS_KEY: &str = "testing";
pub const DUMMY_SECRET_KEY: &str = "testing";

/// Every page of a Describe call, converted; panics on an API error (a
/// check that cannot read EC2 cannot pass).
macro_rules! describe_all {
    ($check:ident, $call:ident, $items:ident, $convert:path, $what:literal) => {
        $check.block_on(async {
            let mut all = Vec::new();
            let mut token = None;
            loop {
                let page = $check
                    .client
                    .$call()
                    .set_next_token(token)
                    .send()
                    .await
                    .unwrap_or_else(|e| panic!("{}: {e:?}", $what));
                all.extend(page.$items().iter().map($convert));
                token = page.next_token().map(str::to_string);
                if token.is_none() {
                    return all;
                }
            }
        })
    };
}

pub struct Ec2Check {
    client: aws_sdk_ec2::Client,
    runtime: Runtime,
    endpoint: String,
    region: String,
}

fn dummy_credentials() -> Credentials {
    Credentials::new(
        DUMMY_ACCESS_KEY,
        DUMMY_SECRET_KEY,
        None,
        None,
        "acceptance-tests",
    )
}

/// A plain SDK client for `region` at `endpoint` (moto's `http://127.0.0.1:PORT`) with
/// moto's dummy keys, on the provider's HTTP client.
pub fn sdk_client(endpoint: &str, region: &str) -> aws_sdk_ec2::Client {
    client_with(endpoint, region, dummy_credentials())
}

/// The credentials of `role_arn` from STS AssumeRole at `endpoint`, asked with moto's
/// dummy keys: moto answers with keys that act in the role's account, as AWS does.
async fn assume_role(endpoint: &str, role_arn: &str) -> Credentials {
    let config = aws_sdk_sts::Config::builder()
        .behavior_version(aws_sdk_sts::config::BehaviorVersion::latest())
        .http_client(terraform_provider_peering::ec2::aws::https_client())
        .region(aws_sdk_sts::config::Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .credentials_provider(dummy_credentials())
        .build();
    let answer = aws_sdk_sts::Client::from_conf(config)
        .assume_role()
        .role_arn(role_arn)
        .role_session_name("acceptance-checks")
        .send()
        .await
        .unwrap_or_else(|e| panic!("AssumeRole {role_arn}: {e:?}"));
    let keys = answer
        .credentials()
        .expect("AssumeRole answers credentials");
    Credentials::new(
        keys.access_key_id(),
        keys.secret_access_key(),
        Some(keys.session_token().to_string()),
        None,
        "acceptance-tests-role",
    )
}

fn client_with(endpoint: &str, region: &str, credentials: Credentials) -> aws_sdk_ec2::Client {
    let config = aws_sdk_ec2::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .http_client(terraform_provider_peering::ec2::aws::https_client())
        .region(Region::new(region.to_string()))
        .endpoint_url(endpoint)
        .credentials_provider(credentials)
        .build();
    aws_sdk_ec2::Client::from_conf(config)
}

impl Ec2Check {
    /// A client for `region` at `endpoint` (moto's `http://127.0.0.1:PORT`).
    pub fn new(endpoint: &str, region: &str) -> Ec2Check {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a tokio runtime for the EC2 checks");
        Ec2Check {
            client: sdk_client(endpoint, region),
            runtime,
            endpoint: endpoint.to_string(),
            region: region.to_string(),
        }
    }

    /// A client for `region` at `endpoint` acting in the account of `role_arn`: the checks
    /// read another account as the provider does, through an assumed role.
    pub fn for_role(endpoint: &str, region: &str, role_arn: &str) -> Ec2Check {
        let mut check = Ec2Check::new(endpoint, region);
        let credentials = check.block_on(assume_role(endpoint, role_arn));
        check.client = client_with(endpoint, region, credentials);
        check
    }

    /// Runs `future` (e.g. a call on [`Ec2Check::client`]) to completion.
    pub fn block_on<T>(&self, future: impl Future<Output = T>) -> T {
        self.runtime.block_on(future)
    }

    /// The SDK client, for tests that build EC2 state themselves.
    pub fn client(&self) -> &aws_sdk_ec2::Client {
        &self.client
    }

    /// The network lab's spec of the region, read by the lab itself (as `meshlab up` does).
    pub fn lab_spec(&self) -> meshlab::LabSpec {
        meshlab::LabSpec::from_ec2(&self.endpoint, &self.region)
            .unwrap_or_else(|e| panic!("reading the lab's spec: {e}"))
    }

    /// The network lab's spec of the VPCs `keep` accepts, read by the lab itself
    /// ([`meshlab::LabSpec::from_ec2_vpcs`]).
    pub fn lab_spec_of(&self, keep: impl Fn(&str) -> bool) -> meshlab::LabSpec {
        meshlab::LabSpec::from_ec2_vpcs(&self.endpoint, &self.region, keep)
            .unwrap_or_else(|e| panic!("reading the lab's spec: {e}"))
    }

    /// Everything in the region, read with one paginated Describe per kind.
    pub fn snapshot(&self) -> Ec2Snapshot {
        Ec2Snapshot {
            vpcs: self.vpcs(),
            subnets: self.subnets(),
            route_tables: self.route_tables(),
            internet_gateways: self.internet_gateways(),
            security_groups: self.security_groups(),
            peerings: self.peerings(),
            instances: self.instances(),
        }
    }

    pub fn vpcs(&self) -> Vec<Vpc> {
        describe_all!(self, describe_vpcs, vpcs, convert::vpc, "DescribeVpcs")
    }

    pub fn subnets(&self) -> Vec<Subnet> {
        describe_all!(
            self,
            describe_subnets,
            subnets,
            convert::subnet,
            "DescribeSubnets"
        )
    }

    pub fn route_tables(&self) -> Vec<RouteTable> {
        describe_all!(
            self,
            describe_route_tables,
            route_tables,
            convert::route_table,
            "DescribeRouteTables"
        )
    }

    pub fn internet_gateways(&self) -> Vec<InternetGateway> {
        describe_all!(
            self,
            describe_internet_gateways,
            internet_gateways,
            convert::internet_gateway,
            "DescribeInternetGateways"
        )
    }

    pub fn security_groups(&self) -> Vec<SecurityGroup> {
        describe_all!(
            self,
            describe_security_groups,
            security_groups,
            convert::security_group,
            "DescribeSecurityGroups"
        )
    }

    pub fn peerings(&self) -> Vec<Peering> {
        describe_all!(
            self,
            describe_vpc_peering_connections,
            vpc_peering_connections,
            convert::peering,
            "DescribeVpcPeeringConnections"
        )
    }

    /// Every instance, flattened out of its reservation.
    pub fn instances(&self) -> Vec<Instance> {
        let reservations: Vec<Vec<Instance>> = describe_all!(
            self,
            describe_instances,
            reservations,
            instance::of_reservation,
            "DescribeInstances"
        );
        reservations.concat()
    }

    /// Deletes a peering behind Terraform's back (drift).
    pub fn delete_peering(&self, id: &str) {
        self.block_on(
            self.client
                .delete_vpc_peering_connection()
                .vpc_peering_connection_id(id)
                .send(),
        )
        .unwrap_or_else(|e| panic!("DeleteVpcPeeringConnection {id}: {e:?}"));
    }
}
