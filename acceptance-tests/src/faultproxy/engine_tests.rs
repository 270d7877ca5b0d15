//! The engine's windows, buckets and draws on a synthetic clock: what the
//! network tests cannot show without sleeping (windows end, buckets refill).

use std::time::{Duration, Instant};

use super::engine::{Decision, Engine};
use super::faults::{Faults, PeeringStates, Window};
use super::query::Params;
use super::throttle::{Bucket, Throttle};

fn params(body: &str) -> Params {
    Params::parse(None, format!("{body}&Version=2016-11-15").as_bytes())
}

/// The error code answered at `at`, or `None` when forwarded.
fn refused(engine: &mut Engine, body: &str, at: Instant) -> Option<&'static str> {
    match engine.before(&params(body), at).decision {
        Decision::Answer(error) => Some(error.code),
        Decision::Forward { .. } => None,
    }
}

/// Forwards `body` at `at` and feeds moto's `answer` back; the edited answer.
fn forwarded(engine: &mut Engine, body: &str, answer: &str, at: Instant) -> String {
    let plan = engine.before(&params(body), at);
    assert!(
        matches!(plan.decision, Decision::Forward { .. }),
        "{body} was refused"
    );
    engine.after(&params(body), &plan.draws, answer, at)
}

const SECOND: Duration = Duration::from_secs(1);

#[test]
fn a_fresh_id_becomes_visible_when_its_window_ends() {
    let t0 = Instant::now();
    let faults = Faults::none(1).with_fresh_id_not_found(Window::fixed(10 * SECOND));
    let mut engine = Engine::new(faults);
    let created = "<CreateVpcResponse><vpc><vpcId>vpc-1</vpcId></vpc></CreateVpcResponse>";
    forwarded(&mut engine, "Action=CreateVpc", created, t0);
    let describe = "Action=DescribeVpcs&VpcId.1=vpc-1";
    assert_eq!(
        refused(&mut engine, describe, t0 + SECOND),
        Some("InvalidVpcID.NotFound")
    );
    assert_eq!(refused(&mut engine, describe, t0 + 11 * SECOND), None);
}

#[test]
fn deletes_pass_once_the_dependency_window_ends() {
    let t0 = Instant::now();
    let faults = Faults::none(1).with_dependency_violation(Window::fixed(10 * SECOND));
    let mut engine = Engine::new(faults);
    let delete = "Action=DeleteSubnet&SubnetId=subnet-1";
    assert_eq!(
        refused(&mut engine, delete, t0),
        Some("DependencyViolation")
    );
    assert_eq!(
        refused(&mut engine, delete, t0 + 5 * SECOND),
        Some("DependencyViolation")
    );
    assert_eq!(refused(&mut engine, delete, t0 + 11 * SECOND), None);
}

#[test]
fn an_empty_bucket_refills_at_its_rate() {
    let t0 = Instant::now();
    let faults = Faults::none(1).with_throttle(Throttle::uniform(Bucket::new(1, 1.0)));
    let mut engine = Engine::new(faults);
    assert_eq!(refused(&mut engine, "Action=CreateVpc", t0), None);
    assert_eq!(
        refused(&mut engine, "Action=CreateVpc", t0),
        Some("RequestLimitExceeded")
    );
    assert_eq!(refused(&mut engine, "Action=CreateRoute", t0), None);
    assert_eq!(refused(&mut engine, "Action=CreateVpc", t0 + SECOND), None);
}

#[test]
fn a_peering_moves_on_when_its_state_windows_end() {
    let t0 = Instant::now();
    let states = PeeringStates {
        initiating_request: Window::fixed(5 * SECOND),
        provisioning: Window::fixed(5 * SECOND),
    };
    let mut engine = Engine::new(Faults::none(1).with_peering_states(states));
    let item = |code: &str| {
        format!(
            "<item><vpcPeeringConnectionId>pcx-1</vpcPeeringConnectionId>\
             <status><code>{code}</code><message>m</message></status></item>"
        )
    };
    let describe = |code: &str| {
        format!(
            "<R><vpcPeeringConnectionSet>{}</vpcPeeringConnectionSet></R>",
            item(code)
        )
    };
    let create = "Action=CreateVpcPeeringConnection&VpcId=vpc-1&PeerVpcId=vpc-2";
    let created = format!(
        "<R><vpcPeeringConnection>{}</vpcPeeringConnection></R>",
        item("pending-acceptance")
    );
    assert!(forwarded(&mut engine, create, &created, t0).contains("initiating-request"));
    let list = "Action=DescribeVpcPeeringConnections";
    let seen = forwarded(
        &mut engine,
        list,
        &describe("pending-acceptance"),
        t0 + SECOND,
    );
    assert!(seen.contains("<code>initiating-request</code>"), "{seen}");
    let accept = "Action=AcceptVpcPeeringConnection&VpcPeeringConnectionId=pcx-1";
    assert_eq!(
        refused(&mut engine, accept, t0 + SECOND),
        Some("InvalidStateTransition")
    );
    let at = t0 + 6 * SECOND;
    let accepted = format!(
        "<R><vpcPeeringConnection>{}</vpcPeeringConnection></R>",
        item("active")
    );
    assert!(forwarded(&mut engine, accept, &accepted, at).contains("<code>provisioning</code>"));
    let seen = forwarded(&mut engine, list, &describe("active"), at + SECOND);
    assert!(seen.contains("<code>provisioning</code>"), "{seen}");
    let seen = forwarded(&mut engine, list, &describe("active"), at + 6 * SECOND);
    assert!(seen.contains("<code>active</code>"), "{seen}");
}

/// Which of 32 CreateVpc calls are answered InternalError at 50 %, with
/// `noise` DescribeVpcs calls between each two.
fn decisions(seed: u64, noise: usize) -> Vec<bool> {
    let t0 = Instant::now();
    let mut engine = Engine::new(Faults::none(seed).with_internal_error(0.5));
    (0..32)
        .map(|_| {
            for _ in 0..noise {
                refused(&mut engine, "Action=DescribeVpcs", t0);
            }
            refused(&mut engine, "Action=CreateVpc", t0).is_some()
        })
        .collect()
}

#[test]
fn decisions_follow_the_seed_per_action() {
    let seven = decisions(7, 0);
    assert!(seven.contains(&true) && seven.contains(&false));
    assert_eq!(
        decisions(7, 3),
        seven,
        "other actions in between change nothing"
    );
    assert_ne!(decisions(8, 0), seven);
}

#[test]
fn only_assume_role_of_a_refused_role_is_refused() {
    let sts = |body: &str| Params::parse(None, format!("{body}&Version=2011-06-15").as_bytes());
    let mut engine = Engine::new(Faults::none(1));
    let dev = "arn:aws:iam::222222222222:role/mesh";
    let ops = "arn:aws:iam::333333333333:role/mesh";
    let assume = |role: &str| {
        sts(&format!(
            "Action=AssumeRole&RoleArn={role}&RoleSessionName=s"
        ))
    };
    assert_eq!(
        engine.refused_role(&assume(dev)),
        None,
        "nothing refused yet"
    );
    engine.set_refused_roles(&[dev]);
    assert_eq!(engine.refused_role(&assume(dev)), Some(dev.to_string()));
    assert_eq!(engine.refused_role(&assume(ops)), None, "another role");
    let identity = sts(&format!("Action=GetCallerIdentity&RoleArn={dev}"));
    assert_eq!(engine.refused_role(&identity), None, "another action");
    engine.set_refused_roles(&[]);
    assert_eq!(engine.refused_role(&assume(dev)), None, "allowed again");
}
