//! The step graph under construction. Nodes are added in whatever order the planner
//! finds them and edges may point forward; `into_steps` orders them topologically,
//! deletions first and then creations in the order AWS needs (VPC, its parts, peerings,
//! routes), breaking ties by insertion order so the result is deterministic.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::{Op, Step, StepId};

#[derive(Default)]
pub(super) struct Graph {
    ops: Vec<Op>,
    after: Vec<Vec<usize>>,
}

impl Graph {
    /// Adds a step after the given ones (`None`s are ignored: components that exist).
    pub fn add(&mut self, op: Op, after: impl IntoIterator<Item = Option<usize>>) -> usize {
        self.ops.push(op);
        self.after.push(after.into_iter().flatten().collect());
        self.ops.len() - 1
    }

    pub fn edge(&mut self, node: usize, after: usize) {
        self.after[node].push(after);
    }

    /// The steps added so far whose op matches.
    pub fn matching(&self, pred: impl Fn(&Op) -> bool) -> Vec<usize> {
        (0..self.ops.len())
            .filter(|&i| pred(&self.ops[i]))
            .collect()
    }

    pub fn into_steps(self) -> Vec<Step> {
        let n = self.ops.len();
        let mut dependants: Vec<Vec<usize>> = vec![Vec::new(); n];
        let mut waiting: Vec<usize> = vec![0; n];
        let mut after = self.after;
        for (node, deps) in after.iter_mut().enumerate() {
            deps.sort_unstable();
            deps.dedup();
            waiting[node] = deps.len();
            for &d in deps.iter() {
                dependants[d].push(node);
            }
        }
        let order_of = |node: usize| Reverse((rank(&self.ops[node]), node));
        let mut ready: BinaryHeap<Reverse<(u8, usize)>> =
            (0..n).filter(|&i| waiting[i] == 0).map(order_of).collect();
        let mut position: Vec<Option<StepId>> = vec![None; n];
        let mut order = Vec::with_capacity(n);
        while let Some(Reverse((_, node))) = ready.pop() {
            position[node] = Some(order.len());
            order.push(node);
            for &next in &dependants[node] {
                waiting[next] -= 1;
                if waiting[next] == 0 {
                    ready.push(order_of(next));
                }
            }
        }
        assert_eq!(order.len(), n, "the planner built a cyclic step graph");
        let mut ops: Vec<Option<Op>> = self.ops.into_iter().map(Some).collect();
        order
            .into_iter()
            .map(|node| {
                let mut deps: Vec<StepId> = after[node]
                    .iter()
                    .map(|&d| position[d].expect("ordered before"))
                    .collect();
                deps.sort_unstable();
                Step {
                    op: ops[node].take().expect("each node once"),
                    after: deps,
                }
            })
            .collect()
    }
}

/// Deletions in reverse order of creation, then creations.
fn rank(op: &Op) -> u8 {
    match op {
        Op::DeleteRoute { .. } => 0,
        Op::DeletePeering(_) => 1,
        Op::RevokeIngress { .. } => 2,
        Op::DisassociateSubnetIpv6 { .. } => 2,
        Op::DisassociateVpcIpv6 { .. } => 2,
        Op::DeleteSecurityGroup(_) => 3,
        Op::DisassociateRouteTable { .. } => 4,
        Op::DeleteRouteTable(_) => 5,
        Op::DeleteSubnet(_) => 6,
        Op::DetachInternetGateway { .. } => 7,
        Op::DeleteInternetGateway(_) => 8,
        Op::DeleteVpc(_) => 9,
        Op::SetTags { .. } | Op::EnableDnsHostnames { .. } => 10,
        Op::CreateVpc { .. } => 11,
        Op::FindMainRouteTable { .. } => 12,
        Op::CreateSubnet { .. } | Op::AssociateVpcIpv6 { .. } => 13,
        Op::AssociateSubnetIpv6 { .. } => 14,
        Op::CreateRouteTable { .. } => 14,
        Op::CreateSecurityGroup { .. } => 15,
        Op::CreateInternetGateway { .. } => 16,
        Op::AssociateRouteTable { .. } => 17,
        Op::AttachInternetGateway { .. } => 18,
        Op::AuthorizeIngress { .. } => 19,
        Op::CreatePeering { .. } => 20,
        Op::AcceptPeering { .. } => 21,
        Op::WaitPeeringActive { .. } => 22,
        Op::SetPeeringDns { .. } => 23,
        Op::PutRoute { .. } => 24,
    }
}
