//! Last line of defence against secrets in log lines: every string written by
//! [`super::HclogLayer`] passes through [`redact`], which removes the credentials of any
//! URL (`http://user:secret@host/`) and every value registered with [`register_secret`]
//! (keys, tokens, external ids, private keys the provider was configured with).
//!
//! Callers still must not log secrets; this catches what dependencies log (the AWS SDK
//! logs the endpoint it applies, for one) and what a future change forgets.

use std::borrow::Cow;
use std::sync::RwLock;

/// What a redacted value is replaced with.
pub const REDACTED: &str = "(redacted)";

/// Values shorter than this are not registered: replacing every `a` or `1` in the logs
/// would make them unreadable and protects nothing a guess could not find.
const MIN_SECRET_LEN: usize = 4;

static SECRETS: RwLock<Vec<String>> = RwLock::new(Vec::new());

/// Adds `secret` to the values removed from every log line from now on (process-wide:
/// a plugin process serves one provider configuration).
pub fn register_secret(secret: &str) {
    if secret.len() < MIN_SECRET_LEN {
        return;
    }
    let mut secrets = SECRETS.write().unwrap_or_else(|e| e.into_inner());
    if !secrets.iter().any(|known| known == secret) {
        secrets.push(secret.to_string());
        // Longest first, so a secret containing another is removed whole.
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
    }
}

/// `text` with URL credentials and registered secrets replaced by [`REDACTED`].
pub fn redact(text: &str) -> Cow<'_, str> {
    let mut out = url_credentials(text);
    let secrets = SECRETS.read().unwrap_or_else(|e| e.into_inner());
    for secret in secrets.iter() {
        if out.contains(secret.as_str()) {
            out = Cow::Owned(out.replace(secret.as_str(), REDACTED));
        }
    }
    out
}

/// `text` with the user information of every `scheme://user:password@host` replaced, e.g.
/// `http://(redacted)@127.0.0.1:5000/`. Works on free text (error messages, debug dumps),
/// where a URL parser would need the URL's bounds first; written by hand for that reason.
pub fn url_credentials(text: &str) -> Cow<'_, str> {
    if !text.contains("://") || !text.contains('@') {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("://") {
        let authority_start = start + 3;
        out.push_str(&rest[..authority_start]);
        let after = &rest[authority_start..];
        // The authority ends where the path, query or fragment starts, or the URL ends.
        let end = after
            .find(|c: char| matches!(c, '/' | '?' | '#') || c.is_whitespace() || c == '"')
            .unwrap_or(after.len());
        let authority = &after[..end];
        match authority.rfind('@') {
            Some(at) => {
                out.push_str(REDACTED);
                out.push_str(&authority[at..]);
            }
            None => out.push_str(authority),
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_credentials_are_removed_wherever_the_url_stands() {
        let cases = [
            (
                "http://user:canarypass@127.0.0.1:5000/",
                "http://(redacted)@127.0.0.1:5000/",
            ),
            ("https://tok@host", "https://(redacted)@host"),
            (
                "dispatch to http://a:b@h:1/x?y=z failed; retry http://c:d@k",
                "dispatch to http://(redacted)@h:1/x?y=z failed; retry http://(redacted)@k",
            ),
            (
                "Endpoint { url: \"http://u:p@h/\" }",
                "Endpoint { url: \"http://(redacted)@h/\" }",
            ),
            ("http://u:p%40x@h", "http://(redacted)@h"),
            // Nothing to hide: left as it is.
            ("http://127.0.0.1:5000/", "http://127.0.0.1:5000/"),
            ("mail me@example.com", "mail me@example.com"),
            ("http://h/path@not-userinfo", "http://h/path@not-userinfo"),
        ];
        for (text, expected) in cases {
            assert_eq!(url_credentials(text), expected, "{text}");
        }
    }

    #[test]
    fn registered_secrets_are_removed_and_short_ones_ignored() {
        register_secret("canary-redact-unit-secret");
        register_secret("canary-redact-unit");
        register_secret("abc");
        let line = "key=canary-redact-unit-secret token=canary-redact-unit abc";
        assert_eq!(redact(line), "key=(redacted) token=(redacted) abc");
    }
}
