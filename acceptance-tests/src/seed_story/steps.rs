//! What the story does to the world, and how it looks: Terraform runs in the
//! runner, out-of-band changes through the EC2 API, each followed by a lab
//! sync so that packets follow what EC2 now says.

use std::time::{Duration, Instant};

use super::config::write_vars;
use super::fixture::SeedFixture;
use super::instances::ok;
use super::observation::Observation;
use super::vpc_cidr;
use crate::ec2check::{Peering, Route};
use crate::mesh_fixture::{all_text, expect_applied, ids_after_refresh, MeshOutputs};

impl SeedFixture {
    /// Reads the data source again without changing anything (a refresh-only
    /// apply, which Terraform 1.0 has too) and returns its outputs.
    pub fn observe(&self) -> Observation {
        let refresh = self.run(&[
            "apply",
            "-refresh-only",
            "-auto-approve",
            "-input=false",
            "-no-color",
        ]);
        expect_applied(&refresh);
        let outputs = self.run(&["output", "-json", "-no-color"]);
        let mut observation = Observation::parse(outputs.expect_success());
        observation.refresh_log = all_text(&refresh);
        observation
    }

    /// `terraform apply` of the whole example (on Terraform 1.0.0-1.0.5 with
    /// the refresh that reads the mesh's ids), then the lab follows EC2.
    pub fn apply(&mut self) {
        let apply = ["apply", "-auto-approve", "-input=false", "-no-color"];
        expect_applied(&self.run(&apply));
        if ids_after_refresh(self.terraform()) {
            expect_applied(&self.run(&[&apply[..1], &["-refresh-only"], &apply[1..]].concat()));
        }
        self.mesh =
            MeshOutputs::from_state(self.run(&["show", "-json", "-no-color"]).expect_success());
        self.sync();
    }

    /// The lab mirrors what EC2 says now.
    pub fn sync(&mut self) {
        let spec = self.ec2.lab_spec();
        self.lab
            .sync(spec)
            .unwrap_or_else(|e| panic!("syncing the lab with moto: {e}"));
    }

    /// Switches the mesh's topology (`full_mesh` or `hub_and_spoke`, hub
    /// production) through the example's variable, and applies.
    pub fn set_topology(&mut self, topology: &str) {
        self.vars.topology = topology.into();
        write_vars(&self.ws, &self.vars);
        self.apply();
    }

    /// Stops (`running = false`) or starts instance `name` through the EC2
    /// API, waits for EC2 to say so, and syncs the lab.
    pub fn set_running(&mut self, name: &str, running: bool) {
        let id = self.instance(name).to_string();
        let c = self.ec2.client();
        if running {
            let started = self
                .ec2
                .block_on(c.start_instances().instance_ids(&id).send());
            ok("StartInstances", started);
        } else {
            let stopped = self
                .ec2
                .block_on(c.stop_instances().instance_ids(&id).send());
            ok("StopInstances", stopped);
        }
        let wanted = if running { "running" } else { "stopped" };
        self.wait_for(&format!("instance {id} {wanted}"), || {
            self.instance_state(&id).as_deref() == Some(wanted)
        });
        self.sync();
    }

    pub fn instance_state(&self, id: &str) -> Option<String> {
        let instances = self.ec2.instances();
        instances.into_iter().find(|i| i.id == id).map(|i| i.state)
    }

    /// Deletes the live peering between VPCs `a` and `b`, and the routes
    /// into it in both VPCs' tables, behind Terraform's back; syncs the lab.
    /// Returns the peering's id.
    pub fn break_peering(&mut self, a: &str, b: &str) -> String {
        let peering = self
            .live_peering(a, b)
            .unwrap_or_else(|| panic!("no live peering between {a} and {b}"));
        for (vpc, other) in [(a, b), (b, a)] {
            for table in self.route_tables(vpc) {
                self.delete_route(&table, vpc_cidr(other));
            }
        }
        self.ec2.delete_peering(&peering.id);
        self.sync();
        peering.id
    }

    /// Adds a route in `spoke`'s private table towards `target`'s CIDR
    /// through `spoke`'s peering with the hub; syncs the lab. Returns
    /// (table, peering).
    pub fn add_route_via_hub(&mut self, spoke: &str, target: &str) -> (String, String) {
        let table = self.mesh.vpcs[spoke].subnets["private"]
            .route_table_id
            .clone();
        let peering = self
            .live_peering(spoke, super::HUB)
            .unwrap_or_else(|| panic!("no live peering between {spoke} and the hub"))
            .id;
        let request = self
            .ec2
            .client()
            .create_route()
            .route_table_id(&table)
            .destination_cidr_block(vpc_cidr(target))
            .vpc_peering_connection_id(&peering);
        ok("CreateRoute", self.ec2.block_on(request.send()));
        self.sync();
        (table, peering)
    }

    /// The live peering between two seed VPCs, as EC2 lists it.
    pub fn live_peering(&self, a: &str, b: &str) -> Option<Peering> {
        let (a, b) = (self.vpc_id(a), self.vpc_id(b));
        let mut pair = [a, b];
        pair.sort();
        self.ec2.peerings().into_iter().find(|p| {
            let (x, y) = p.vpc_pair();
            p.is_live() && [x.as_str(), y.as_str()] == pair
        })
    }

    /// Every live peering of the region.
    pub fn live_peerings(&self) -> Vec<Peering> {
        let peerings = self.ec2.peerings();
        peerings.into_iter().filter(Peering::is_live).collect()
    }

    /// The route to `destination` in `table`, as EC2 lists it.
    pub fn route(&self, table: &str, destination: &str) -> Option<Route> {
        let tables = self.ec2.route_tables();
        let table = tables.into_iter().find(|t| t.id == table)?;
        table.route_to(destination).cloned()
    }

    /// The route tables of `vpc`'s subnets (the mesh's state).
    pub fn route_tables(&self, vpc: &str) -> Vec<String> {
        let subnets = self.mesh.vpcs[vpc].subnets.values();
        let mut tables: Vec<String> = subnets.map(|s| s.route_table_id.clone()).collect();
        tables.dedup();
        tables
    }

    fn delete_route(&self, table: &str, destination: &str) {
        let request = self
            .ec2
            .client()
            .delete_route()
            .route_table_id(table)
            .destination_cidr_block(destination);
        ok("DeleteRoute", self.ec2.block_on(request.send()));
    }

    fn wait_for(&self, what: &str, done: impl Fn() -> bool) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while !done() {
            assert!(Instant::now() < deadline, "waited 30 s for {what}");
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}
