//! The moto server guard and small helpers for `ec2_moto.rs`.

use std::collections::BTreeSet;
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use aws_config::{BehaviorVersion, Region};
use aws_credential_types::Credentials;
use ipnet::Ipv4Net;
use terraform_provider_peering::config::{ProviderConfig, Quotas};
use terraform_provider_peering::ec2::aws::AwsEc2;
use terraform_provider_peering::ec2::types::{Tags, TAG_COMPONENT, TAG_MESH};

pub const US: &str = "us-east-1";
pub const EU: &str = "eu-west-2";

/// A moto server process, killed when dropped.
pub struct Moto {
    child: Child,
    address: SocketAddr,
}

impl Moto {
    pub fn start(test: &str) -> Option<Moto> {
        let exe = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../.tools/bin/moto_server");
        if !exe.exists() {
            let why = format!("{test}: {} not found (run scripts/setup.sh)", exe.display());
            assert!(std::env::var("CI").as_deref() != Ok("true"), "{why}");
            eprintln!("SKIPPED {why}");
            return None;
        }
        let port = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .and_then(|l| l.local_addr())
            .unwrap()
            .port();
        let child = Command::new(&exe)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("{test}: starting moto_server: {e}"));
        let mut moto = Moto {
            child,
            address: SocketAddr::from((Ipv4Addr::LOCALHOST, port)),
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        while TcpStream::connect_timeout(&moto.address, Duration::from_millis(200)).is_err() {
            let exited = moto.child.try_wait().ok().flatten();
            assert!(
                exited.is_none() && Instant::now() < deadline,
                "{test}: moto_server did not start ({exited:?})"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        Some(moto)
    }

    pub fn ec2(&self) -> AwsEc2 {
        let config = ProviderConfig {
            region: Some(US.to_string()),
            profile: None,
            access_key: Some("testing".to_string()),
            secret_key: Some("testing".to_string()),
            ec2_endpoint: Some(format!("http://{}", self.address)),
            sts_endpoint: Some(format!("http://{}", self.address)),
            assume_role: None,
            max_retries: 3,
            max_concurrency: 8,
            default_tags: Default::default(),
            quotas: Quotas::default(),
        };
        AwsEc2::new(&config).with_poll_interval(Duration::from_millis(100))
    }

    /// A plain aws-sdk-ec2 client on the server, for what the provider never does
    /// (running instances).
    pub fn sdk(&self, region: &str) -> aws_sdk_ec2::Client {
        let keys = Credentials::new("testing", "testing", None, None, "moto");
        let conf = aws_sdk_ec2::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .http_client(terraform_provider_peering::ec2::aws::https_client())
            .region(Region::new(region.to_string()))
            .endpoint_url(format!("http://{}", self.address))
            .credentials_provider(keys)
            .build();
        aws_sdk_ec2::Client::from_conf(conf)
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
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
