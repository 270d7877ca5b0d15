//! What the proxy injects: [`Faults`], one optional setting per [`FaultKind`],
//! with presets ([`Faults::none`], [`Faults::bad_day`]) and builders.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use super::throttle::Throttle;

/// The closed set of fault kinds, for switching ([`Faults::only`]) and counting.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FaultKind {
    /// Per-action token buckets answering `RequestLimitExceeded` (HTTP 503).
    Throttle,
    /// `InternalError` (HTTP 500) without forwarding.
    InternalError,
    /// `Unavailable` (HTTP 503) without forwarding.
    Unavailable,
    /// Forwarded (the call takes effect), then the connection is closed unanswered.
    LostResponse,
    /// Fresh ids answer `Invalid*ID.NotFound` and are left out of filtered Describes.
    FreshIdNotFound,
    /// Peerings shown `initiating-request`, then `provisioning`, for a while.
    PeeringStates,
    /// Deletes answer `DependencyViolation` (`InvalidGroup.InUse`) for a while.
    DependencyViolation,
    /// Added delay per request.
    Latency,
}

impl FaultKind {
    pub const ALL: [FaultKind; 8] = [
        FaultKind::Throttle,
        FaultKind::InternalError,
        FaultKind::Unavailable,
        FaultKind::LostResponse,
        FaultKind::FreshIdNotFound,
        FaultKind::PeeringStates,
        FaultKind::DependencyViolation,
        FaultKind::Latency,
    ];

    /// The kebab-case name used by the CLI and the counts' summary.
    pub fn name(self) -> &'static str {
        match self {
            FaultKind::Throttle => "throttle",
            FaultKind::InternalError => "internal-error",
            FaultKind::Unavailable => "unavailable",
            FaultKind::LostResponse => "lost-response",
            FaultKind::FreshIdNotFound => "fresh-id-not-found",
            FaultKind::PeeringStates => "peering-states",
            FaultKind::DependencyViolation => "dependency-violation",
            FaultKind::Latency => "latency",
        }
    }
}

impl fmt::Display for FaultKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for FaultKind {
    type Err = String;
    fn from_str(s: &str) -> Result<FaultKind, String> {
        FaultKind::ALL
            .into_iter()
            .find(|kind| kind.name() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = FaultKind::ALL.iter().map(|k| k.name()).collect();
                format!("unknown fault kind `{s}` (known: {})", names.join(", "))
            })
    }
}

/// A random duration drawn uniformly from `min..=max`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Window {
    pub min: Duration,
    pub max: Duration,
}

impl Window {
    pub fn between(min: Duration, max: Duration) -> Window {
        Window { min, max }
    }
    /// `0..=max`.
    pub fn up_to(max: Duration) -> Window {
        Window::between(Duration::ZERO, max)
    }
    /// Always exactly `length` (deterministic tests).
    pub fn fixed(length: Duration) -> Window {
        Window::between(length, length)
    }
    /// The duration for a uniform draw `unit` in `0..1`.
    pub(crate) fn pick(&self, unit: f64) -> Duration {
        let span = self.max.saturating_sub(self.min);
        self.min + span.mul_f64(unit.clamp(0.0, 1.0))
    }
}

/// How long a new peering shows each transitional state.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PeeringStates {
    /// After CreateVpcPeeringConnection: `initiating-request` (Accept refused).
    pub initiating_request: Window,
    /// After AcceptVpcPeeringConnection: `provisioning`.
    pub provisioning: Window,
}

/// The faults to inject; `None` switches a kind off. Every random decision
/// comes from `seed` (see the module docs for what "the same" means).
#[derive(Clone, Debug, PartialEq)]
pub struct Faults {
    pub seed: u64,
    pub throttle: Option<Throttle>,
    /// Probability per request.
    pub internal_error: Option<f64>,
    /// Probability per request.
    pub unavailable: Option<f64>,
    /// Probability per request.
    pub lost_response: Option<f64>,
    /// How long a created id stays invisible.
    pub fresh_id_not_found: Option<Window>,
    pub peering_states: Option<PeeringStates>,
    /// How long deletes of an id fail after its first delete.
    pub dependency_violation: Option<Window>,
    /// Delay added to each request.
    pub latency: Option<Window>,
}

impl Faults {
    /// Plain pass-through.
    pub fn none(seed: u64) -> Faults {
        Faults {
            seed,
            throttle: None,
            internal_error: None,
            unavailable: None,
            lost_response: None,
            fresh_id_not_found: None,
            peering_states: None,
            dependency_violation: None,
            latency: None,
        }
    }

    /// EC2 on a bad day: every kind on, sized for a 4-VPC apply that still
    /// finishes in well under a minute with a client that retries well.
    pub fn bad_day(seed: u64) -> Faults {
        let ms = Duration::from_millis;
        Faults {
            seed,
            throttle: Some(Throttle::tight()),
            internal_error: Some(0.02),
            unavailable: Some(0.02),
            lost_response: Some(0.03),
            fresh_id_not_found: Some(Window::up_to(ms(2000))),
            peering_states: Some(PeeringStates {
                initiating_request: Window::up_to(ms(3000)),
                provisioning: Window::up_to(ms(3000)),
            }),
            dependency_violation: Some(Window::up_to(ms(3000))),
            latency: Some(Window::between(ms(5), ms(50))),
        }
    }

    /// Whether `kind` is switched on.
    pub fn is_on(&self, kind: FaultKind) -> bool {
        match kind {
            FaultKind::Throttle => self.throttle.is_some(),
            FaultKind::InternalError => self.internal_error.is_some(),
            FaultKind::Unavailable => self.unavailable.is_some(),
            FaultKind::LostResponse => self.lost_response.is_some(),
            FaultKind::FreshIdNotFound => self.fresh_id_not_found.is_some(),
            FaultKind::PeeringStates => self.peering_states.is_some(),
            FaultKind::DependencyViolation => self.dependency_violation.is_some(),
            FaultKind::Latency => self.latency.is_some(),
        }
    }

    /// Switches `kind` off.
    pub fn without(mut self, kind: FaultKind) -> Faults {
        match kind {
            FaultKind::Throttle => self.throttle = None,
            FaultKind::InternalError => self.internal_error = None,
            FaultKind::Unavailable => self.unavailable = None,
            FaultKind::LostResponse => self.lost_response = None,
            FaultKind::FreshIdNotFound => self.fresh_id_not_found = None,
            FaultKind::PeeringStates => self.peering_states = None,
            FaultKind::DependencyViolation => self.dependency_violation = None,
            FaultKind::Latency => self.latency = None,
        }
        self
    }

    /// Keeps only `kinds` (with their current settings) switched on.
    pub fn only(self, kinds: &[FaultKind]) -> Faults {
        FaultKind::ALL
            .into_iter()
            .filter(|kind| !kinds.contains(kind))
            .fold(self, Faults::without)
    }

    pub fn with_seed(mut self, seed: u64) -> Faults {
        self.seed = seed;
        self
    }
    pub fn with_throttle(mut self, throttle: Throttle) -> Faults {
        self.throttle = Some(throttle);
        self
    }
    pub fn with_internal_error(mut self, probability: f64) -> Faults {
        self.internal_error = Some(probability);
        self
    }
    pub fn with_unavailable(mut self, probability: f64) -> Faults {
        self.unavailable = Some(probability);
        self
    }
    pub fn with_lost_response(mut self, probability: f64) -> Faults {
        self.lost_response = Some(probability);
        self
    }
    pub fn with_fresh_id_not_found(mut self, window: Window) -> Faults {
        self.fresh_id_not_found = Some(window);
        self
    }
    pub fn with_peering_states(mut self, states: PeeringStates) -> Faults {
        self.peering_states = Some(states);
        self
    }
    pub fn with_dependency_violation(mut self, window: Window) -> Faults {
        self.dependency_violation = Some(window);
        self
    }
    pub fn with_latency(mut self, window: Window) -> Faults {
        self.latency = Some(window);
        self
    }
}
