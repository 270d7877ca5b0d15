//! `FakeEc2`: an in-memory [`Ec2`](super::Ec2) with AWS semantics, for unit tests of
//! the executor and everything above it.
//!
//! What it models: ids per prefix (`vpc-0001`, `subnet-0001`, `pcx-0001`...), tags,
//! regions (an object is only visible from its own region; a peering from both of its
//! regions), a main route table and a `default` security group per VPC, the peering state
//! machine (`pending-acceptance` -> `active` on accept -> `deleted`; overlapping CIDRs
//! -> `failed`), accept from the wrong region = `OperationNotPermitted`, DNS options only
//! once active, `DependencyViolation` on deleting non-empty VPCs, attached gateways or
//! associated route tables, a detached internet gateway `detaching` for a few looks
//! ([`FakeEc2::set_detach_lag`]), routes turning `blackhole` when their target is gone, and
//! NotFound on unknown ids (deletes of unknown ids succeed, as NotFound means done).
//!
//! Time does not pass inside the fake: states change only by calls, so `wait_peering`
//! checks once and answers `Timeout` if the target is not reached yet.
//!
//! Testing aids: fault injection per action and call number ([`FakeEc2::fail_on`],
//! [`FakeEc2::fail_next`] for the next few calls,
//! [`FakeEc2::fail_after_on`] for a lost response, [`FakeEc2::fail_always_on`]), a call
//! log ([`FakeEc2::calls`]: action and target, see below), an optional latency with a
//! high-water mark of calls in flight, and out-of-band mutations for drift tests
//! (`fake/drift.rs`) and instances (`fake/instances.rs`: the mesh never launches any,
//! tests run, stop and start them out of band).
//!
//! Call targets: creates name what they create from (`CreateVpc`: the CIDR,
//! `CreateSubnet`: the CIDR, `CreateRouteTable`: the VPC id, `CreateInternetGateway`: the
//! region, `CreateSecurityGroup`: `vpc-id/name`, `CreateVpcPeeringConnection`:
//! `vpc-id:peer-vpc-id`); two-object calls join ids with a space (`rtb-0001 10.2.0.0/16`,
//! `igw-0001 vpc-0001`, `rtb-0001 subnet-0001`); Describe calls of `inventory` name the
//! region; `CreateTags`/`DeleteTags` join the resource ids with `,`; everything else
//! names the id it acts on.

pub mod accounts;
mod drift;
mod instances;
mod inventory;
mod ipv6;
mod peering;
mod routing;
mod state;
#[cfg(test)]
mod tests;
mod trait_impl;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use super::{Action, Ec2Error};
use state::State;

pub const FAKE_ACCOUNT_ID: &str = "123456789012";

struct Fault {
    action: Action,
    /// 1-based call number of `action`; `None` fails every call.
    nth: Option<usize>,
    err: Ec2Error,
    /// Perform the call, then fail: the caller never learns the result.
    after: bool,
}

#[derive(Default)]
struct Inner {
    state: State,
    calls: Vec<(Action, String)>,
    counts: BTreeMap<Action, usize>,
    faults: Vec<Fault>,
}

pub struct FakeEc2 {
    inner: Mutex<Inner>,
    account_id: String,
    latency: Mutex<Duration>,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
}

impl Default for FakeEc2 {
    fn default() -> Self {
        Self::new()
    }
}

impl FakeEc2 {
    pub fn new() -> Self {
        Self::with_account_id(FAKE_ACCOUNT_ID)
    }

    pub fn with_account_id(account_id: &str) -> Self {
        FakeEc2 {
            inner: Mutex::new(Inner::default()),
            account_id: account_id.to_string(),
            latency: Mutex::new(Duration::ZERO),
            in_flight: AtomicUsize::new(0),
            max_in_flight: AtomicUsize::new(0),
        }
    }

    /// The `nth` call (counting from 1, over the fake's lifetime) of `action` fails with
    /// `err` without doing anything.
    pub fn fail_on(&self, action: Action, nth: usize, err: Ec2Error) {
        self.add_fault(action, Some(nth), err, false);
    }

    /// The `nth` call of `action` is performed, then answers `err`: a lost response.
    pub fn fail_after_on(&self, action: Action, nth: usize, err: Ec2Error) {
        self.add_fault(action, Some(nth), err, true);
    }

    /// The next `times` calls of `action` fail with `err` without doing anything, e.g.
    /// a delete refused with `DependencyViolation` while something lingers.
    pub fn fail_next(&self, action: Action, times: usize, err: Ec2Error) {
        let done = self.count(action);
        for n in done + 1..=done + times {
            self.add_fault(action, Some(n), err.clone(), false);
        }
    }

    /// Every call of `action` from now on fails with `err` without doing anything.
    pub fn fail_always_on(&self, action: Action, err: Ec2Error) {
        self.add_fault(action, None, err, false);
    }

    /// From now on a detached internet gateway stays `detaching` for the next `looks`
    /// DescribeInternetGateways of it (and cannot be deleted until then), as in AWS.
    pub fn set_detach_lag(&self, looks: usize) {
        self.lock().state.detach_lag = looks;
    }

    /// Forgets all faults not triggered yet.
    pub fn clear_faults(&self) {
        self.lock().faults.clear();
    }

    fn add_fault(&self, action: Action, nth: Option<usize>, err: Ec2Error, after: bool) {
        assert!(nth != Some(0), "call numbers count from 1");
        self.lock().faults.push(Fault {
            action,
            nth,
            err,
            after,
        });
    }

    /// Every call so far, in order: (action, target).
    pub fn calls(&self) -> Vec<(Action, String)> {
        self.lock().calls.clone()
    }

    /// How many times `action` was called (including calls that failed).
    pub fn count(&self, action: Action) -> usize {
        self.lock().counts.get(&action).copied().unwrap_or(0)
    }

    /// Empties the call log; call numbers for faults keep counting.
    pub fn clear_calls(&self) {
        self.lock().calls.clear();
    }

    /// Every call sleeps this long (tokio time) before it acts, so tests can observe
    /// concurrency through [`FakeEc2::max_in_flight`].
    pub fn set_latency(&self, latency: Duration) {
        *self.latency.lock().unwrap_or_else(|e| e.into_inner()) = latency;
    }

    /// The most calls that were in flight at the same time.
    pub fn max_in_flight(&self) -> usize {
        self.max_in_flight.load(Ordering::SeqCst)
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Runs one API call: logs it, applies latency and faults, then `op` on the state.
    async fn call<T>(
        &self,
        action: Action,
        target: impl Into<String>,
        op: impl FnOnce(&mut State) -> Result<T, Ec2Error>,
    ) -> Result<T, Ec2Error> {
        let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        self.max_in_flight.fetch_max(now, Ordering::SeqCst);
        let latency = *self.latency.lock().unwrap_or_else(|e| e.into_inner());
        if !latency.is_zero() {
            tokio::time::sleep(latency).await;
        }
        let result = self.call_now(action, target.into(), op);
        self.in_flight.fetch_sub(1, Ordering::SeqCst);
        result
    }

    fn call_now<T>(
        &self,
        action: Action,
        target: String,
        op: impl FnOnce(&mut State) -> Result<T, Ec2Error>,
    ) -> Result<T, Ec2Error> {
        let mut inner = self.lock();
        inner.calls.push((action, target));
        let n = {
            let count = inner.counts.entry(action).or_default();
            *count += 1;
            *count
        };
        let hit = inner
            .faults
            .iter()
            .position(|f| f.action == action && f.nth.is_none_or(|k| k == n));
        let fault = hit.map(|i| {
            if inner.faults[i].nth.is_some() {
                let f = inner.faults.remove(i);
                (f.err, f.after)
            } else {
                (inner.faults[i].err.clone(), inner.faults[i].after)
            }
        });
        match fault {
            Some((err, false)) => Err(err),
            Some((err, true)) => {
                op(&mut inner.state)?;
                Err(err)
            }
            None => op(&mut inner.state),
        }
    }
}
