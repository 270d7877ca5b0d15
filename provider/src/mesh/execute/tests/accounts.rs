//! A mesh across accounts through the account router over fake accounts: each account
//! creates, accepts and sets DNS for its own side; an account whose role cannot be
//! assumed fails only its own components.

use std::sync::Arc;

use crate::ec2::fake::accounts::{role_arn, router, router_with_unassumable, FakeAccount};
use crate::ec2::place::account_of;
use crate::ec2::types::PeeringStatus;
use crate::ec2::{Action, Ec2, FakeEc2};
use crate::mesh::execute::execute;
use crate::mesh::fixtures::{desired_of, seed_mesh, MESH_ID, REGION};
use crate::mesh::model::Mesh;
use crate::mesh::plan::plan;
use crate::mesh::testkit::{apply, options, read};

const OWN: &str = "111111111111";
const DEV: &str = "222222222222";

/// The seed mesh with `production` in account "dev", DNS resolution on.
fn split_mesh() -> Mesh {
    let mut mesh = seed_mesh();
    mesh.dns_resolution = true;
    mesh.vpcs.get_mut("production").unwrap().account = Some("dev".into());
    mesh
}

#[tokio::test]
async fn a_mesh_across_two_accounts_converges_with_each_side_done_by_its_account() {
    let world = Arc::new(FakeEc2::new());
    let own = Arc::new(FakeAccount::new(world.clone(), OWN));
    let dev = Arc::new(FakeAccount::new(world, DEV));
    let ec2 = router(&own, &[("dev", &dev)]);
    let desired = desired_of(&split_mesh());
    assert_eq!(desired.vpcs["production"].region, format!("dev/{REGION}"));

    let mut converged = false;
    for _ in 0..3 {
        let (plan, outcome) = apply(&ec2, &desired).await;
        let errors: Vec<String> = outcome
            .errors
            .iter()
            .map(|e| format!("{}: {}", e.component, e.message))
            .collect();
        assert!(errors.is_empty(), "{errors:#?}");
        if plan.is_empty() {
            converged = true;
            break;
        }
    }
    assert!(converged, "the mesh converges");

    let inv = read(&ec2, &desired).await;
    let production = inv
        .vpcs
        .iter()
        .find(|v| v.cidr.to_string() == "10.1.0.0/16")
        .unwrap();
    assert_eq!(production.region, format!("dev/{REGION}"));
    assert!(dev.log().contains(&"create_vpc 10.1.0.0/16".to_string()));
    assert!(!own.log().contains(&"create_vpc 10.1.0.0/16".to_string()));
    assert_eq!(
        inv.peerings.len(),
        6,
        "a full mesh of four, each peering listed once"
    );
    let cross: Vec<_> = inv
        .peerings
        .iter()
        .filter(|p| account_of(&p.requester_region) != account_of(&p.accepter_region))
        .collect();
    assert_eq!(cross.len(), 3, "production peers with the three others");
    for p in cross {
        assert_eq!(p.status, PeeringStatus::Active);
        assert!(p.requester_dns && p.accepter_dns, "{}", p.id);
        let (requester, accepter) = match account_of(&p.accepter_region) {
            Some("dev") => (&own, &dev),
            _ => (&dev, &own),
        };
        let accepted = format!("accept_peering {}", p.id);
        assert!(
            accepter.log().contains(&accepted),
            "{} accepted by its accepter's account",
            p.id
        );
        assert!(!requester.log().contains(&accepted));
        let owner = if Arc::ptr_eq(accepter, &dev) {
            DEV
        } else {
            OWN
        };
        let requested = format!(" {owner}");
        assert!(
            requester
                .log()
                .iter()
                .any(|l| l.starts_with("create_peering_to_account") && l.ends_with(&requested)),
            "{:?}",
            requester.log()
        );
        assert!(accepter
            .log()
            .contains(&format!("set_peering_dns_side {}", p.id)));
        assert!(
            accepter.log().contains(&format!("set_tags {}", p.id)),
            "tagged in the accepter's account"
        );
    }
}

#[tokio::test]
async fn an_account_whose_role_cannot_be_assumed_fails_only_its_own_components() {
    let own = Arc::new(FakeAccount::new(Arc::new(FakeEc2::new()), OWN));
    let (ec2, broken) = router_with_unassumable(own, "dev", DEV);
    let role = role_arn(DEV);
    let desired = desired_of(&split_mesh());
    // Only the own account can be read; the dev account's part is planned from nothing.
    let inv = ec2.inventory(REGION, MESH_ID, &[]).await.unwrap();
    let outcome = execute(&ec2, &plan(&desired, &inv), &options()).await;

    assert!(!outcome.errors.is_empty());
    for e in &outcome.errors {
        assert!(
            e.component.contains("production"),
            "only the dev account's components fail: {}: {}",
            e.component,
            e.message
        );
    }
    let vpc = outcome
        .errors
        .iter()
        .find(|e| e.component == "vpc/production")
        .expect("the VPC in dev failed");
    assert!(
        vpc.message.contains("account \"dev\"") && vpc.message.contains(&role),
        "{}",
        vpc.message
    );
    assert!(
        !vpc.message.contains("Api {"),
        "no Debug output: {}",
        vpc.message
    );
    assert_eq!(broken.count(Action::CreateVpc), 0);

    let after = ec2.inventory(REGION, MESH_ID, &[]).await.unwrap();
    let peerings_done = after
        .peerings
        .iter()
        .filter(|p| p.status == PeeringStatus::Active)
        .count();
    assert_eq!(after.vpcs.len(), 3, "the own account's VPCs were made");
    assert_eq!(peerings_done, 3, "and their peerings among themselves");
}
