//! The chapters of the seed experiment, in order, each an action and a
//! fresh read of the data source; [`render`] prints one for people.

use std::time::{Duration, Instant};

use super::fixture::SeedFixture;
use super::observation::Observation;
use super::{BROKEN_PAIR, HUB, ROUTE_SPOKE, ROUTE_TARGET, STOPPED};

/// What a chapter did, with the ids a check needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// The full mesh as Terraform made it.
    FullMesh,
    /// `host`'s instance stopped through the EC2 API.
    Stopped { host: String, instance: String },
    /// `host`'s instance started again.
    Restarted { host: String },
    /// The peering between `a` and `b` and its routes deleted out of band.
    PeeringDeleted {
        a: String,
        b: String,
        peering: String,
    },
    /// `terraform apply` made a new peering between `a` and `b`.
    Repaired {
        a: String,
        b: String,
        old: String,
        new: String,
    },
    /// The mesh switched to hub and spoke around `hub`.
    HubAndSpoke { hub: String },
    /// A route in `spoke`'s `table` to `target`'s CIDR via `peering`
    /// (the spoke's peering with the hub), added by hand.
    SpokeRoute {
        spoke: String,
        target: String,
        table: String,
        peering: String,
    },
}

pub struct Chapter {
    pub number: usize,
    pub title: &'static str,
    pub step: Step,
    /// What was done and what should follow, for people.
    pub story: String,
    pub observation: Observation,
    /// The action, the lab sync and the read of the data source.
    pub elapsed: Duration,
}

/// Runs every chapter in order on `fixture`, handing each to `each` (the
/// test asserts, the demo prints).
pub fn tell(fixture: &mut SeedFixture, mut each: impl FnMut(&SeedFixture, &Chapter)) {
    let mut number = 0;
    let mut next = |fixture: &mut SeedFixture,
                    title: &'static str,
                    act: &mut dyn FnMut(&mut SeedFixture) -> (Step, String)| {
        number += 1;
        let started = Instant::now();
        let (step, story) = act(fixture);
        let observation = fixture.observe();
        let chapter = Chapter {
            number,
            title,
            step,
            story,
            observation,
            elapsed: started.elapsed(),
        };
        each(fixture, &chapter);
    };
    next(fixture, "the full mesh", &mut |_| {
        let story = "Terraform applied the four-VPC full mesh; a bastion and one server per VPC run. \
                     Every server pings every other one, over SSH through the bastion: all pairs answer.";
        (Step::FullMesh, story.into())
    });
    next(fixture, "a stopped server", &mut |f| {
        f.set_running(STOPPED, false);
        let instance = f.instance(STOPPED).to_string();
        let story = format!(
            "Instance {instance} ({STOPPED}) stopped through the EC2 API. Every probe to it fails, \
             and the diagnosis names the stopped instance, and nothing else."
        );
        (
            Step::Stopped {
                host: STOPPED.into(),
                instance,
            },
            story,
        )
    });
    next(fixture, "the server started again", &mut |f| {
        f.set_running(STOPPED, true);
        let story =
            format!("{STOPPED} started again through the EC2 API: every pair answers again.");
        (
            Step::Restarted {
                host: STOPPED.into(),
            },
            story,
        )
    });
    let (a, b) = BROKEN_PAIR;
    let mut deleted = String::new();
    next(fixture, "a peering deleted out of band", &mut |f| {
        deleted = f.break_peering(a, b);
        let story = format!(
            "Peering {deleted} ({a}-{b}) and its routes deleted through the EC2 API, behind \
             Terraform's back. Exactly {a}->{b} and {b}->{a} fail; the diagnosis names that peering."
        );
        (
            Step::PeeringDeleted {
                a: a.into(),
                b: b.into(),
                peering: deleted.clone(),
            },
            story,
        )
    });
    next(fixture, "terraform apply repairs the mesh", &mut |f| {
        f.apply();
        let new = f.live_peering(a, b).map(|p| p.id).unwrap_or_default();
        let story = format!(
            "terraform apply re-created the {a}-{b} peering as {new} (was {deleted}) with its routes: \
             every pair answers again."
        );
        let old = deleted.clone();
        (
            Step::Repaired {
                a: a.into(),
                b: b.into(),
                old,
                new,
            },
            story,
        )
    });
    next(fixture, "hub and spoke", &mut |f| {
        f.set_topology("hub_and_spoke");
        let story = format!(
            "topology = hub_and_spoke with hub {HUB}, applied: the spokes peer with {HUB} only, so \
             they do not reach each other, as expected (peering is not transitive)."
        );
        (Step::HubAndSpoke { hub: HUB.into() }, story)
    });
    next(fixture, "a route between spokes, by hand", &mut |f| {
        let (table, peering) = f.add_route_via_hub(ROUTE_SPOKE, ROUTE_TARGET);
        let story = format!(
            "A route to {ROUTE_TARGET}'s CIDR via {peering} ({ROUTE_SPOKE}'s peering with {HUB}) added \
             by hand to {ROUTE_SPOKE}'s table {table}: the hub does not forward between peerings, so \
             {ROUTE_SPOKE} still does not reach {ROUTE_TARGET}."
        );
        let step = Step::SpokeRoute {
            spoke: ROUTE_SPOKE.into(),
            target: ROUTE_TARGET.into(),
            table,
            peering,
        };
        (step, story)
    });
}
