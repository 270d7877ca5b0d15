//! The configuration: defaults, checks, and that the private key never shows.

use russh::keys::ssh_key::private::{Ed25519Keypair, KeypairData};
use russh::keys::ssh_key::LineEnding;
use russh::keys::PrivateKey;

use super::config::Checked;
use super::{SshConfig, SshError, SshProber, DEFAULT_PORT, DEFAULT_USER};

pub(crate) const KNOWN_HOSTS: &str =
    "203.0.113.9 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMlQNIuH0NI6Lg6UDXXN6s5FdNGLcZW90d3xegNMH2ib\n";

/// A deterministic, throw-away key made at run time (no key material in the source tree).
pub(crate) fn test_key_openssh() -> String {
    let keypair = Ed25519Keypair::from_seed(&[7; 32]);
    let key = PrivateKey::new(KeypairData::Ed25519(keypair), "test key").unwrap();
    key.to_openssh(LineEnding::LF).unwrap().to_string()
}

/// The base64 body of the key text, which must never appear anywhere.
fn key_body(key: &str) -> Vec<&str> {
    key.lines()
        .filter(|line| !line.starts_with("-----"))
        .collect()
}

fn config() -> SshConfig {
    SshConfig {
        known_hosts: KNOWN_HOSTS.to_string(),
        ..SshConfig::new("203.0.113.9", test_key_openssh())
    }
}

fn error_of(config: &SshConfig) -> String {
    match SshProber::new(config) {
        Ok(_) => panic!("expected {config:?} to be refused"),
        Err(error) => error.to_string(),
    }
}

#[test]
fn ssh_config_defaults() {
    let config = SshConfig::new("203.0.113.9", "KEY");
    assert_eq!(config.bastion_user, DEFAULT_USER);
    assert_eq!(config.user, "ec2-user");
    assert_eq!(config.port, DEFAULT_PORT);
    assert_eq!(config.port, 22);
    assert!(!config.insecure_ignore_host_keys);
    assert!(config.known_hosts.is_empty());
}

#[test]
fn ssh_config_debug_redacts_the_private_key() {
    let config = config();
    let key = config.private_key.clone();
    for shown in [format!("{config:?}"), format!("{config:#?}")] {
        assert!(shown.contains("private_key: \"<redacted>\""), "{shown}");
        assert!(shown.contains("203.0.113.9"), "{shown}");
        assert!(!shown.contains("OPENSSH PRIVATE KEY"), "{shown}");
        for line in key_body(&key) {
            assert!(!shown.contains(line), "key material in {shown}");
        }
    }
}

#[test]
fn ssh_config_valid_key_and_known_hosts_are_accepted() {
    let config = config();
    config.check().unwrap();
    let prober = SshProber::new(&config).unwrap();
    assert_eq!(prober.connections_opened(), 0);
    let insecure = SshConfig {
        known_hosts: String::new(),
        insecure_ignore_host_keys: true,
        ..config
    };
    insecure.check().unwrap();
}

#[test]
fn ssh_config_bastion_ipv6_address_loses_its_brackets() {
    let checked = |address: &str| {
        let config = SshConfig {
            bastion_address: address.to_string(),
            ..config()
        };
        Checked::from_config(&config).unwrap().bastion_address
    };
    assert_eq!(checked(" [2001:db8::9] "), "2001:db8::9");
    assert_eq!(checked("2001:db8::9"), "2001:db8::9");
    assert_eq!(checked(" 203.0.113.9"), "203.0.113.9");
    // Only an IPv6 literal's brackets go; anything else is left for the resolver to refuse.
    assert_eq!(checked("[bastion.example]"), "[bastion.example]");
}

#[test]
fn ssh_config_key_errors_never_show_the_key() {
    let good = test_key_openssh();
    // A corrupted body: valid armour, broken base64.
    let corrupted = good.replacen("AAAA", "!!!!", 1);
    let truncated: String = good.lines().take(3).collect::<Vec<_>>().join("\n");
    for bad in [
        String::new(),
        "not a key".to_string(),
        corrupted.clone(),
        truncated,
    ] {
        let config = SshConfig {
            private_key: bad.clone(),
            ..config()
        };
        let error = error_of(&config);
        assert!(
            error.starts_with("ssh.private_key cannot be used"),
            "{error}"
        );
        assert!(error.contains("unencrypted private key"), "{error}");
        for line in key_body(&bad).into_iter().filter(|line| line.len() > 8) {
            assert!(!error.contains(line), "key material in {error}");
        }
    }
    assert!(matches!(
        Checked::from_config(&SshConfig {
            private_key: corrupted,
            ..config()
        }),
        Err(SshError::PrivateKey { .. })
    ));
}

#[test]
fn ssh_config_missing_settings_name_the_attribute() {
    let empty_known_hosts = SshConfig {
        known_hosts: "# nothing yet\n".to_string(),
        ..config()
    };
    let error = error_of(&empty_known_hosts);
    assert!(error.contains("ssh.known_hosts has no entries"), "{error}");
    assert!(
        error.contains("insecure_ignore_host_keys = true"),
        "{error}"
    );

    let no_bastion = SshConfig {
        bastion_address: " ".to_string(),
        ..config()
    };
    assert!(error_of(&no_bastion).contains("ssh.bastion_address is empty"));
    let no_user = SshConfig {
        user: String::new(),
        ..config()
    };
    assert!(error_of(&no_user).contains("ssh.user is empty"));
    let port_zero = SshConfig {
        port: 0,
        ..config()
    };
    assert!(error_of(&port_zero).contains("ssh.port is 0"));
    let bad_line = SshConfig {
        known_hosts: format!("{KNOWN_HOSTS}garbage\n"),
        ..config()
    };
    assert!(error_of(&bad_line).contains("ssh.known_hosts line 2"));
}
