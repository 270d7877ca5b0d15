use super::{errors, only_error, paths};
use crate::mesh::fixtures::{generated_mesh, seed_mesh};
use crate::mesh::model::{Mesh, Topology};
use crate::mesh::problem::{Path, Problems};
use crate::mesh::validate::{topology_from_config, validate, Quotas};

#[test]
fn topology_must_name_vpcs_of_the_mesh() {
    let mut mesh = seed_mesh();
    mesh.topology = Topology::HubAndSpoke {
        hub: "central".into(),
    };
    let detail = only_error(&errors(&mesh), "hub");
    assert!(
        detail.contains("\"central\"") && detail.contains("\"shared\""),
        "{detail}"
    );

    let c = |x: &str, y: &str| (x.to_string(), y.to_string());
    mesh.topology = Topology::Explicit {
        connections: vec![
            c("production", "shared"),
            c("shared", "production"),
            c("testing", "testing"),
            c("testing", "qa"),
        ],
    };
    let d = errors(&mesh);
    assert_eq!(
        paths(&d),
        ["connections[1]", "connections[2]", "connections[3]"],
        "{d}"
    );
    assert!(d.0[0].detail.contains("repeats connections[0]"), "{d}");
    assert!(d.0[1].detail.contains("itself"), "{d}");
    assert!(d.0[2].detail.contains("\"qa\""), "{d}");

    mesh.topology = Topology::Explicit {
        connections: vec![],
    };
    only_error(&errors(&mesh), "connections");
}

#[test]
fn topology_attributes_must_fit_together() {
    let problems = |r: Result<Topology, Problems>| r.expect_err("problems");
    let pair = vec![vec!["a".to_string(), "b".to_string()]];
    assert_eq!(
        topology_from_config(None, None, None),
        Ok(Topology::FullMesh)
    );
    let d = problems(topology_from_config(Some("full_mesh"), Some("a"), None));
    assert!(only_error(&d, "hub").contains("hub_and_spoke"));
    assert_eq!(d.0[0].summary, r#"hub not used with topology "full_mesh""#);

    let d = problems(topology_from_config(Some("hub_and_spoke"), None, None));
    only_error(&d, "hub");

    let got = topology_from_config(Some("explicit"), None, Some(pair.as_slice()));
    assert_eq!(
        got,
        Ok(Topology::Explicit {
            connections: vec![("a".into(), "b".into())]
        })
    );
    let three = vec![vec!["a".to_string(), "b".to_string(), "c".to_string()]];
    let d = problems(topology_from_config(
        Some("explicit"),
        Some("a"),
        Some(three.as_slice()),
    ));
    assert_eq!(paths(&d), ["hub", "connections[0]"]);
    assert!(
        d.0[1]
            .detail
            .starts_with(r#"connections[0] is ["a", "b", "c"]; each connection"#),
        "{d}"
    );

    let d = problems(topology_from_config(Some("star"), None, None));
    assert!(only_error(&d, "topology").contains("\"star\""));
}

#[test]
fn peerings_per_vpc_quota_names_the_vpc_and_count() {
    let mesh = generated_mesh(5, 1, Topology::FullMesh);
    let quotas = Quotas {
        peerings_per_vpc: 3,
        ..Quotas::default()
    };
    let d = validate(&mesh, &quotas);
    assert_eq!(d.0.len(), 5, "{d}");
    let e = &d.0[0];
    assert_eq!(e.path, Path::root("vpcs").key("v000"));
    assert!(
        e.detail.contains(r#"VPC "v000" would have 4 peering"#),
        "{e}"
    );
    assert!(e.detail.contains("peerings_per_vpc"), "{e}");

    let hub = Mesh {
        topology: Topology::HubAndSpoke { hub: "v000".into() },
        ..mesh
    };
    let d = validate(&hub, &quotas);
    // Only the hub has 4 peers.
    assert!(only_error(&d, r#"vpcs["v000"]"#).contains("4 peering"));
}

#[test]
fn route_and_rule_quotas_count_what_the_mesh_adds() {
    let mesh = seed_mesh();
    // production/public: 3 peers + local + internet = 5; the other tables 4.
    let quotas = Quotas {
        routes_per_route_table: 4,
        ..Quotas::default()
    };
    let d = validate(&mesh, &quotas);
    let detail = only_error(&d, r#"vpcs["production"].subnets["public"]"#);
    assert!(
        detail.contains("5 routes") && detail.contains("routes_per_route_table"),
        "{detail}"
    );

    // Each group: 3 ICMP + 1 SSH = 4.
    let quotas = Quotas {
        rules_per_security_group: 3,
        ..Quotas::default()
    };
    let d = validate(&mesh, &quotas);
    assert_eq!(d.0.len(), 4, "{d}");
    assert!(
        d.0[0].detail.contains("4 inbound rules (3 ICMP")
            && d.0[0].detail.contains("rules_per_security_group"),
        "{d}"
    );
    let quiet = Mesh {
        allow_icmp: false,
        ..mesh
    };
    let d = validate(&quiet, &quotas);
    assert!(d.is_empty(), "{d}");
}

#[test]
fn vpc_and_gateway_quotas_count_per_region() {
    // Six VPCs: four in the provider's region (v000..v003), two in us-west-2.
    let mut mesh = generated_mesh(6, 1, Topology::FullMesh);
    for name in ["v004", "v005"] {
        let vpc = mesh.vpcs.get_mut(name).unwrap();
        vpc.region = Some("us-west-2".into());
        vpc.subnets
            .values_mut()
            .for_each(|s| s.availability_zone = None);
    }
    let d = validate(&mesh, &Quotas::default());
    assert!(d.is_empty(), "5 VPCs per region by default: {d}");

    let quotas = Quotas {
        vpcs_per_region: 3,
        ..Quotas::default()
    };
    let detail = only_error(&d_of(&mesh, &quotas), "vpcs");
    assert!(
        detail.contains("create 4 VPCs in the provider's region")
            && detail.contains("quota of 3 VPCs per region")
            && detail.contains("Ask AWS for more")
            && detail.contains("quotas = { vpcs_per_region = N }"),
        "{detail}"
    );
    // Adopted VPCs are not created: adopting two brings the count under the quota.
    let mut adopting = mesh.clone();
    for (i, name) in ["v000", "v001"].into_iter().enumerate() {
        let vpc = adopting.vpcs.get_mut(name).unwrap();
        vpc.vpc_id = Some(format!("vpc-0{i}"));
        vpc.cidr = None;
    }
    let d = d_of(&adopting, &quotas);
    assert!(d.is_empty(), "{d}");

    // Gateways: one per VPC with a public subnet, per region.
    let mut public = mesh;
    for vpc in public.vpcs.values_mut() {
        vpc.subnets.values_mut().for_each(|s| s.public = true);
    }
    let quotas = Quotas {
        internet_gateways_per_region: 1,
        ..Quotas::default()
    };
    let d = d_of(&public, &quotas);
    assert_eq!(d.0.len(), 2, "{d}");
    assert!(
        d.0[0]
            .detail
            .contains("4 VPCs in the provider's region have a public subnet")
            && d.0[1].detail.contains("2 VPCs in region us-west-2")
            && d.0[1]
                .detail
                .contains("quota of 1 internet gateways per region")
            && d.0[1].detail.contains("internet_gateways_per_region = N"),
        "{d}"
    );
    assert!(d.0.iter().all(|e| e.path == Path::root("vpcs")));
}

fn d_of(mesh: &Mesh, quotas: &Quotas) -> Problems {
    validate(mesh, quotas)
}

#[test]
fn vpc_quotas_count_per_account_and_region() {
    // Six VPCs in the provider's region: three of them in account "dev".
    let mut mesh = generated_mesh(6, 1, Topology::FullMesh);
    for name in ["v003", "v004", "v005"] {
        mesh.vpcs.get_mut(name).unwrap().account = Some("dev".into());
    }
    let quotas = Quotas {
        vpcs_per_region: 3,
        ..Quotas::default()
    };
    let d = d_of(&mesh, &quotas);
    assert!(d.is_empty(), "three per account and region: {d}");
    let quotas = Quotas {
        vpcs_per_region: 2,
        ..Quotas::default()
    };
    let d = d_of(&mesh, &quotas);
    assert_eq!(d.0.len(), 2, "{d}");
    assert!(
        d.0[0]
            .detail
            .contains("create 3 VPCs in the provider's region,")
            && d.0[1]
                .detail
                .contains("create 3 VPCs in the provider's region of account \"dev\""),
        "{d}"
    );
}
