//! Brings the kernel to a [`Layout`] by reconciliation: what exists is read
//! back (`ip netns list`, `ip -j link`), then extra namespaces and links are
//! removed, missing ones created, and each namespace's configuration is
//! re-applied when it changed or its links did. Namespaces that stay keep
//! their processes (sshd), so a sync does not restart hosts.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::Duration;

use test_support::command::CmdOutput;
use test_support::netns::{delete_namespace, exec_in, ip, list_namespaces};

use crate::names::Names;
use crate::plan::{End, Layout, NsConfig};

/// Fingerprints of the configuration last applied, per namespace.
pub type Applied = BTreeMap<String, String>;

pub fn apply(
    layout: &Layout,
    names: &Names,
    applied: &mut Applied,
    dir: &Path,
) -> Result<(), String> {
    let mut dirty = BTreeSet::new();
    let existing: BTreeSet<String> = lab_namespaces(names).into_iter().collect();
    for ns in existing
        .iter()
        .filter(|ns| !layout.namespaces.contains_key(*ns))
    {
        delete_namespace(ns);
        applied.remove(ns);
    }
    for (ns, sysctls) in layout
        .namespaces
        .iter()
        .filter(|(ns, _)| !existing.contains(*ns))
    {
        create_namespace(ns, sysctls)?;
        dirty.insert(ns.clone());
    }
    for ns in layout.namespaces.keys() {
        reconcile_links(layout, ns, &mut dirty)?;
    }
    // Read again: deleting one end of a veth deleted the other as well.
    let mut present = BTreeSet::new();
    for ns in layout.namespaces.keys() {
        let veths = links_of(ns)?.into_iter().filter(|(_, kind)| kind == "veth");
        present.extend(veths.map(|(name, _)| (ns.clone(), name)));
    }
    for (a, b) in &layout.veths {
        if !present.contains(a) {
            create_veth(a, b, &present)?;
            dirty.extend([a.0.clone(), b.0.clone()]);
        }
    }
    for ns in config_order(layout) {
        let config = &layout.configs[&ns];
        let fingerprint = config.fingerprint();
        if dirty.contains(&ns) || applied.get(&ns) != Some(&fingerprint) {
            applied.remove(&ns);
            apply_config(&ns, config, dir)?;
            applied.insert(ns, fingerprint);
        }
    }
    Ok(())
}

/// Every namespace of the lab, whatever its state.
pub fn lab_namespaces(names: &Names) -> Vec<String> {
    list_namespaces()
        .into_iter()
        .filter(|ns| names.owns(ns))
        .collect()
}

/// Removes every namespace of the lab (and the processes inside).
pub fn remove_all(names: &Names) {
    for ns in lab_namespaces(names) {
        delete_namespace(&ns);
    }
}

fn create_namespace(ns: &str, sysctls: &[&str]) -> Result<(), String> {
    checked(ip(&["netns", "add", ns]))?;
    checked(ip(&["-n", ns, "link", "set", "lo", "up"]))?;
    let mut args = vec!["sysctl", "-q", "-w"];
    args.extend(sysctls);
    checked(exec_in(ns, &args, Duration::from_secs(30)))
}

/// Removes bridges and veths of `ns` the layout does not want and creates
/// the bridges it wants.
fn reconcile_links(layout: &Layout, ns: &str, dirty: &mut BTreeSet<String>) -> Result<(), String> {
    let wanted_veths: BTreeSet<&End> = layout.veths.iter().flat_map(|(a, b)| [a, b]).collect();
    let mut bridges = BTreeSet::new();
    for (name, kind) in links_of(ns)? {
        let end = (ns.to_string(), name);
        let wanted = match kind.as_str() {
            "bridge" => layout.bridges.contains(&end),
            "veth" => wanted_veths.contains(&end),
            _ => true,
        };
        if !wanted {
            // The other end of a veth goes too; it may already be gone.
            let _ = ip(&["-n", ns, "link", "del", &end.1]);
            dirty.insert(ns.to_string());
        } else if kind == "bridge" {
            bridges.insert(end);
        }
    }
    for bridge in layout
        .bridges
        .iter()
        .filter(|b| b.0 == ns && !bridges.contains(*b))
    {
        checked(ip(&["-n", ns, "link", "add", &bridge.1, "type", "bridge"]))?;
        dirty.insert(ns.to_string());
    }
    Ok(())
}

/// (name, kind) of every link in `ns` except loopback.
fn links_of(ns: &str) -> Result<Vec<(String, String)>, String> {
    let out = ip(&["-n", ns, "-j", "-d", "link", "show"]);
    checked_ref(&out)?;
    let links: serde_json::Value =
        serde_json::from_str(&out.stdout).map_err(|e| format!("{e}:\n{out}"))?;
    Ok(links
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|link| {
            let name = link["ifname"].as_str()?.to_string();
            let kind = link["linkinfo"]["info_kind"]
                .as_str()
                .unwrap_or("")
                .to_string();
            (name != "lo").then_some((name, kind))
        })
        .collect())
}

fn create_veth(a: &End, b: &End, present: &BTreeSet<End>) -> Result<(), String> {
    if present.contains(b) {
        // A stale pair holds b's name (cannot happen with stable names, but
        // reconciliation must not depend on that).
        let _ = ip(&["-n", &b.0, "link", "del", &b.1]);
    }
    checked(ip(&[
        "-n", &a.0, "link", "add", &a.1, "type", "veth", "peer", "name", &b.1, "netns", &b.0,
    ]))
}

/// Routers first (hosts' default routes point at them), then the rest.
fn config_order(layout: &Layout) -> Vec<String> {
    let routers: Vec<String> = layout.routers.iter().map(|r| r.namespace.clone()).collect();
    let others = layout
        .configs
        .keys()
        .filter(|ns| !routers.contains(ns))
        .cloned();
    routers.iter().cloned().chain(others).collect()
}

fn apply_config(ns: &str, config: &NsConfig, dir: &Path) -> Result<(), String> {
    let net = dir.join("net");
    std::fs::create_dir_all(&net).map_err(|e| format!("{}: {e}", net.display()))?;
    let batch = net.join(format!("{ns}.ip"));
    write(&batch, &(config.ip.join("\n") + "\n"))?;
    let path = batch.to_string_lossy();
    checked(ip(&["-n", ns, "-batch", &path]))
        .map_err(|e| format!("configuring {ns} ({path}):\n{e}"))?;
    if !config.ip6.is_empty() {
        let batch = net.join(format!("{ns}.ip6"));
        write(&batch, &(config.ip6.join("\n") + "\n"))?;
        let path = batch.to_string_lossy();
        checked(ip(&["-6", "-n", ns, "-batch", &path]))
            .map_err(|e| format!("configuring IPv6 of {ns} ({path}):\n{e}"))?;
    }
    if !config.nft.is_empty() {
        let script = net.join(format!("{ns}.nft"));
        write(&script, &config.nft)?;
        let path = script.to_string_lossy();
        let out = exec_in(ns, &["nft", "-f", &path], Duration::from_secs(30));
        checked(out).map_err(|e| format!("firewall of {ns} ({path}):\n{e}"))?;
    }
    Ok(())
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}

fn checked(out: CmdOutput) -> Result<(), String> {
    checked_ref(&out)
}

fn checked_ref(out: &CmdOutput) -> Result<(), String> {
    if out.success() {
        Ok(())
    } else {
        Err(out.to_string())
    }
}
