//! The lab's links and addresses, and process clean-up inside its namespaces.

use std::process::Command;

use super::{SshLab, BASTION, BASTION_V6};

impl SshLab {
    pub(super) fn build_network(&mut self, switch: &str) {
        let all: Vec<String> = [
            self.client.clone(),
            self.bastion.namespace.clone(),
            switch.to_string(),
        ]
        .into_iter()
        .chain(self.hosts.iter().map(|h| h.namespace.clone()))
        .collect();
        for ns in &all {
            ip(&["netns", "add", ns]);
            self.namespaces.push(ns.clone());
            ip(&["-n", ns, "link", "set", "lo", "up"]);
        }
        let (client, bastion) = (self.client.clone(), self.bastion.namespace.clone());
        ip(&[
            "-n", &client, "link", "add", "eth0", "type", "veth", "peer", "name", "eth1", "netns",
            &bastion,
        ]);
        ip(&["-n", &client, "addr", "add", "192.0.2.1/24", "dev", "eth0"]);
        ip(&[
            "-n",
            &bastion,
            "addr",
            "add",
            &format!("{BASTION}/24"),
            "dev",
            "eth1",
        ]);
        ip(&[
            "-n",
            &client,
            "addr",
            "add",
            "2001:db8:2::1/64",
            "dev",
            "eth0",
            "nodad",
        ]);
        ip(&[
            "-n",
            &bastion,
            "addr",
            "add",
            &format!("{BASTION_V6}/64"),
            "dev",
            "eth1",
            "nodad",
        ]);
        ip(&["-n", &client, "link", "set", "eth0", "up"]);
        ip(&["-n", &bastion, "link", "set", "eth1", "up"]);
        ip(&["-n", switch, "link", "add", "br0", "type", "bridge"]);
        ip(&["-n", switch, "link", "set", "br0", "up"]);
        let lan = std::iter::once(&self.bastion).chain(&self.hosts);
        for (port, host) in lan.enumerate() {
            let (ns, port) = (host.namespace.as_str(), format!("p{port}"));
            ip(&[
                "-n", switch, "link", "add", &port, "type", "veth", "peer", "name", "eth0",
                "netns", ns,
            ]);
            ip(&["-n", switch, "link", "set", &port, "master", "br0", "up"]);
            ip(&[
                "-n",
                ns,
                "addr",
                "add",
                &format!("{}/24", host.ipv4),
                "dev",
                "eth0",
            ]);
            ip(&[
                "-n",
                ns,
                "addr",
                "add",
                &format!("{}/64", host.ipv6),
                "dev",
                "eth0",
                "nodad",
            ]);
            ip(&["-n", ns, "link", "set", "eth0", "up"]);
        }
    }
}

pub(super) fn ip(args: &[&str]) {
    let output = Command::new("ip").args(args).output().expect("running ip");
    assert!(
        output.status.success(),
        "ip {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&output.stderr)
    );
}

pub(super) fn listening_on_22(ns: &str) -> bool {
    Command::new("ip")
        .args(["netns", "exec", ns, "ss", "-Hltn", "sport = :22"])
        .output()
        .is_ok_and(|output| !output.stdout.is_empty())
}
