//! The Terraform versions every scenario runs against: 1.0.3 and 1.15.5 from
//! `.tools/bin` (installed by scripts/setup.sh) and the `terraform` on PATH when
//! the machine has one. Old and new Terraform differ in what they send and how
//! strictly they check plans, so a scenario passes only if it passes on each.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

use crate::command;
use crate::prereq::{find_on_path, is_ci, is_executable, missing_prerequisite, tools_bin};

/// The versions CI must have; a missing one fails the run under CI=true.
pub const REQUIRED_VERSIONS: [&str; 2] = ["1.0.3", "1.15.5"];

/// One runnable Terraform CLI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Terraform {
    pub path: PathBuf,
    /// As Terraform reports it, e.g. `1.0.3`.
    pub version: String,
}

impl Terraform {
    /// The patch number (`3` of 1.0.3): campaigns add it to their base seed so that
    /// each version runs its own seed.
    pub fn patch(&self) -> u64 {
        self.version
            .rsplit('.')
            .next()
            .and_then(|p| p.parse().ok())
            .unwrap_or(0)
    }

    /// The newest version found: campaigns whose subject is the provider rather than
    /// Terraform run their extra seeds on it only.
    pub fn is_newest(&self) -> bool {
        let parse = |v: &str| -> Vec<u32> { v.split('.').filter_map(|p| p.parse().ok()).collect() };
        terraform_versions()
            .iter()
            .map(|tf| parse(&tf.version))
            .max()
            .is_some_and(|newest| newest == parse(&self.version))
    }

    /// Asks the binary for its version; `None` when it does not run.
    pub fn probe(path: PathBuf) -> Option<Terraform> {
        if !is_executable(&path) {
            return None;
        }
        let mut cmd = Command::new(&path);
        cmd.args(["version", "-json"])
            .env("CHECKPOINT_DISABLE", "1")
            .env("TF_CLI_CONFIG_FILE", "/dev/null");
        let out = command::run(cmd, Duration::from_secs(60));
        if !out.success() {
            eprintln!(
                "ignoring {}: `version -json` failed:\n{out}",
                path.display()
            );
            return None;
        }
        let version = out.json()["terraform_version"].as_str()?.to_string();
        Some(Terraform { path, version })
    }

    /// Version as numbers, for ordering (`1.15.5` after `1.11.4`).
    pub fn version_key(&self) -> Vec<u32> {
        self.version
            .split(['.', '-'])
            .map(|part| part.parse().unwrap_or(0))
            .collect()
    }

    /// Short label for reports: `terraform 1.0.3`.
    pub fn label(&self) -> String {
        format!("terraform {}", self.version)
    }
}

/// Every distinct Terraform version found, oldest first. Under CI=true panics if
/// a version in [`REQUIRED_VERSIONS`] is missing.
pub fn terraform_versions() -> &'static [Terraform] {
    static FOUND: OnceLock<Vec<Terraform>> = OnceLock::new();
    FOUND.get_or_init(|| {
        let found = discover();
        if is_ci() {
            for required in REQUIRED_VERSIONS {
                assert!(
                    found.iter().any(|tf| tf.version == required),
                    "Terraform {required} not found in {} under CI=true (run scripts/setup.sh); found: {:?}",
                    tools_bin().display(),
                    found.iter().map(|tf| &tf.version).collect::<Vec<_>>()
                );
            }
        }
        found
    })
}

fn discover() -> Vec<Terraform> {
    let bin = tools_bin();
    let mut candidates: Vec<PathBuf> = REQUIRED_VERSIONS
        .iter()
        .map(|v| bin.join(format!("terraform-{v}")))
        .collect();
    if let Some(on_path) = find_on_path("terraform") {
        candidates.push(on_path);
    }
    let mut found: Vec<Terraform> = Vec::new();
    for tf in candidates.into_iter().filter_map(Terraform::probe) {
        if !found.iter().any(|known| known.version == tf.version) {
            found.push(tf);
        }
    }
    found.sort_by_key(Terraform::version_key);
    found
}

/// Runs `scenario` once per Terraform version, every version even after one
/// fails, prints which versions passed, and panics if any failed. With no
/// Terraform at all, skips (or fails under CI).
pub fn for_each_terraform(test: &str, scenario: impl FnMut(&Terraform)) {
    for_each_terraform_where(test, |_| None, scenario);
}

/// [`for_each_terraform`] for a feature some versions lack: `not_applicable`
/// returns why a version cannot run the scenario (e.g. "import blocks need
/// 1.5"), and such versions are reported as not applicable instead of passed.
pub fn for_each_terraform_where(
    test: &str,
    not_applicable: impl Fn(&Terraform) -> Option<String>,
    mut scenario: impl FnMut(&Terraform),
) {
    let versions = terraform_versions();
    if versions.is_empty() {
        missing_prerequisite(
            test,
            "no Terraform found in .tools/bin or on PATH (run scripts/setup.sh)",
        );
        return;
    }
    let mut passed = Vec::new();
    let mut failed = Vec::new();
    let mut skipped = Vec::new();
    for tf in versions {
        if let Some(why) = not_applicable(tf) {
            eprintln!("== {test}: {} not applicable: {why}", tf.label());
            skipped.push(tf.version.clone());
            continue;
        }
        eprintln!("== {test}: {}", tf.label());
        match catch_unwind(AssertUnwindSafe(|| scenario(tf))) {
            Ok(()) => passed.push(tf.version.clone()),
            Err(_) => failed.push(tf.version.clone()),
        }
    }
    eprintln!(
        "== {test}: passed on {passed:?}, failed on {failed:?}, not applicable on {skipped:?}"
    );
    assert!(
        failed.is_empty(),
        "{test} failed on Terraform {failed:?} (passed on {passed:?})"
    );
}
