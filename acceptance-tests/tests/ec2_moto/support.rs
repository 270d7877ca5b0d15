//! The moto server guard and small helpers for `ec2_moto.rs`.

use std::collections::BTreeSet;
use std::time::Duration;

use acceptance_tests::ec2check::sdk_client;
use acceptance_tests::moto::MotoServer;
use ipnet::Ipv4Net;
use terraform_provider_peering::ec2::access::AwsSettings;
use terraform_provider_peering::ec2::aws::AwsEc2;
use terraform_provider_peering::ec2::types::{Tags, TAG_COMPONENT, TAG_MESH};

pub const US: &str = "us-east-1";
pub const EU: &str = "eu-west-2";

/// A moto server for one test, stopped when dropped.
pub struct Moto {
    server: MotoServer,
}

impl Moto {
    pub fn start(test: &str) -> Option<Moto> {
        MotoServer::require(test).map(|server| Moto { server })
    }

    pub fn ec2(&self) -> AwsEc2 {
        let config = AwsSettings {
            region: Some(US.to_string()),
            profile: None,
            access_key: Some("testing".to_string()),
            secret_key: Some("testing".to_string()),
            ec2_endpoint: Some(self.server.endpoint()),
            sts_endpoint: Some(self.server.endpoint()),
            assume_role: None,
            max_retries: 3,
            max_concurrency: 8,
            accounts: Default::default(),
        };
        AwsEc2::new(&config).with_poll_interval(Duration::from_millis(100))
    }

    /// A plain aws-sdk-ec2 client on the server, for what the provider never does
    /// (running instances).
    pub fn sdk(&self, region: &str) -> aws_sdk_ec2::Client {
        sdk_client(&self.server.endpoint(), region)
    }
}

pub fn net(s: &str) -> Ipv4Net {
    s.parse().unwrap()
}

pub fn tags(mesh: &str, component: &str) -> Tags {
    Tags::from([
        (TAG_MESH.to_string(), mesh.to_string()),
        (TAG_COMPONENT.to_string(), component.to_string()),
    ])
}

pub fn ids<T>(items: &[T], id: impl Fn(&T) -> &String) -> BTreeSet<String> {
    items.iter().map(|i| id(i).clone()).collect()
}

pub fn set(items: &[&String]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}
