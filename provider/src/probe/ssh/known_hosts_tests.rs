use super::*;

const KEY_A: &str =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMlQNIuH0NI6Lg6UDXXN6s5FdNGLcZW90d3xegNMH2ib";
const KEY_B: &str =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEwiNdLBwFQHFiXjJhpNdvo41kCwERHXAsI1zeK+bzfv";
const KEY_C: &str = "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBGsJtPImX0SYFxna38BNTwSxmAdpuBkbEGXXFUxLmaDKQ0egOvVnXwIDU2Ab9FUcEZbrfG8PvjvAFuOWl8gBcLA=";
/// `ssh-keygen -H` of "10.1.1.249 KEY_A" and "[10.2.1.29]:2222 KEY_A".
const HASHED_10_1_1_249: &str = "|1|nx86VkZPtlOffmVtTiA12yTBOmw=|hxd0wjLnfWcCt1/UthFFG9l5D/c=";
const HASHED_10_2_1_29_PORT_2222: &str =
    "|1|D1JjTi8461uzEQVM/TeLaCZQ1oQ=|esAj/SCTUrwz5JeDEuCkYwUr8KQ=";

fn key(text: &str) -> PublicKey {
    PublicKey::from_openssh(text).unwrap()
}

fn known(text: &str) -> KnownHosts {
    KnownHosts::parse(text).unwrap()
}

#[test]
fn known_hosts_plain_entries() {
    let hosts = known(&format!(
        "# the lab\n\n10.1.1.249,bastion.example.com {KEY_A} bastion\n10.2.1.29\t{KEY_B}\n"
    ));
    assert_eq!(
        hosts.verify(&["10.1.1.249"], 22, &key(KEY_A)),
        Verdict::Trusted
    );
    assert_eq!(
        hosts.verify(&["BASTION.example.com"], 22, &key(KEY_A)),
        Verdict::Trusted
    );
    assert_eq!(
        hosts.verify(&["10.2.1.29"], 22, &key(KEY_B)),
        Verdict::Trusted
    );
    assert_eq!(
        hosts.verify(&["10.2.1.29"], 22, &key(KEY_A)),
        Verdict::Changed { lines: vec![4] }
    );
    assert_eq!(
        hosts.verify(&["10.3.1.129"], 22, &key(KEY_A)),
        Verdict::Unknown
    );
    // Any of the names will do: the configured name and the address connected to.
    assert_eq!(
        hosts.verify(&["bastion", "10.1.1.249"], 22, &key(KEY_A)),
        Verdict::Trusted
    );
}

#[test]
fn known_hosts_hashed_entries() {
    let hosts = known(&format!(
        "{HASHED_10_1_1_249} {KEY_A}\n{HASHED_10_2_1_29_PORT_2222} {KEY_A}\n"
    ));
    assert_eq!(
        hosts.verify(&["10.1.1.249"], 22, &key(KEY_A)),
        Verdict::Trusted
    );
    assert_eq!(
        hosts.verify(&["10.1.1.249"], 22, &key(KEY_B)),
        Verdict::Changed { lines: vec![1] }
    );
    assert_eq!(
        hosts.verify(&["10.1.1.24"], 22, &key(KEY_A)),
        Verdict::Unknown
    );
    assert_eq!(
        hosts.verify(&["10.2.1.29"], 2222, &key(KEY_A)),
        Verdict::Trusted
    );
    assert_eq!(
        hosts.verify(&["10.2.1.29"], 22, &key(KEY_A)),
        Verdict::Unknown
    );
}

#[test]
fn known_hosts_port_syntax() {
    let hosts = known(&format!(
        "[10.2.1.29]:2222 {KEY_A}\n10.2.1.29 {KEY_B}\n[fd00::29]:2222 {KEY_A}\n"
    ));
    assert_eq!(lookup_name("10.2.1.29", 2222), "[10.2.1.29]:2222");
    assert_eq!(
        lookup_name("Bastion.Example.com", 22),
        "bastion.example.com"
    );
    assert_eq!(
        hosts.verify(&["10.2.1.29"], 2222, &key(KEY_A)),
        Verdict::Trusted
    );
    assert_eq!(
        hosts.verify(&["10.2.1.29"], 2222, &key(KEY_B)),
        Verdict::Changed { lines: vec![1] }
    );
    // Port 22 uses the bare name, never "[host]:22".
    assert_eq!(
        hosts.verify(&["10.2.1.29"], 22, &key(KEY_B)),
        Verdict::Trusted
    );
    assert_eq!(
        hosts.verify(&["fd00::29"], 2222, &key(KEY_A)),
        Verdict::Trusted
    );
    assert_eq!(
        hosts.verify(&["fd00::29"], 22, &key(KEY_A)),
        Verdict::Unknown
    );
}

#[test]
fn known_hosts_wildcards_negation_and_markers() {
    let hosts = known(&format!(
        "10.2.*,!10.2.9.9 {KEY_A}\n10.3.1.?? {KEY_B}\n@revoked * {KEY_C}\n@cert-authority * {KEY_B}\n"
    ));
    assert_eq!(
        hosts.verify(&["10.2.1.29"], 22, &key(KEY_A)),
        Verdict::Trusted
    );
    assert_eq!(
        hosts.verify(&["10.2.9.9"], 22, &key(KEY_A)),
        Verdict::Unknown
    );
    assert_eq!(
        hosts.verify(&["10.3.1.12"], 22, &key(KEY_B)),
        Verdict::Trusted
    );
    assert_eq!(
        hosts.verify(&["10.3.1.129"], 22, &key(KEY_B)),
        Verdict::Unknown
    );
    assert_eq!(
        hosts.verify(&["10.2.1.29"], 22, &key(KEY_C)),
        Verdict::Revoked { line: 3 }
    );
    // The cert-authority line vouches for nothing here.
    assert_eq!(
        hosts.verify(&["10.9.9.9"], 22, &key(KEY_B)),
        Verdict::Unknown
    );
}

#[test]
fn known_hosts_bad_line_is_an_error_with_its_number() {
    let error = KnownHosts::parse(&format!("10.1.1.249 {KEY_A}\nnot a key line\n"))
        .err()
        .unwrap()
        .to_string();
    assert!(error.contains("ssh.known_hosts line 2"), "{error}");
    assert!(known("# only a comment\n\n").is_empty());
}

#[test]
fn known_hosts_preferred_algorithms_put_known_types_first() {
    let defaults = russh::Preferred::default().key.to_vec();
    let hosts = known(&format!("10.2.1.29 {KEY_C}\n"));
    let preferred = hosts.preferred_algorithms(&["10.2.1.29"], 22, &defaults);
    assert_eq!(preferred[0], key(KEY_C).algorithm());
    assert_eq!(preferred.len(), defaults.len());
    // Unknown hosts keep the default order.
    assert_eq!(
        hosts.preferred_algorithms(&["10.9.9.9"], 22, &defaults),
        defaults
    );
}

#[test]
fn known_hosts_revoked_wins_before_or_after_a_trusting_line() {
    let trusting = format!("10.2.1.29 {KEY_A}");
    let revoking = format!("@revoked 10.2.* {KEY_A}");
    let after = known(&format!("{trusting}\n{revoking}\n"));
    assert_eq!(
        after.verify(&["10.2.1.29"], 22, &key(KEY_A)),
        Verdict::Revoked { line: 2 }
    );
    let before = known(&format!("{revoking}\n{trusting}\n"));
    assert_eq!(
        before.verify(&["10.2.1.29"], 22, &key(KEY_A)),
        Verdict::Revoked { line: 1 }
    );
    // The revocation names its hosts: elsewhere the key is judged by the plain lines.
    let elsewhere = known(&format!("{revoking}\n10.3.1.12 {KEY_A}\n"));
    assert_eq!(
        elsewhere.verify(&["10.3.1.12"], 22, &key(KEY_A)),
        Verdict::Trusted
    );
    // A revoked key for another host is no reason to distrust this one's other key.
    assert_eq!(
        before.verify(&["10.2.1.29"], 22, &key(KEY_B)),
        Verdict::Changed { lines: vec![2] }
    );
}

#[test]
fn glob_matches_like_openssh() {
    let cases: &[(&str, &str, bool)] = &[
        ("*", "", true),
        ("*", "10.2.1.29", true),
        ("10.2.*", "10.2.1.29", true),
        ("10.2.*", "10.3.1.29", false),
        ("*.29", "10.2.1.29", true),
        ("*.29", "10.2.1.290", false),
        ("10.?.1.29", "10.2.1.29", true),
        ("10.?.1.29", "10.22.1.29", false),
        ("*1*2*", "a1b2c", true),
        ("*1*2*", "a2b1c", false),
        ("a*b*c", "abcbc", true),
        ("a*b*c", "abcb", false),
        ("??*", "a", false),
        ("[10.2.1.29]:*", "[10.2.1.29]:2222", true),
        ("", "", true),
        ("", "a", false),
    ];
    for (pattern, text, expected) in cases {
        assert_eq!(
            glob(pattern.as_bytes(), text.as_bytes()),
            *expected,
            "{pattern} ~ {text}"
        );
    }
}

#[test]
fn known_hosts_huge_wildcard_patterns_neither_crash_nor_hang() {
    let stars = "*".repeat(50_000);
    // A line of nothing but stars has no key: an error naming the line.
    let error = KnownHosts::parse(&format!("{stars}\n"))
        .err()
        .unwrap()
        .to_string();
    assert!(error.contains("ssh.known_hosts line 1"), "{error}");
    // As a host pattern, 50,000 stars mean what one star means.
    let hosts = known(&format!("{stars} {KEY_A}\n"));
    assert_eq!(
        hosts.verify(&["10.2.1.29"], 22, &key(KEY_A)),
        Verdict::Trusted
    );
    // The shape that makes a backtracking matcher exponential: many stars each followed
    // by a letter, against a long name that fails only at its end.
    let pattern = format!("{}b", "*a".repeat(5_000));
    let name = "a".repeat(20_000);
    assert!(!glob(pattern.as_bytes(), name.as_bytes()));
    let hosts = known(&format!("{pattern},!{stars}x {KEY_A}\n"));
    assert_eq!(
        hosts.verify(&[name.as_str()], 22, &key(KEY_A)),
        Verdict::Unknown
    );
}
