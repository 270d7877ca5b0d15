//! The settings the EC2 layer needs to reach AWS, and nothing else: the provider block
//! (`crate::config`) resolves them, the EC2 clients read them. `Debug` is written by
//! hand so that keys and external ids never reach a log.

use std::collections::BTreeMap;

use tfplugin::logging::redact::url_credentials;

#[derive(Clone, PartialEq, Eq)]
pub struct AssumeRole {
    pub role_arn: String,
    pub session_name: Option<String>,
    /// Sensitive: never in `Debug`, registered for log redaction.
    pub external_id: Option<String>,
}

impl std::fmt::Debug for AssumeRole {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AssumeRole")
            .field("role_arn", &self.role_arn)
            .field("session_name", &self.session_name)
            .field(
                "external_id",
                &self.external_id.as_ref().map(|_| "(sensitive)"),
            )
            .finish()
    }
}

/// How to reach one account of `accounts`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountAccess {
    /// A role of that account, assumed with the provider's own credentials (after the
    /// provider's own `assume_role`, when set).
    AssumeRole(AssumeRole),
    /// A named profile of the shared AWS config files.
    Profile(String),
}

impl AccountAccess {
    /// How a message names the way in: `role arn:...` or `profile "ops"`.
    pub fn describe(&self) -> String {
        match self {
            AccountAccess::AssumeRole(role) => format!("role {}", role.role_arn),
            AccountAccess::Profile(name) => format!("profile \"{name}\""),
        }
    }

    /// The account id the role ARN names, when it names one.
    pub fn expected_account_id(&self) -> Option<&str> {
        match self {
            AccountAccess::AssumeRole(role) => role.role_arn.split(':').nth(4),
            AccountAccess::Profile(_) => None,
        }
    }

    pub fn external_id(&self) -> Option<&str> {
        match self {
            AccountAccess::AssumeRole(role) => role.external_id.as_deref(),
            AccountAccess::Profile(_) => None,
        }
    }
}

#[derive(Clone, PartialEq, Eq)]
pub struct AwsSettings {
    pub region: Option<String>,
    pub profile: Option<String>,
    pub access_key: Option<String>,
    pub secret_key: Option<String>,
    pub ec2_endpoint: Option<String>,
    /// STS only (GetCallerIdentity, AssumeRole); unset means AWS's own STS endpoint.
    pub sts_endpoint: Option<String>,
    pub assume_role: Option<AssumeRole>,
    pub max_retries: i64,
    pub max_concurrency: i64,
    /// Other accounts by key (`accounts` of the provider block).
    pub accounts: BTreeMap<String, AccountAccess>,
}

impl AwsSettings {
    /// The secrets among these settings, for log redaction.
    pub fn secrets(&self) -> Vec<&str> {
        let own = self
            .assume_role
            .as_ref()
            .and_then(|r| r.external_id.as_deref());
        let accounts = self
            .accounts
            .values()
            .filter_map(AccountAccess::external_id);
        [self.secret_key.as_deref(), own]
            .into_iter()
            .flatten()
            .chain(accounts)
            .collect()
    }
}

impl std::fmt::Debug for AwsSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let hidden = |v: &Option<String>| v.as_ref().map(|_| "(sensitive)");
        f.debug_struct("AwsSettings")
            .field("region", &self.region)
            .field("profile", &self.profile)
            .field("access_key", &hidden(&self.access_key))
            .field("secret_key", &hidden(&self.secret_key))
            .field(
                "ec2_endpoint",
                &self.ec2_endpoint.as_deref().map(url_credentials),
            )
            .field(
                "sts_endpoint",
                &self.sts_endpoint.as_deref().map(url_credentials),
            )
            .field("assume_role", &self.assume_role)
            .field("max_retries", &self.max_retries)
            .field("max_concurrency", &self.max_concurrency)
            .field("accounts", &self.accounts)
            .finish()
    }
}
