//! The computed `ipv6_cidr_block`s. EC2 picks a VPC's /56, so at plan time a block is
//! known only when the VPC holds one already; a subnet's /64 follows from it and the
//! subnet's index, so it is known exactly when its VPC's block is.

use tfplugin::value::Value;

use super::{Builder, Mode};
use crate::ec2::types::{SubnetObs, VpcObs};
use crate::mesh::desired::{subnet_indexes, subnet_ipv6_cidr};
use crate::mesh::key::Key;

impl Builder<'_, '_> {
    /// The VPC's block: observed (apply, read); at plan the held block when it stays.
    pub(super) fn vpc_ipv6(&self, name: &str, observed: Option<&VpcObs>, tainted: bool) -> Value {
        let held = observed.and_then(|v| v.ipv6_cidr);
        if self.f.mode == Mode::Observe {
            return held.map_or(Value::Null, |b| Value::from(b.to_string()));
        }
        let spec = &self.f.mesh.vpcs[name];
        let stale = self.f.stale.contains(&Key::Vpc(name.to_string()));
        match (spec.ipv6, held) {
            (false, _) if !tainted => Value::Null,
            (true, Some(block)) if !tainted && !stale => Value::from(block.to_string()),
            _ => Value::Unknown,
        }
    }

    /// The subnet's /64: observed (apply, read); at plan the one its index picks in
    /// the VPC's block, when that block is known and the subnet (if it exists) holds it
    /// already (else it is about to change: unknown).
    pub(super) fn subnet_ipv6(
        &self,
        vpc: &str,
        sub: &str,
        observed: Option<&SubnetObs>,
        vpc_block: &Value,
    ) -> Value {
        if self.f.mode == Mode::Observe {
            let held = observed.and_then(|s| s.ipv6_cidr);
            return held.map_or(Value::Null, |b| Value::from(b.to_string()));
        }
        let Some(block) = vpc_block.as_str().and_then(|b| b.parse().ok()) else {
            return vpc_block.clone();
        };
        let want = subnet_indexes(self.f.mesh, vpc)
            .get(sub)
            .copied()
            .flatten()
            .map(|index| subnet_ipv6_cidr(block, index));
        match (want, observed) {
            (Some(want), Some(s)) if s.ipv6_cidr != Some(want) => Value::Unknown,
            (Some(want), _) => Value::from(want.to_string()),
            (None, _) => Value::Unknown,
        }
    }
}
