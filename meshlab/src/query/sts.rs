//! Other accounts: STS AssumeRole of a role ARN with the own keys, and
//! GetCallerIdentity to learn (and check) the account keys act in.

use roxmltree::Document;

use super::{text, Ec2Api};

/// The API version of STS calls.
const STS_VERSION: &str = "2011-06-15";
/// The session name of the lab's assumed roles (AWS wants 2 to 64 characters).
const SESSION_NAME: &str = "meshlab";

impl Ec2Api {
    /// The API in the account of `role_arn` (`arn:aws:iam::N:role/X`): STS
    /// AssumeRole with the own keys, then a check that moto answers as that
    /// account (GetCallerIdentity), since moto never refuses a role and a
    /// `MOTO_ACCOUNT_ID` in its environment overrides every key.
    pub fn assume_role(endpoint: &str, region: &str, role_arn: &str) -> Result<Ec2Api, String> {
        let own = Ec2Api::new(endpoint, region);
        let fail = |why: String| format!("assuming role {role_arn} at {endpoint}: {why}");
        // moto assumes anything, falling back to the caller's account: a typo
        // would quietly read the own account twice.
        let wanted = account_of_arn(role_arn)
            .ok_or_else(|| fail("not a role ARN (arn:aws:iam::<account id>:role/<name>)".into()))?;
        let answer = own
            .request(
                "sts",
                STS_VERSION,
                "AssumeRole",
                &[("RoleArn", role_arn), ("RoleSessionName", SESSION_NAME)],
            )
            .map_err(fail)?;
        let doc =
            Document::parse(&answer).map_err(|e| fail(format!("the answer is not XML: {e}")))?;
        let credentials = doc
            .descendants()
            .find(|n| n.has_tag_name("Credentials"))
            .ok_or_else(|| fail("the answer has no Credentials".into()))?;
        let access_key = text(credentials, "AccessKeyId")
            .ok_or_else(|| fail("the answer has no AccessKeyId".into()))?;
        let api = Ec2Api {
            access_key: access_key.to_string(),
            session_token: text(credentials, "SessionToken").map(str::to_string),
            role_arn: Some(role_arn.to_string()),
            ..own
        };
        let account = api.account_id().map_err(fail)?;
        if account != wanted {
            return Err(fail(format!(
                "the keys act in account {account}, not {wanted}; is MOTO_ACCOUNT_ID set \
                 in moto's environment? (it overrides every key; unset it)"
            )));
        }
        Ok(api)
    }

    /// The account these keys act in (STS GetCallerIdentity).
    pub fn account_id(&self) -> Result<String, String> {
        let answer = self.request("sts", STS_VERSION, "GetCallerIdentity", &[])?;
        Document::parse(&answer)
            .ok()
            .and_then(|doc| {
                let node = doc.descendants().find(|n| n.has_tag_name("Account"))?;
                node.text().map(str::to_string)
            })
            .ok_or_else(|| format!("{}: GetCallerIdentity named no account", self.what("sts")))
    }
}

/// The account id in a role ARN (`arn:<partition>:iam::<digits>:...`).
pub fn account_of_arn(arn: &str) -> Option<&str> {
    let mut parts = arn.splitn(6, ':');
    let (Some("arn"), Some(_partition), Some("iam"), Some(""), Some(account)) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return None;
    };
    (!account.is_empty() && account.bytes().all(|b| b.is_ascii_digit())).then_some(account)
}
