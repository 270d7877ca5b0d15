//! An EC2 client for the fault proxy's self-tests: SDK retries off (every
//! fault reaches the test), blocking, with failures reduced to what the
//! assertions need: EC2's code and HTTP status, or "no answer".

use std::future::Future;

use acceptance_tests::ec2check::{DUMMY_ACCESS_KEY, DUMMY_SECRET_KEY};
use aws_sdk_ec2::config::http::HttpResponse;
use aws_sdk_ec2::config::retry::RetryConfig;
use aws_sdk_ec2::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_ec2::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_ec2::types::{Filter, ResourceType, Tag, TagSpecification};
use tokio::runtime::Runtime;

pub const REGION: &str = "us-east-1";

/// How a call failed, as the client saw it.
#[derive(Debug, PartialEq)]
pub enum Failure {
    /// An EC2 error document: its code and the HTTP status.
    Ec2 {
        code: String,
        status: u16,
    },
    /// No answer at all (the connection was closed).
    NoAnswer,
    Other(String),
}

impl Failure {
    pub fn ec2(code: &str, status: u16) -> Failure {
        Failure::Ec2 {
            code: code.to_string(),
            status,
        }
    }
}

pub fn failure<E: ProvideErrorMetadata + std::error::Error + 'static>(
    error: SdkError<E, HttpResponse>,
) -> Failure {
    match &error {
        SdkError::ServiceError(service) => Failure::Ec2 {
            code: service.err().code().unwrap_or("").to_string(),
            status: service.raw().status().as_u16(),
        },
        SdkError::DispatchFailure(_) => Failure::NoAnswer,
        SdkError::ResponseError(_) => Failure::NoAnswer,
        _ => Failure::Other(error.to_string()),
    }
}

pub struct Ec2 {
    pub client: aws_sdk_ec2::Client,
    runtime: Runtime,
}

impl Ec2 {
    pub fn new(endpoint: &str) -> Ec2 {
        let credentials = Credentials::new(
            DUMMY_ACCESS_KEY,
            DUMMY_SECRET_KEY,
            None,
            None,
            "fault-proxy",
        );
        let config = aws_sdk_ec2::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .http_client(terraform_provider_peering::ec2::aws::https_client())
            .region(Region::new(REGION))
            .endpoint_url(endpoint)
            .credentials_provider(credentials)
            .retry_config(RetryConfig::disabled())
            .build();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a tokio runtime for the EC2 client");
        Ec2 {
            client: aws_sdk_ec2::Client::from_conf(config),
            runtime,
        }
    }

    pub fn block_on<T>(&self, future: impl Future<Output = T>) -> T {
        self.runtime.block_on(future)
    }

    /// Runs an SDK call; its output or how it failed.
    pub fn outcome<T, E>(
        &self,
        call: impl Future<Output = Result<T, SdkError<E, HttpResponse>>>,
    ) -> Result<T, Failure>
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
    {
        self.block_on(call).map_err(failure)
    }

    /// CreateVpc tagged `test=<tag>`; the new VPC's id.
    pub fn create_vpc(&self, cidr: &str, tag: &str) -> Result<String, Failure> {
        let tags = TagSpecification::builder()
            .resource_type(ResourceType::Vpc)
            .tags(Tag::builder().key("test").value(tag).build())
            .build();
        let call = self
            .client
            .create_vpc()
            .cidr_block(cidr)
            .tag_specifications(tags);
        let output = self.block_on(call.send()).map_err(failure)?;
        Ok(output
            .vpc()
            .and_then(|v| v.vpc_id())
            .unwrap_or("")
            .to_string())
    }

    /// The ids of VPCs tagged `test=<tag>` (a tag filter).
    pub fn vpcs_tagged(&self, tag: &str) -> Result<Vec<String>, Failure> {
        let filter = Filter::builder().name("tag:test").values(tag).build();
        let call = self.client.describe_vpcs().filters(filter);
        let output = self.block_on(call.send()).map_err(failure)?;
        Ok(output
            .vpcs()
            .iter()
            .filter_map(|v| v.vpc_id())
            .map(str::to_string)
            .collect())
    }

    /// DescribeVpcs by id; the ids answered.
    pub fn describe_vpc(&self, id: &str) -> Result<Vec<String>, Failure> {
        let output = self
            .block_on(self.client.describe_vpcs().vpc_ids(id).send())
            .map_err(failure)?;
        Ok(output
            .vpcs()
            .iter()
            .filter_map(|v| v.vpc_id())
            .map(str::to_string)
            .collect())
    }

    /// A peering's status code, by id.
    pub fn peering_status(&self, id: &str) -> Result<String, Failure> {
        let call = self
            .client
            .describe_vpc_peering_connections()
            .vpc_peering_connection_ids(id);
        let output = self.block_on(call.send()).map_err(failure)?;
        let peering = output.vpc_peering_connections().first();
        Ok(status_code(peering.and_then(|p| p.status())))
    }

    /// CreateVpcPeeringConnection; the id and the status answered.
    pub fn create_peering(&self, vpc: &str, peer: &str) -> Result<(String, String), Failure> {
        let call = self
            .client
            .create_vpc_peering_connection()
            .vpc_id(vpc)
            .peer_vpc_id(peer);
        let output = self.block_on(call.send()).map_err(failure)?;
        let peering = output.vpc_peering_connection();
        let id = peering.and_then(|p| p.vpc_peering_connection_id());
        Ok((
            id.unwrap_or("").to_string(),
            status_code(peering.and_then(|p| p.status())),
        ))
    }

    /// AcceptVpcPeeringConnection; the status answered.
    pub fn accept_peering(&self, id: &str) -> Result<String, Failure> {
        let call = self
            .client
            .accept_vpc_peering_connection()
            .vpc_peering_connection_id(id);
        let output = self.block_on(call.send()).map_err(failure)?;
        let peering = output.vpc_peering_connection();
        Ok(status_code(peering.and_then(|p| p.status())))
    }

    pub fn delete_vpc(&self, id: &str) -> Result<(), Failure> {
        self.block_on(self.client.delete_vpc().vpc_id(id).send())
            .map(|_| ())
            .map_err(failure)
    }
}

fn status_code(status: Option<&aws_sdk_ec2::types::VpcPeeringConnectionStateReason>) -> String {
    status
        .and_then(|s| s.code())
        .map(|c| c.as_str().to_string())
        .unwrap_or_default()
}

/// moto, the proxy in front of it, and clients through the proxy and direct.
pub struct Setup {
    pub proxy: acceptance_tests::FaultProxy,
    pub through: Ec2,
    pub direct: Ec2,
    _moto: acceptance_tests::MotoServer,
}

/// `None` (after printing why) when moto is missing.
pub fn setup(test: &str, faults: acceptance_tests::Faults) -> Option<Setup> {
    let moto = acceptance_tests::MotoServer::require(test)?;
    let proxy = acceptance_tests::FaultProxy::start(moto.address(), faults)
        .unwrap_or_else(|e| panic!("{test}: {e}"));
    Some(Setup {
        through: Ec2::new(&proxy.endpoint()),
        direct: Ec2::new(&moto.endpoint()),
        proxy,
        _moto: moto,
    })
}
