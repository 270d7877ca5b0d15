//! Ownership: the mesh changes only what carries its own id and a component
//! that belongs to it. A second configuration with the same `name` is refused at plan;
//! a foreign peering between two mesh VPCs and a foreign route at a destination the mesh
//! needs block it with an error naming the object, and stay untouched; a subnet carrying
//! copied mesh tags outside the mesh is never touched; tags users add to mesh objects
//! survive. Everything is checked through the EC2 API as well as Terraform's output.

#[path = "mesh_ownership/foreign_route.rs"]
mod foreign_route;
#[path = "mesh_ownership/tags_kept.rs"]
mod tags_kept;

use acceptance_tests::ec2check::{Tagged, Tags};
use acceptance_tests::mesh_fixture::{
    all_text, apply_mesh, assert_plan_empty, mesh_workspace, MeshOutputs, MeshSpec, ScenarioTimer,
    TopologySpec, VpcSpec, REGION,
};
use acceptance_tests::{for_each_terraform, CmdOutput, Ec2Check, MotoServer, Workspace};

/// The mesh name of every scenario (each runs against its own moto).
const NAME: &str = "own-lab";

/// Two or three small VPCs with one private subnet each: alpha, beta, gamma.
fn small_vpcs(count: usize) -> Vec<VpcSpec> {
    [
        ("alpha", "10.61.0.0/16", "10.61.1.0/24"),
        ("beta", "10.62.0.0/16", "10.62.1.0/24"),
        ("gamma", "10.63.0.0/16", "10.63.1.0/24"),
    ]
    .iter()
    .take(count)
    .map(|(name, cidr, subnet)| VpcSpec::private(name, cidr, subnet))
    .collect()
}

fn spec(vpcs: Vec<VpcSpec>, topology: TopologySpec) -> MeshSpec {
    MeshSpec {
        name: NAME.into(),
        vpcs,
        topology,
        ssh_ingress_cidrs: Vec::new(),
        dns_resolution: None,
        provider_settings: String::new(),
        vpcs_from_local: false,
    }
}

fn explicit(pairs: &[(&str, &str)]) -> TopologySpec {
    TopologySpec::Explicit(
        pairs
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect(),
    )
}

pub(crate) fn tags(pairs: &[(&str, &str)]) -> Tags {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// main.tf for `spec` with `extra` (attribute lines, e.g. `tags = {...}`) added to
/// the resource block; the fixture renders no `tags`.
pub(crate) fn write_config(ws: &Workspace, moto: &MotoServer, spec: &MeshSpec, extra: &str) {
    let head = "resource \"peering_mesh\" \"lab\" {\n";
    let main = spec.render(&moto.endpoint());
    assert!(main.contains(head), "the fixture renders {head}");
    ws.write_main(&main.replacen(head, &format!("{head}{extra}\n"), 1));
}

/// Terraform's output with the diagnostic frames (`│`) and line wrapping removed, so
/// a message can be searched for whole.
pub(crate) fn flat_text(out: &CmdOutput) -> String {
    all_text(out)
        .replace(['│', '╷', '╵'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Asserts `out` failed and its output names every one of `needles`.
#[track_caller]
pub(crate) fn assert_fails_naming(out: &CmdOutput, needles: &[&str]) {
    assert!(
        !out.success(),
        "the command must fail (something is in the way):\n{out}"
    );
    let text = flat_text(out);
    for needle in needles {
        assert!(text.contains(needle), "the error names {needle:?}:\n{out}");
    }
}

/// Ids of everything carrying a `peering:mesh` tag, with the tags, live peerings only.
fn mesh_world(check: &Ec2Check) -> Vec<(String, Tags)> {
    let ec2 = check.snapshot();
    let mut all: Vec<(String, Tags)> = Vec::new();
    let mut add = |id: &str, t: &Tags| {
        if t.contains_key(acceptance_tests::ec2check::TAG_MESH) {
            all.push((id.to_string(), t.clone()));
        }
    };
    ec2.vpcs.iter().for_each(|o| add(o.id(), o.tags()));
    ec2.subnets.iter().for_each(|o| add(o.id(), o.tags()));
    ec2.route_tables.iter().for_each(|o| add(o.id(), o.tags()));
    ec2.security_groups
        .iter()
        .for_each(|o| add(o.id(), o.tags()));
    ec2.internet_gateways
        .iter()
        .for_each(|o| add(o.id(), o.tags()));
    ec2.peerings
        .iter()
        .filter(|p| p.is_live())
        .for_each(|o| add(o.id(), o.tags()));
    all.sort();
    all
}

#[test]
fn same_name_elsewhere_is_refused_at_plan() {
    let test = "same_name_refused";
    for_each_terraform(test, |tf| {
        let Some(moto) = MotoServer::require(test) else {
            return;
        };
        let timer = ScenarioTimer::start(test, tf);
        let first_spec = spec(small_vpcs(2), TopologySpec::FullMesh);
        let first = mesh_workspace(test, tf, &moto, &first_spec);
        first.init().expect_success();
        timer.step("apply", || apply_mesh(&first));
        let applied = MeshOutputs::parse(first.output_json().expect_success());
        let check = Ec2Check::new(&moto.endpoint(), REGION);
        let before = mesh_world(&check);
        assert!(!before.is_empty(), "the first mesh is in EC2");

        // Same name, same account and region, other CIDR blocks: another mesh.
        let mut other_vpcs = small_vpcs(2);
        other_vpcs[0] = VpcSpec::private("alpha", "10.71.0.0/16", "10.71.1.0/24");
        other_vpcs[1] = VpcSpec::private("beta", "10.72.0.0/16", "10.72.1.0/24");
        let second = mesh_workspace(test, tf, &moto, &spec(other_vpcs, TopologySpec::FullMesh));
        second.init().expect_success();
        let refused = timer.step("plan of the second", || second.plan());
        assert_fails_naming(
            &refused,
            &[
                "A mesh with this name already exists",
                &applied.id,
                "terraform import",
                "another name",
            ],
        );
        let refused = timer.step("apply of the second", || second.apply());
        assert_fails_naming(&refused, &["A mesh with this name already exists"]);
        assert_eq!(
            mesh_world(&check),
            before,
            "EC2 unchanged by the refused mesh"
        );

        // The very same configuration is what an interrupted create leaves: adopted.
        let twin = mesh_workspace(test, tf, &moto, &first_spec);
        twin.init().expect_success();
        let adopting = timer.step("plan of a twin", || twin.plan());
        adopting.expect_success();
        assert!(
            flat_text(&adopting).contains("Objects of an interrupted create will be adopted"),
            "a configuration equal to the mesh is told it adopts it:\n{adopting}"
        );

        timer.step("plan of the first", || {
            assert_plan_empty(&first.plan_detailed())
        });
        assert_eq!(mesh_world(&check), before, "EC2 unchanged by the plans");
    });
}

#[test]
fn foreign_peering_blocks_and_is_left_alone() {
    let test = "foreign_peering";
    for_each_terraform(test, |tf| {
        let Some(moto) = MotoServer::require(test) else {
            return;
        };
        let timer = ScenarioTimer::start(test, tf);
        let without = spec(
            small_vpcs(3),
            explicit(&[("alpha", "gamma"), ("beta", "gamma")]),
        );
        let ws = mesh_workspace(test, tf, &moto, &without);
        ws.init().expect_success();
        timer.step("apply without alpha:beta", || apply_mesh(&ws));
        let applied = MeshOutputs::parse(ws.output_json().expect_success());
        let check = Ec2Check::new(&moto.endpoint(), REGION);
        let (alpha, beta) = (&applied.vpcs["alpha"].vpc_id, &applied.vpcs["beta"].vpc_id);
        let foreign = check.create_untagged_peering(alpha, beta);
        let before = mesh_world(&check);

        let with = spec(
            small_vpcs(3),
            explicit(&[("alpha", "beta"), ("alpha", "gamma"), ("beta", "gamma")]),
        );
        write_spec_again(&ws, &moto, &with);
        let blocked = timer.step("apply with alpha:beta", || ws.apply());
        assert_fails_naming(
            &blocked,
            &["Mesh component pcx/alpha:beta is blocked", &foreign],
        );
        let ec2 = check.snapshot();
        let peering = ec2.peering(&foreign).expect("the foreign peering");
        assert_eq!(peering.status, "active", "the foreign peering stays active");
        assert!(peering.tags.is_empty(), "and untagged: {peering:#?}");
        assert_eq!(mesh_world(&check), before, "the mesh is as it was");
        for key in ["alpha:gamma", "beta:gamma"] {
            let id = &applied.peerings[key].id;
            assert_eq!(
                ec2.peering(id).map(|p| p.status.as_str()),
                Some("active"),
                "the mesh's peering {key} stays"
            );
        }

        check.delete_peering(&foreign);
        timer.step("apply after the foreign peering went", || apply_mesh(&ws));
        let after = MeshOutputs::parse(ws.output_json().expect_success());
        let own = &after.peerings["alpha:beta"].id;
        assert_ne!(own, &foreign, "the mesh made its own peering");
        let ec2 = check.snapshot();
        let made = ec2.peering(own).expect("the mesh's alpha:beta in EC2");
        assert_eq!(made.status, "active");
        assert_eq!(made.component(), Some("pcx/alpha:beta"));
        assert_eq!(made.vpc_pair(), {
            let mut pair = [alpha.clone(), beta.clone()];
            pair.sort();
            (pair[0].clone(), pair[1].clone())
        });
        timer.step("plan after", || assert_plan_empty(&ws.plan_detailed()));
    });
}

/// Rewrites main.tf for `spec` (no extra attributes).
fn write_spec_again(ws: &Workspace, moto: &MotoServer, spec: &MeshSpec) {
    write_config(ws, moto, spec, "");
}
