//! DNS hostnames of the mesh's own VPCs: turned on at create, so a VPC of the mesh
//! where the inventory read them off (someone changed the attribute) gets them back.
//! Adopted VPCs are left as their owner set them (their attribute is not read).

use super::build::Builder;
use super::Op;
use crate::mesh::key::Key;

impl Builder<'_> {
    pub(super) fn dns_hostnames(&mut self) {
        let d = self.d;
        for (name, want) in &d.vpcs {
            if want.adopted_id.is_some() {
                continue;
            }
            // A VPC this plan creates gets DNS hostnames with its creation.
            let Some(id) = self.known.get(&Key::Vpc(name.clone())) else {
                continue;
            };
            let off = self
                .ix
                .tagged
                .vpcs
                .iter()
                .any(|v| v.id == *id && v.dns_hostnames == Some(false));
            if off {
                let op = Op::EnableDnsHostnames {
                    vpc: name.clone(),
                    region: want.region.clone(),
                };
                self.g.add(op, []);
            }
        }
    }
}
