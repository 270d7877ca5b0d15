//! The mesh's validation problems as Terraform diagnostics: each an error on the
//! attribute path of the offending value, with the mesh's own summary and detail.

use tfplugin::diag::{AttributePath, Diagnostics, PathStep};

use crate::mesh::model::{Mesh, Topology};
use crate::mesh::problem::{Path, Problems, Step};
use crate::mesh::validate::{self, Quotas};

/// Validates `mesh` and reports every problem in `diags`.
pub(super) fn validate(mesh: &Mesh, quotas: &Quotas, diags: &mut Diagnostics) {
    report(validate::validate(mesh, quotas), diags);
}

/// Every VPC's `account` is a key of the provider's `accounts` (`known`).
pub(super) fn check_accounts<'k>(
    mesh: &Mesh,
    known: impl Iterator<Item = &'k String> + Clone,
    diags: &mut Diagnostics,
) {
    let keys: Vec<String> = known.clone().map(|k| format!("\"{k}\"")).collect();
    let keys = match keys.is_empty() {
        true => "the provider sets no accounts".to_string(),
        false => format!("its keys are {}", keys.join(", ")),
    };
    for (name, vpc) in &mesh.vpcs {
        let Some(account) = &vpc.account else {
            continue;
        };
        if known.clone().any(|k| k == account) {
            continue;
        }
        diags.error_at(
            vpc_path(name).attr("account"),
            "Unknown account",
            format!(
                "VPC \"{name}\" is placed in account \"{account}\", which is not a key of the provider's accounts ({keys}). \
                 Add {account} = {{ assume_role = {{ role_arn = \"arn:aws:iam::ACCOUNT-ID:role/NAME\" }} }} (or profile = \"NAME\") to accounts in the provider \"peering\" block, \
                 or use one of its keys."
            ),
        );
    }
}

/// The topology the configuration asks for; `None` (with errors in `diags`) when the
/// attributes do not fit together.
pub(super) fn topology_from_config(
    topology: Option<&str>,
    hub: Option<&str>,
    connections: Option<&[Vec<String>]>,
    diags: &mut Diagnostics,
) -> Option<Topology> {
    match validate::topology_from_config(topology, hub, connections) {
        Ok(topology) => Some(topology),
        Err(problems) => {
            report(problems, diags);
            None
        }
    }
}

/// The attribute path of VPC `name` in `vpcs`.
pub(super) fn vpc_path(name: &str) -> AttributePath {
    attribute_path(&validate::vpc_path(name))
}

fn report(problems: Problems, diags: &mut Diagnostics) {
    for p in problems {
        diags.error_at(attribute_path(&p.path), p.summary, p.detail);
    }
}

fn attribute_path(path: &Path) -> AttributePath {
    AttributePath(
        path.0
            .iter()
            .map(|step| match step {
                Step::Attr(a) => PathStep::Attr(a.clone()),
                Step::Key(k) => PathStep::Key(k.clone()),
                // A list index always fits: no configuration has 2^63 elements.
                Step::Index(i) => PathStep::Index(i64::try_from(*i).unwrap_or(i64::MAX)),
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mesh::fixtures::seed_mesh;

    #[test]
    fn problems_become_errors_on_the_same_attribute_path() {
        let mut mesh = seed_mesh();
        mesh.ssh_ingress_cidrs.push("10.9.9.9/24".parse().unwrap());
        mesh.vpcs.get_mut("shared").unwrap().cidr = Some("10.0.0.0/8".parse().unwrap());
        let mut diags = Diagnostics::new();
        validate(&mesh, &Quotas::default(), &mut diags);
        let problems = validate::validate(&mesh, &Quotas::default());
        assert_eq!(diags.0.len(), problems.len(), "{diags}");
        for (d, p) in diags.iter().zip(problems) {
            assert!(d.attribute.is_some() && d.severity == tfplugin::diag::Severity::Error);
            assert_eq!(
                d.attribute.as_ref().unwrap().to_string(),
                p.path.to_string()
            );
            assert_eq!((&d.summary, &d.detail), (&p.summary, &p.detail));
        }
        let paths: Vec<_> = diags.iter().filter_map(|d| d.attribute.clone()).collect();
        assert!(paths.contains(&AttributePath::root("ssh_ingress_cidrs").index(1)));
        assert!(paths.contains(&vpc_path("shared").attr("cidr_block")));
    }

    #[test]
    fn topology_problems_are_reported_and_give_no_topology() {
        let mut diags = Diagnostics::new();
        assert_eq!(
            topology_from_config(Some("star"), None, None, &mut diags),
            None
        );
        assert_eq!(diags.0.len(), 1, "{diags}");
        assert_eq!(diags.0[0].attribute, Some(AttributePath::root("topology")));
        let mut diags = Diagnostics::new();
        assert_eq!(
            topology_from_config(None, None, None, &mut diags),
            Some(Topology::FullMesh)
        );
        assert!(diags.is_empty());
    }
}
