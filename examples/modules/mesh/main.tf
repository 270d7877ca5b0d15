# A mesh of VPCs, probed after every apply: peering_mesh, the peering_connectivity data
# source, and a check block that warns when a probed host does not answer.

terraform {
  # `check` blocks need Terraform 1.5.
  required_version = ">= 1.5"
  required_providers {
    peering = {
      source = "peeringmesh/peering"
    }
  }
}

resource "peering_mesh" "this" {
  name              = var.name
  vpcs              = var.vpcs
  topology          = var.topology
  hub               = var.hub
  connections       = var.connections
  ssh_ingress_cidrs = var.ssh_ingress_cidrs
  tags              = var.tags
}

# Probes go out from the machine running Terraform (local transport). Read after the
# mesh is applied: `mesh_id` is known only then, and with it failures name the broken
# component of the mesh.
data "peering_connectivity" "this" {
  count = length(var.probe_hosts) > 0 ? 1 : 0

  hosts      = var.probe_hosts
  mesh_id    = peering_mesh.this.id
  echo_count = var.probe_echo_count
  timeout_ms = var.probe_timeout_ms
}

check "connectivity" {
  assert {
    condition     = alltrue(data.peering_connectivity.this[*].all_reachable)
    error_message = "Hosts not answering: ${join(", ", flatten(data.peering_connectivity.this[*].unreachable))}."
  }
}
