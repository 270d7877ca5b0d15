//! The provider's `accounts`: plan-time checks with attribute paths, resolution, secrets.

use serde_json::json;
use tfplugin::diag::{AttributePath, Diagnostics};

use super::{config, errors, no_env};
use crate::config::{resolve, AccountAccess, AssumeRole};

const DEV_ROLE: &str = "arn:aws:iam::222222222222:role/mesh";

fn paths(found: &[tfplugin::diag::Diagnostic]) -> Vec<String> {
    found
        .iter()
        .map(|d| {
            d.attribute
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default()
        })
        .collect()
}

#[test]
fn accounts_resolve_to_a_role_or_a_profile_per_key() {
    let mut d = Diagnostics::new();
    let c = resolve(
        &config(json!({"accounts": {
            "dev": {"assume_role": {"role_arn": DEV_ROLE, "session_name": "tf-mesh", "external_id": "xid"}},
            "ops": {"profile": "ops"}
        }})),
        no_env,
        &mut d,
    )
    .expect("resolves");
    assert!(d.is_empty(), "{d}");
    assert_eq!(
        c.aws.accounts.get("dev"),
        Some(&AccountAccess::AssumeRole(AssumeRole {
            role_arn: DEV_ROLE.into(),
            session_name: Some("tf-mesh".into()),
            external_id: Some("xid".into()),
        }))
    );
    assert_eq!(
        c.aws.accounts.get("ops"),
        Some(&AccountAccess::Profile("ops".into()))
    );
    assert_eq!(c.aws.accounts.len(), 2);
}

#[test]
fn a_role_arn_that_is_not_a_role_arn_is_refused_at_its_path() {
    for bad in [
        "not-an-arn",
        "arn:aws:iam::12345:role/x",
        "arn:aws:iam::222222222222:user/someone",
        "arn:aws:iam:eu-west-1:222222222222:role/x",
        "arn:aws:iam::222222222222:role/",
    ] {
        let found = errors(json!({"accounts": {"dev": {"assume_role": {"role_arn": bad}}}}));
        assert_eq!(found.len(), 1, "{bad}: {found:?}");
        assert_eq!(
            paths(&found),
            vec![AttributePath::root("accounts")
                .key("dev")
                .attr("assume_role")
                .attr("role_arn")
                .to_string()],
            "{bad}"
        );
        assert!(
            found[0]
                .detail
                .contains("arn:PARTITION:iam::12-DIGIT-ACCOUNT:role/NAME"),
            "{}",
            found[0].detail
        );
    }
    for good in [DEV_ROLE, "arn:aws-cn:iam::444444444444:role/path/mesh"] {
        let found = errors(json!({"accounts": {"dev": {"assume_role": {"role_arn": good}}}}));
        assert!(found.is_empty(), "{good}: {found:?}");
    }
}

#[test]
fn each_account_sets_exactly_one_way_in() {
    let both = errors(json!({"accounts": {"dev": {
        "assume_role": {"role_arn": DEV_ROLE}, "profile": "dev"
    }}}));
    let neither = errors(json!({"accounts": {"dev": {}}}));
    for (found, words) in [(both, "sets both"), (neither, "sets neither")] {
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            paths(&found),
            vec![AttributePath::root("accounts").key("dev").to_string()]
        );
        assert!(found[0].detail.contains(words), "{}", found[0].detail);
        assert!(
            found[0].detail.contains("set exactly one"),
            "{}",
            found[0].detail
        );
    }
}

#[test]
fn account_keys_are_short_lower_case_names() {
    for bad in ["Dev", "dev/eu", "1dev", "", "team a"] {
        let found = errors(json!({"accounts": {bad: {"profile": "p"}}}));
        assert_eq!(found.len(), 1, "{bad:?}: {found:?}");
        assert_eq!(found[0].summary, "Invalid account key");
        assert_eq!(
            paths(&found),
            vec![AttributePath::root("accounts").key(bad).to_string()]
        );
    }
    for good in ["dev", "team-a", "stage_2"] {
        assert!(errors(json!({"accounts": {good: {"profile": "p"}}})).is_empty());
    }
}

#[test]
fn account_session_names_are_checked_and_external_ids_stay_secret() {
    let found = errors(
        json!({"accounts": {"dev": {"assume_role": {"role_arn": DEV_ROLE, "session_name": "x"}}}}),
    );
    assert_eq!(
        paths(&found),
        vec![AttributePath::root("accounts")
            .key("dev")
            .attr("assume_role")
            .attr("session_name")
            .to_string()]
    );
    let mut d = Diagnostics::new();
    let c = resolve(
        &config(json!({"accounts": {"dev": {"assume_role": {"role_arn": DEV_ROLE, "external_id": "canary-xid"}}}})),
        no_env,
        &mut d,
    )
    .expect("resolves");
    let printed = format!("{c:?}");
    assert!(!printed.contains("canary"), "{printed}");
    assert!(printed.contains(DEV_ROLE), "{printed}");
    assert!(c.aws.secrets().contains(&"canary-xid"));
}
