//! `endpoints.ec2` and `endpoints.sts`: which URLs are accepted, and how they are shown.
//!
//! Requests carry signed credentials, so plain `http://` is accepted only to a loopback
//! address (a local emulator such as moto); anything that crosses a network must be
//! `https://`. URLs are parsed with the `url` crate, which also normalises odd spellings
//! of addresses (`http://127.1`, `http://0x7f.0.0.1`) before the loopback check.

use std::net::IpAddr;

use tfplugin::diag::{AttributePath, Diagnostics};
use tfplugin::logging::redact::url_credentials;
use tfplugin::value::Value;
use url::{Host, Url};

use crate::checks::known_str;

/// Why `text` is not an acceptable endpoint, as the end of a sentence naming it.
pub fn problem(text: &str) -> Option<String> {
    let shown = url_credentials(text);
    let fix = "use an https:// URL such as \"https://ec2.eu-west-2.amazonaws.com\", or http:// to a \
               loopback address (127.0.0.0/8, ::1, localhost) such as \"http://127.0.0.1:5000\" for a \
               local emulator.";
    let Ok(url) = Url::parse(text) else {
        return Some(format!("{shown:?} is not a URL; {fix}"));
    };
    let Some(host) = url.host() else {
        return Some(format!("{shown:?} names no host; {fix}"));
    };
    match url.scheme() {
        "https" => None,
        "http" if is_loopback(&host) => None,
        "http" => Some(format!(
            "{shown:?} is plain http to {host}, which is not a loopback address: credentials and \
             signed requests would cross the network unencrypted. Use https://, or run the \
             emulator on 127.0.0.1."
        )),
        other => Some(format!("{shown:?} has the scheme {other:?}; {fix}")),
    }
}

fn is_loopback(host: &Host<&str>) -> bool {
    match host {
        Host::Domain(name) => name.eq_ignore_ascii_case("localhost"),
        Host::Ipv4(ip) => IpAddr::V4(*ip).is_loopback(),
        Host::Ipv6(ip) => IpAddr::V6(*ip).is_loopback(),
    }
}

/// Checks a known endpoint value at `path` (unknown and null values wait for configure).
pub fn check(value: &Value, path: AttributePath, diags: &mut Diagnostics) {
    let Some(text) = known_str(value) else {
        return;
    };
    if let Some(problem) = problem(text) {
        let name = path.to_string();
        diags.error_at(
            path,
            format!("Invalid {name}"),
            format!("{name} is {problem}"),
        );
    }
}

/// Checks an endpoint taken from the environment variable `variable`.
pub fn check_env(variable: &str, text: &str, diags: &mut Diagnostics) {
    if let Some(problem) = problem(text) {
        diags.push(tfplugin::diag::Diagnostic::error(
            format!("Invalid {variable}"),
            format!("The environment variable {variable}, used because the provider's endpoints block does not set this endpoint, is {problem}"),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_anywhere_and_http_only_to_loopback() {
        for ok in [
            "https://ec2.eu-west-2.amazonaws.com",
            "https://10.0.0.5:8443/",
            "http://127.0.0.1:5000",
            "http://127.9.9.9:5000/",
            "http://127.1:5000",
            "http://localhost:5000",
            "http://LOCALHOST",
            "http://[::1]:5000",
            "http://user:canarypass@127.0.0.1:5000/",
        ] {
            assert_eq!(problem(ok), None, "{ok}");
        }
        for (bad, needle) in [
            ("http://10.0.0.5:5000", "not a loopback address"),
            ("http://moto:5000", "not a loopback address"),
            ("http://localhost.example.com", "not a loopback address"),
            ("http://[fd00::1]:5000", "not a loopback address"),
            ("http://128.0.0.1", "not a loopback address"),
            ("127.0.0.1:5000", "not a URL"),
            ("ftp://127.0.0.1", "scheme"),
            ("http//127.0.0.1", "not a URL"),
            ("https://", "not a URL"),
        ] {
            let problem = problem(bad).unwrap_or_default();
            assert!(problem.contains(needle), "{bad}: {problem}");
        }
    }

    #[test]
    fn a_refused_endpoint_is_shown_without_its_credentials() {
        let problem = problem("http://user:canarypass@10.0.0.5:5000/").unwrap();
        assert!(!problem.contains("canarypass"), "{problem}");
        assert!(problem.contains("10.0.0.5"), "{problem}");
        let mut diags = Diagnostics::new();
        check_env(
            "AWS_ENDPOINT_URL_STS",
            "http://u:canarypass@10.0.0.5/",
            &mut diags,
        );
        assert!(!diags.to_string().contains("canarypass"), "{diags}");
        assert!(
            diags.to_string().contains("AWS_ENDPOINT_URL_STS"),
            "{diags}"
        );
    }
}
