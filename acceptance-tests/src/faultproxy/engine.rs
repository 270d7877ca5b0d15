//! The proxy's decisions, apart from the network: what to answer before
//! forwarding ([`Engine::before`]) and how to edit moto's answer
//! ([`Engine::after`]). Everything random is drawn from a generator seeded
//! by (seed, action, how many requests of that action came before), always
//! the same draws in the same order whatever is switched on: a seed gives the
//! same decisions for the same sequence of requests per action, even when
//! requests of different actions interleave differently, and switching one
//! kind off does not change the others' decisions.

use std::collections::{BTreeSet, HashMap};
use std::time::{Duration, Instant};

use super::counts::FaultCounts;
use super::deletes::GUARDED_DELETES;
use super::faults::{FaultKind, Faults};
use super::query::{Ec2Error, IdKind, Params};
use super::throttle::Buckets;
use super::xml;

/// Uniform draws in `0..1` for one request.
#[derive(Clone, Copy, Debug)]
pub struct Draws {
    latency: f64,
    internal_error: f64,
    unavailable: f64,
    lost_response: f64,
    fresh_window: f64,
    peering_window: f64,
    dependency_window: f64,
}

/// What to do with a request.
pub enum Decision {
    /// Answer this error without forwarding.
    Answer(Ec2Error),
    /// Forward; when `lost`, close the connection instead of answering.
    Forward { lost: bool },
}

pub struct Plan {
    pub delay: Duration,
    pub decision: Decision,
    pub draws: Draws,
    pub request_id: String,
}

pub struct Engine {
    faults: Faults,
    buckets: Buckets,
    sequence: HashMap<String, u64>,
    /// Created ids and the end of their not-visible window.
    fresh: HashMap<String, (IdKind, Instant)>,
    initiating: HashMap<String, Instant>,
    provisioning: HashMap<String, Instant>,
    /// Ids whose first delete was seen, and the end of their refusal window.
    deleting: HashMap<String, Instant>,
    /// Role ARNs whose STS AssumeRole is refused (`AccessDenied`), as when the role's
    /// trust policy does not name the caller.
    refused_roles: BTreeSet<String>,
    counts: FaultCounts,
}

fn active(windows: &HashMap<String, Instant>, id: &str, now: Instant) -> bool {
    windows.get(id).is_some_and(|until| now < *until)
}

/// A 64-bit mix (FNV-1a) of an action name, for seeding.
fn action_hash(action: &str) -> u64 {
    action.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

impl Engine {
    pub fn new(faults: Faults) -> Engine {
        Engine {
            faults,
            buckets: Buckets::default(),
            sequence: HashMap::new(),
            fresh: HashMap::new(),
            initiating: HashMap::new(),
            provisioning: HashMap::new(),
            deleting: HashMap::new(),
            refused_roles: BTreeSet::new(),
            counts: FaultCounts::default(),
        }
    }

    /// New settings; buckets start full again, open windows stay open.
    pub fn set_faults(&mut self, faults: Faults) {
        self.faults = faults;
        self.buckets.clear();
    }

    pub fn counts(&self) -> FaultCounts {
        self.counts.clone()
    }

    /// From now on, STS AssumeRole of any of `roles` is refused; an empty list refuses none.
    pub fn set_refused_roles(&mut self, roles: &[&str]) {
        self.refused_roles = roles.iter().map(|r| r.to_string()).collect();
    }

    /// The role ARN when `params` is an AssumeRole of a refused role (counted as received,
    /// not forwarded).
    pub fn refused_role(&mut self, params: &Params) -> Option<String> {
        let role = params
            .get("RoleArn")
            .filter(|_| params.action() == "AssumeRole")?;
        let role = self.refused_roles.get(role)?.clone();
        self.counts.entry(params.action()).received += 1;
        Some(role)
    }

    /// A request passed on untouched (STS, or no EC2 action).
    pub fn pass_through(&mut self, action: &str) {
        let entry = self.counts.entry(action);
        entry.received += 1;
        entry.forwarded += 1;
    }

    fn draws(&mut self, action: &str) -> (Draws, u64) {
        let sequence = self.sequence.entry(action.to_string()).or_default();
        let n = *sequence;
        *sequence += 1;
        let seed = self.faults.seed
            ^ action_hash(action).rotate_left(17)
            ^ n.wrapping_mul(0x9e37_79b9_7f4a_7c15);
        let mut rng = fastrand::Rng::with_seed(seed);
        let draws = Draws {
            latency: rng.f64(),
            internal_error: rng.f64(),
            unavailable: rng.f64(),
            lost_response: rng.f64(),
            fresh_window: rng.f64(),
            peering_window: rng.f64(),
            dependency_window: rng.f64(),
        };
        (draws, n)
    }

    pub fn before(&mut self, params: &Params, now: Instant) -> Plan {
        let action = params.action().to_string();
        let (draws, n) = self.draws(&action);
        self.counts.entry(&action).received += 1;
        let delay = match self.faults.latency {
            Some(window) => {
                self.counts.inject(FaultKind::Latency);
                window.pick(draws.latency)
            }
            None => Duration::ZERO,
        };
        let decision = match self.refusal(params, &draws, now) {
            Some((kind, error)) => {
                self.counts.inject(kind);
                self.counts.entry(&action).faulted += 1;
                Decision::Answer(error)
            }
            None => {
                let lost = self
                    .faults
                    .lost_response
                    .is_some_and(|p| draws.lost_response < p);
                let entry = self.counts.entry(&action);
                entry.forwarded += 1;
                if lost {
                    entry.faulted += 1;
                    self.counts.inject(FaultKind::LostResponse);
                }
                Decision::Forward { lost }
            }
        };
        Plan {
            delay,
            decision,
            draws,
            request_id: format!("faultproxy-{action}-{n}"),
        }
    }

    /// The error answered instead of forwarding, if any, in a fixed order.
    fn refusal(
        &mut self,
        params: &Params,
        draws: &Draws,
        now: Instant,
    ) -> Option<(FaultKind, Ec2Error)> {
        let action = params.action();
        if let Some(throttle) = self.faults.throttle {
            if !self.buckets.take(action, throttle.bucket_for(action), now) {
                let error = Ec2Error::new(503, "RequestLimitExceeded", "Request limit exceeded.");
                return Some((FaultKind::Throttle, error));
            }
        }
        if self
            .faults
            .internal_error
            .is_some_and(|p| draws.internal_error < p)
        {
            let error = Ec2Error::new(500, "InternalError", "An internal error has occurred");
            return Some((FaultKind::InternalError, error));
        }
        if self
            .faults
            .unavailable
            .is_some_and(|p| draws.unavailable < p)
        {
            let error = Ec2Error::new(
                503,
                "Unavailable",
                "The server is overloaded and can't handle the request.",
            );
            return Some((FaultKind::Unavailable, error));
        }
        if self.faults.fresh_id_not_found.is_some() {
            let hidden = params
                .named_values()
                .find_map(|value| match self.fresh.get(value) {
                    Some((kind, until)) if now < *until => Some(kind.not_found(value)),
                    _ => None,
                });
            if let Some(error) = hidden {
                return Some((FaultKind::FreshIdNotFound, error));
            }
        }
        if self.faults.peering_states.is_some() && action == "AcceptVpcPeeringConnection" {
            let id = params.get("VpcPeeringConnectionId").unwrap_or("");
            if active(&self.initiating, id, now) {
                // EC2's (and moto's) answer to an Accept in the wrong state.
                let message = format!(
                    "VpcPeeringConnectionID {id} is not in the correct state for the request."
                );
                let error = Ec2Error::new(400, "InvalidStateTransition", message);
                return Some((FaultKind::PeeringStates, error));
            }
        }
        if let Some(window) = self.faults.dependency_violation {
            let guarded = GUARDED_DELETES.iter().find(|g| g.action == action)?;
            let id = params.get(guarded.parameter)?;
            let until = *self
                .deleting
                .entry(id.to_string())
                .or_insert_with(|| now + window.pick(draws.dependency_window));
            if now < until {
                let error = Ec2Error::new(400, guarded.code, (guarded.message)(id));
                return Some((FaultKind::DependencyViolation, error));
            }
        }
        None
    }

    /// moto's successful answer to `params`, edited (new windows opened,
    /// fresh items hidden, peering states rewritten).
    pub fn after(&mut self, params: &Params, draws: &Draws, body: &str, now: Instant) -> String {
        let action = params.action();
        let mut body = body.to_string();
        if let Some(kind) = IdKind::for_create(action) {
            if let Some(id) = xml::element_text(&body, kind.element()).map(str::to_string) {
                self.opened(kind, &id, draws, now);
            }
        }
        if let Some(states) = self.faults.peering_states {
            let rewritten = match action {
                "CreateVpcPeeringConnection" => self.rewrite_peering(&body, now),
                "AcceptVpcPeeringConnection" => {
                    if let Some(id) = params.get("VpcPeeringConnectionId") {
                        let until = now + states.provisioning.pick(draws.peering_window);
                        self.provisioning.insert(id.to_string(), until);
                    }
                    self.rewrite_peering(&body, now)
                }
                "DescribeVpcPeeringConnections" => {
                    Some(xml::edit_items(&body, "vpcPeeringConnectionSet", |item| {
                        Some(
                            self.rewrite_peering(item, now)
                                .unwrap_or_else(|| item.to_string()),
                        )
                    }))
                }
                _ => None,
            };
            if let Some(rewritten) = rewritten {
                body = rewritten;
            }
        }
        if self.faults.fresh_id_not_found.is_some() && params.has_filter() {
            if let Some((kind, set)) =
                IdKind::for_describe(action).and_then(|k| Some((k, k.describe()?.1)))
            {
                body = xml::edit_items(&body, set, |item| {
                    let id = xml::child_text(item, kind.element()).unwrap_or("");
                    match self.fresh.get(id) {
                        Some((_, until)) if now < *until => {
                            self.counts.hidden_items += 1;
                            self.counts.inject(FaultKind::FreshIdNotFound);
                            None
                        }
                        _ => Some(item.to_string()),
                    }
                });
            }
        }
        body
    }

    fn opened(&mut self, kind: IdKind, id: &str, draws: &Draws, now: Instant) {
        if let Some(window) = self.faults.fresh_id_not_found {
            self.fresh.insert(
                id.to_string(),
                (kind, now + window.pick(draws.fresh_window)),
            );
        }
        if let (IdKind::VpcPeeringConnection, Some(states)) = (kind, self.faults.peering_states) {
            let until = now + states.initiating_request.pick(draws.peering_window);
            self.initiating.insert(id.to_string(), until);
        }
    }

    /// A peering (item or single-peering response) shown in its transitional
    /// state while its window is open; `None` when nothing changed.
    fn rewrite_peering(&mut self, xml: &str, now: Instant) -> Option<String> {
        let id = xml::element_text(xml, "vpcPeeringConnectionId")?;
        let rewritten = if active(&self.initiating, id, now) {
            xml::rewrite_status(
                xml,
                "pending-acceptance",
                "initiating-request",
                "Initiating Request",
            )
        } else if active(&self.provisioning, id, now) {
            xml::rewrite_status(xml, "active", "provisioning", "Provisioning")
        } else {
            None
        };
        if rewritten.is_some() {
            self.counts.inject(FaultKind::PeeringStates);
        }
        rewritten
    }
}
