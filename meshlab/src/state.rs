//! What a lab needs to be found again by a later `meshlab` invocation: its
//! id, directory, where its spec comes from, the spec last applied, the sshd
//! pids and configuration fingerprints. Kept as JSON; also the clean-up of
//! labs whose creating process is gone.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use test_support::netns::{creator_pid, process_alive, remove_stale_namespaces, NAME_PREFIX};

use crate::spec::LabSpec;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LabState {
    /// `ptl<pid>x...`: every namespace name starts with it.
    pub id: String,
    /// Keys, known_hosts, sshd logs, the applied configuration files.
    pub dir: PathBuf,
    /// The `sleep infinity` whose pid is in `id`, for labs that outlive the
    /// command that made them (the CLI); `None` for a test's own lab.
    pub keeper_pid: Option<u32>,
    pub source: Source,
    pub spec: LabSpec,
    /// sshd pid per host namespace.
    pub sshd: BTreeMap<String, u32>,
    /// Fingerprint of the configuration last applied, per namespace.
    pub applied: BTreeMap<String, String>,
}

/// Where `sync` reads the spec again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Source {
    /// Given by the caller (tests): sync takes a new spec.
    Given,
    Ec2 {
        endpoint: String,
        region: String,
        /// Other accounts, by the role ARN assumed to read each (the own
        /// account is always read).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        role_arns: Vec<String>,
    },
    File {
        path: PathBuf,
    },
}

impl Source {
    /// The spec as the source says now.
    pub fn read(&self) -> Result<LabSpec, String> {
        match self {
            Source::Given => {
                Err("this lab's spec was given by its creator; sync needs a new one".into())
            }
            Source::Ec2 {
                endpoint,
                region,
                role_arns,
            } => LabSpec::from_ec2_accounts(endpoint, region, role_arns),
            Source::File { path } => {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| format!("{}: {e}", path.display()))?;
                serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
            }
        }
    }
}

impl LabState {
    pub fn load(path: &Path) -> Result<LabState, String> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            format!(
                "no lab state at {} ({e}); run `meshlab up` first",
                path.display()
            )
        })?;
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    pub fn save(&self, path: &Path) -> Result<(), String> {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
        }
        let text = serde_json::to_string_pretty(self).map_err(|e| e.to_string())?;
        std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
    }
}

/// `$MESHLAB_STATE`, else `<temp dir>/meshlab/state.json`.
pub fn default_state_path() -> PathBuf {
    std::env::var_os("MESHLAB_STATE")
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("meshlab").join("state.json"))
}

/// Removes what labs whose creating process (or keeper) is gone left
/// behind: namespaces with the processes inside them, lab directories in the
/// temp dir, and the state file at `state_path` if its lab is stale.
/// Returns what was removed.
pub fn clean_stale(state_path: &Path) -> Vec<String> {
    let mut removed = remove_stale_namespaces();
    if let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let stale = name.starts_with(NAME_PREFIX)
                && creator_pid(&name).is_some_and(|pid| !process_alive(pid));
            if stale && entry.path().is_dir() && std::fs::remove_dir_all(entry.path()).is_ok() {
                removed.push(entry.path().display().to_string());
            }
        }
    }
    if let Ok(state) = LabState::load(state_path) {
        if creator_pid(&state.id).is_some_and(|pid| !process_alive(pid)) {
            let _ = std::fs::remove_dir_all(&state.dir);
            let _ = std::fs::remove_file(state_path);
            removed.push(state_path.display().to_string());
        }
    }
    removed
}
