//! Injecting each fault through the EC2 API, and undoing it after its scenario.

use acceptance_tests::ec2check::Ec2Check;

use crate::ec2calls::{authorize, icmp_from, ok, put_route, revoke};
use crate::faults::{Fault, Kind};
use crate::world::{Shape, World, OPS_CIDR};

/// The CIDR an ICMP rule is narrowed to: a /24 of the source VPC without its host.
fn narrowed(a: usize) -> String {
    format!("10.{}.250.0/24", a + 1)
}

fn pair(a: usize, b: usize) -> (usize, usize) {
    (a.min(b), a.max(b))
}

pub fn inject(ec2: &Ec2Check, w: &mut World, f: &Fault) {
    let c = ec2.client();
    let (va, vb) = (w.vpcs[f.a].clone(), w.vpcs[f.b].clone());
    match f.kind {
        Kind::PeeringDeleted => delete_peering(ec2, &w.peerings[&(f.a, f.b)]),
        Kind::PeeringRejected | Kind::PeeringPending => {
            delete_peering(ec2, &w.peerings[&(f.a, f.b)]);
            let key = format!("pcx/{}", w.pair_key(f.a, f.b));
            let pcx = w.peer(ec2, &va.id, &vb.id, Some(&key), false);
            put_route(ec2, &va.table, &vb.cidr, &pcx, true);
            put_route(ec2, &vb.table, &va.cidr, &pcx, true);
            if f.kind == Kind::PeeringRejected {
                ok(
                    "RejectVpcPeeringConnection",
                    ec2.block_on(
                        c.reject_vpc_peering_connection()
                            .vpc_peering_connection_id(&pcx)
                            .send(),
                    ),
                );
            }
        }
        Kind::RouteRemoved => {
            ec2.delete_route(&va.table, &vb.cidr);
        }
        Kind::RouteBlackholed => {
            // A peering of the table's VPC that existed and was deleted: EC2 keeps a
            // route to it as a blackhole.
            let gone = w.peer(ec2, &va.id, &w.ops_vpc, None, true);
            delete_peering(ec2, &gone);
            put_route(ec2, &va.table, &vb.cidr, &gone, true);
        }
        Kind::RouteWrongPeering => {
            let ops = ops_peering(ec2, w, f.a);
            put_route(ec2, &va.table, &vb.cidr, &ops, true);
        }
        Kind::IcmpRevoked => revoke(ec2, &vb.group, vec![icmp_from(&va.cidr)]),
        Kind::IcmpNarrowed => {
            revoke(ec2, &vb.group, vec![icmp_from(&va.cidr)]);
            authorize(ec2, &vb.group, vec![icmp_from(&narrowed(f.a))]);
        }
        Kind::GroupDetached => w.set_groups(ec2, f.b, &[&vb.ssh_group]),
        Kind::InstanceStopped => {
            ok(
                "StopInstances",
                ec2.block_on(c.stop_instances().instance_ids(&vb.instance).send()),
            );
        }
        Kind::TransitiveRoute => {
            let Shape::HubAndSpoke { hub } = w.shape else {
                unreachable!("drawn for hub and spoke only")
            };
            let via = w.peerings[&pair(f.a, hub)].clone();
            put_route(ec2, &va.table, &vb.cidr, &via, false);
        }
    }
}

pub fn undo(ec2: &Ec2Check, w: &mut World, f: &Fault) {
    let c = ec2.client();
    let (va, vb) = (w.vpcs[f.a].clone(), w.vpcs[f.b].clone());
    match f.kind {
        Kind::PeeringDeleted | Kind::PeeringRejected | Kind::PeeringPending => {
            if f.kind == Kind::PeeringPending {
                let pending = ec2
                    .peerings()
                    .into_iter()
                    .filter(|p| p.status == "pending-acceptance");
                for p in
                    pending.filter(|p| p.requester_vpc_id == va.id && p.accepter_vpc_id == vb.id)
                {
                    delete_peering(ec2, &p.id);
                }
            }
            w.connect(ec2, f.a, f.b);
        }
        Kind::RouteRemoved => put_route(
            ec2,
            &va.table,
            &vb.cidr,
            &w.peerings[&pair(f.a, f.b)],
            false,
        ),
        Kind::RouteBlackholed | Kind::RouteWrongPeering => {
            put_route(ec2, &va.table, &vb.cidr, &w.peerings[&pair(f.a, f.b)], true)
        }
        Kind::IcmpRevoked => authorize(ec2, &vb.group, vec![icmp_from(&va.cidr)]),
        Kind::IcmpNarrowed => {
            revoke(ec2, &vb.group, vec![icmp_from(&narrowed(f.a))]);
            authorize(ec2, &vb.group, vec![icmp_from(&va.cidr)]);
        }
        Kind::GroupDetached => w.set_groups(ec2, f.b, &[&vb.group, &vb.ssh_group]),
        Kind::InstanceStopped => {
            ok(
                "StartInstances",
                ec2.block_on(c.start_instances().instance_ids(&vb.instance).send()),
            );
        }
        Kind::TransitiveRoute => {
            ec2.delete_route(&va.table, &vb.cidr);
        }
    }
}

fn delete_peering(ec2: &Ec2Check, id: &str) {
    ec2.delete_peering(id);
}

/// The live peering between VPC `n` and the operations VPC (its route to OPS_CIDR).
fn ops_peering(ec2: &Ec2Check, w: &World, n: usize) -> String {
    let table = ec2
        .route_tables()
        .into_iter()
        .find(|t| t.id == w.vpcs[n].table)
        .expect("the host's table");
    let route = table
        .routes
        .iter()
        .find(|r| r.destination.as_deref() == Some(OPS_CIDR))
        .expect("route to the operations VPC");
    route.peering_id.clone().expect("through a peering")
}
