//! The provider's `accounts`: other AWS accounts a mesh may place VPCs in, each reached
//! by a role assumed with the provider's own credentials or by a named profile.

use std::collections::BTreeMap;

use serde::Deserialize;
use tfplugin::diag::{AttributePath, Diagnostics};
use tfplugin::schema::{Attribute, Nesting};
use tfplugin::value::{Type, Value};

use super::{is_role_arn, is_session_name, ROLE_ARN_EXAMPLE, SESSION_NAME_RULE};
use crate::checks::string_matches;
use crate::ec2::access::{AccountAccess, AssumeRole};

/// What an account key may look like: it becomes part of every place name
/// (`KEY/region`), so no `/`, and a letter first so it never reads as an account id.
pub fn is_account_key(key: &str) -> bool {
    let mut bytes = key.bytes();
    bytes.next().is_some_and(|b| b.is_ascii_lowercase())
        && key.len() <= 32
        && bytes.all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

pub fn attribute() -> Attribute {
    let s = |name: &str| Attribute::typed(name, Type::String).optional();
    Attribute::nested(
        "accounts",
        Nesting::Map,
        vec![
            Attribute::nested(
                "assume_role",
                Nesting::Single,
                vec![
                    Attribute::typed("role_arn", Type::String).required().describe(
                        "ARN of the IAM role in that account, e.g. `arn:aws:iam::222222222222:role/mesh`.",
                    ),
                    s("session_name").describe("Session name (2 to 64 characters of `[A-Za-z0-9+=,.@_-]`)."),
                    s("external_id").sensitive().describe("External id the role's trust policy requires (sensitive)."),
                ],
            )
            .optional()
            .describe("Reach the account through this role, assumed with the provider's own credentials (after the provider's own `assume_role`, when set)."),
            s("profile").describe("Reach the account with this named profile of the shared AWS config files."),
        ],
    )
    .optional()
    .describe(
        "Other AWS accounts a `peering_mesh` may place VPCs in (`vpcs[...].account`), by a short key \
         (lower-case letters, digits, `-` and `_`, a letter first). Each sets exactly one of `assume_role` and `profile`.",
    )
}

/// Plan-time checks of every known entry.
pub fn validate(accounts: &Value, diags: &mut Diagnostics) {
    let Some(entries) = accounts.as_map() else {
        return;
    };
    for (key, entry) in entries {
        let at = || AttributePath::root("accounts").key(key.clone());
        if !is_account_key(key) {
            diags.error_at(
                at(),
                "Invalid account key",
                format!("Account key \"{key}\" is not valid: use up to 32 lower-case letters, digits, '-' and '_', starting with a letter (e.g. \"dev\" or \"team-a\")."),
            );
        }
        if entry.is_unknown() {
            continue;
        }
        let role = entry.get("assume_role");
        let profile = entry.get("profile");
        if !role.is_unknown() && !profile.is_unknown() && role.is_null() == profile.is_null() {
            let (summary, why) = if role.is_null() {
                (
                    "Account without credentials",
                    "sets neither assume_role nor profile",
                )
            } else {
                (
                    "Account with two kinds of credentials",
                    "sets both assume_role and profile",
                )
            };
            diags.error_at(
                at(),
                summary,
                format!("Account \"{key}\" {why}: set exactly one, assume_role = {{ role_arn = \"{ROLE_ARN_EXAMPLE}\" }} or profile = \"NAME\"."),
            );
        }
        string_matches(
            role.get("role_arn"),
            at().attr("assume_role").attr("role_arn"),
            is_role_arn,
            &format!("expected an IAM role ARN such as \"{ROLE_ARN_EXAMPLE}\" (arn:PARTITION:iam::12-DIGIT-ACCOUNT:role/NAME)."),
            diags,
        );
        string_matches(
            role.get("session_name"),
            at().attr("assume_role").attr("session_name"),
            is_session_name,
            SESSION_NAME_RULE,
            diags,
        );
    }
}

#[derive(Deserialize)]
pub(super) struct RawAccount {
    assume_role: Option<super::RawAssumeRole>,
    profile: Option<String>,
}

/// The validated entries (validation guarantees exactly one way in per entry).
pub(super) fn resolve(
    raw: Option<BTreeMap<String, RawAccount>>,
) -> BTreeMap<String, AccountAccess> {
    raw.unwrap_or_default()
        .into_iter()
        .filter_map(|(key, account)| {
            let access = match (account.assume_role, account.profile) {
                (Some(role), None) => AccountAccess::AssumeRole(AssumeRole::from(role)),
                (None, Some(profile)) => AccountAccess::Profile(profile),
                _ => return None,
            };
            Some((key, access))
        })
        .collect()
}
