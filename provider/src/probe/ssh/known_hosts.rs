//! Host key verification against the text of a known_hosts file, as OpenSSH reads it: plain
//! patterns (`*` and `?` wildcards, `!` negation, `[host]:port` for other ports than 22),
//! hashed names (`|1|salt|hash`, HMAC-SHA1), `@revoked` keys. `@cert-authority` lines are
//! skipped: host certificates are not supported.

use hmac::{Hmac, Mac};
use russh::keys::ssh_key::known_hosts::{Entry, HostPatterns, Marker};
use russh::keys::{Algorithm, HashAlg, PublicKey};
use sha1::Sha1;

use super::SshError;

/// The parsed entries of a known_hosts text.
pub(crate) struct KnownHosts {
    entries: Vec<(usize, Entry)>,
}

/// What known_hosts says about the key a host presented.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// An entry for the host has this key.
    Trusted,
    /// No entry names the host.
    Unknown,
    /// Entries name the host (these line numbers), none with this key.
    Changed { lines: Vec<usize> },
    /// The key is marked `@revoked` (on this line).
    Revoked { line: usize },
}

impl KnownHosts {
    /// Parses `text`; comments and blank lines are skipped, any other bad line is an error
    /// naming its number (a silently skipped line would read as an unknown host later).
    pub(crate) fn parse(text: &str) -> Result<Self, SshError> {
        let mut entries = Vec::new();
        for (index, line) in text.lines().enumerate() {
            let line = line
                .split_once('#')
                .map_or(line, |(before, _)| before)
                .trim();
            if line.is_empty() {
                continue;
            }
            // The parser wants single spaces; files written by hand often use tabs or runs.
            let normalized = line.split_whitespace().collect::<Vec<_>>().join(" ");
            let entry: Entry = normalized.parse().map_err(|error| {
                SshError::Config(format!(
                    "ssh.known_hosts line {} is not a known_hosts entry ({error}); expected \
                     `HOSTS KEYTYPE BASE64KEY`, e.g. the output of `ssh-keyscan HOST`.",
                    index + 1
                ))
            })?;
            if entry.marker() != Some(&Marker::CertAuthority) {
                entries.push((index + 1, entry));
            }
        }
        Ok(Self { entries })
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Judges `key`, presented by the host known under any of `names` (e.g. the address as
    /// configured and the address connected to) on `port`.
    pub(crate) fn verify(&self, names: &[&str], port: u16, key: &PublicKey) -> Verdict {
        let lookups: Vec<String> = names.iter().map(|name| lookup_name(name, port)).collect();
        let names_host = |entry: &Entry| {
            lookups
                .iter()
                .any(|name| matches(entry.host_patterns(), name))
        };
        let same_key = |entry: &Entry| entry.public_key().key_data() == key.key_data();
        // A revocation wins wherever it stands: a plain line trusting the same key, before
        // or after it, must not let a revoked key through (OpenSSH checks revocation first).
        if let Some((line, _)) = self.entries.iter().find(|(_, entry)| {
            entry.marker() == Some(&Marker::Revoked) && same_key(entry) && names_host(entry)
        }) {
            return Verdict::Revoked { line: *line };
        }
        let mut changed = Vec::new();
        for (line, entry) in &self.entries {
            if entry.marker().is_some() || !names_host(entry) {
                continue;
            }
            if same_key(entry) {
                return Verdict::Trusted;
            }
            changed.push(*line);
        }
        if changed.is_empty() {
            Verdict::Unknown
        } else {
            Verdict::Changed { lines: changed }
        }
    }

    /// Host key algorithms to offer to a host: those of its known keys first, so a host with
    /// several keys shows the one known_hosts has (as OpenSSH does), then the usual ones.
    pub(crate) fn preferred_algorithms(
        &self,
        names: &[&str],
        port: u16,
        defaults: &[Algorithm],
    ) -> Vec<Algorithm> {
        let lookups: Vec<String> = names.iter().map(|name| lookup_name(name, port)).collect();
        let mut preferred: Vec<Algorithm> = Vec::new();
        for (_, entry) in &self.entries {
            if entry.marker().is_some()
                || !lookups
                    .iter()
                    .any(|name| matches(entry.host_patterns(), name))
            {
                continue;
            }
            let known = entry.public_key().algorithm();
            let offered = if known.clone().is_rsa() {
                // The key type is ssh-rsa; the signature algorithms are negotiated separately.
                vec![
                    Algorithm::Rsa {
                        hash: Some(HashAlg::Sha512),
                    },
                    Algorithm::Rsa {
                        hash: Some(HashAlg::Sha256),
                    },
                ]
            } else {
                vec![known]
            };
            for algorithm in offered {
                if defaults.contains(&algorithm) && !preferred.contains(&algorithm) {
                    preferred.push(algorithm);
                }
            }
        }
        for algorithm in defaults {
            if !preferred.contains(algorithm) {
                preferred.push(algorithm.clone());
            }
        }
        preferred
    }
}

/// The name known_hosts records a host under: `host` on port 22, `[host]:port` otherwise.
pub(crate) fn lookup_name(host: &str, port: u16) -> String {
    let host = host.to_ascii_lowercase();
    if port == 22 {
        host
    } else {
        format!("[{host}]:{port}")
    }
}

fn matches(patterns: &HostPatterns, name: &str) -> bool {
    match patterns {
        HostPatterns::HashedName { salt, hash } => {
            let Ok(mac) = Hmac::<Sha1>::new_from_slice(salt) else {
                return false;
            };
            mac.chain_update(name.as_bytes()).verify_slice(hash).is_ok()
        }
        HostPatterns::Patterns(patterns) => {
            let mut positive = false;
            for pattern in patterns {
                let pattern = pattern.to_ascii_lowercase();
                match pattern.strip_prefix('!') {
                    // A matching negation excludes the host whatever else matches.
                    Some(negated) if glob(negated.as_bytes(), name.as_bytes()) => return false,
                    Some(_) => {}
                    None => positive |= glob(pattern.as_bytes(), name.as_bytes()),
                }
            }
            positive
        }
    }
}

/// `*` matches any run of characters, `?` any one character. Iterative, remembering only
/// the last `*` to fall back to: a pattern of thousands of `*` costs time linear in its
/// length (times the name's at worst), where the naive recursion explodes or overflows
/// the stack.
fn glob(pattern: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0, 0);
    // Position after the last `*` seen, and where in `text` that `*` stopped matching.
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some(b'*') => {
                p += 1;
                star = Some((p, t));
            }
            Some(&c) if c == b'?' || c == text[t] => {
                p += 1;
                t += 1;
            }
            _ => match star {
                // Let the last `*` swallow one more character and try again from there.
                Some((after_star, swallowed)) => {
                    p = after_star;
                    t = swallowed + 1;
                    star = Some((after_star, swallowed + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|&c| c == b'*')
}

#[cfg(test)]
#[path = "known_hosts_tests.rs"]
mod tests;
