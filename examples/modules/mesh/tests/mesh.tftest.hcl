# Creates a real mesh: against a local EC2 emulator (moto on port 5000), run
#   AWS_ENDPOINT_URL=http://127.0.0.1:5000 AWS_ACCESS_KEY_ID=testing \
#     AWS_SECRET_ACCESS_KEY=testing terraform test
# Without AWS_ENDPOINT_URL it runs against the AWS account of your credentials (3 VPCs,
# one internet gateway, destroyed at the end).

variables {
  name = "module-test"
  vpcs = {
    alpha = { cidr_block = "10.10.0.0/16", subnets = { private = { cidr_block = "10.10.1.0/24" } } }
    beta  = { cidr_block = "10.20.0.0/16", subnets = { public = { cidr_block = "10.20.1.0/24", public = true } } }
    gamma = { cidr_block = "10.30.0.0/16", subnets = { private = { cidr_block = "10.30.1.0/24" } } }
  }
  # Loopback answers on every machine: the probes never leave it.
  probe_hosts = { loopback = "127.0.0.1" }
}

# EC2 and STS endpoints come from AWS_ENDPOINT_URL when it is set.
provider "peering" {
  region = "us-east-1"
}

run "plan_knows_the_topology_and_the_keys" {
  command = plan
  # Probes wait for the mesh's id: a plan alone cannot evaluate the check.
  variables {
    probe_hosts = {}
  }

  assert {
    condition     = peering_mesh.this.reachability["alpha"] == tolist(["beta", "gamma"])
    error_message = "A full mesh: alpha reaches beta and gamma."
  }
  assert {
    condition     = keys(peering_mesh.this.vpc_ids) == tolist(["alpha", "beta", "gamma"])
    error_message = "vpc_ids is keyed by VPC name already at plan time."
  }
  assert {
    condition     = keys(peering_mesh.this.subnet_ids) == tolist(["alpha/private", "beta/public", "gamma/private"])
    error_message = "subnet_ids is keyed by vpc/subnet."
  }
}

run "apply_fills_every_id_and_probes" {
  assert {
    condition     = alltrue([for id in values(output.vpc_ids) : startswith(id, "vpc-")])
    error_message = "Every VPC id is known after the apply: ${jsonencode(output.vpc_ids)}"
  }
  assert {
    condition     = alltrue([for id in values(output.security_group_ids) : startswith(id, "sg-")]) && length(output.security_group_ids) == 3
    error_message = "One security group per VPC: ${jsonencode(output.security_group_ids)}"
  }
  assert {
    condition     = keys(output.internet_gateway_ids) == tolist(["beta"]) && startswith(output.internet_gateway_ids["beta"], "igw-")
    error_message = "Only beta has a public subnet, so only beta has a gateway."
  }
  assert {
    condition     = alltrue([for id in values(output.route_table_ids) : startswith(id, "rtb-")]) && length(output.route_table_ids) == 3
    error_message = "One route table per subnet: ${jsonencode(output.route_table_ids)}"
  }
  assert {
    condition     = length(output.peerings) == 3 && alltrue([for p in values(output.peerings) : p.status == "active"])
    error_message = "Three active peerings: ${jsonencode(output.peerings)}"
  }
  assert {
    condition     = output.all_reachable && strcontains(output.connectivity_report, "loopback")
    error_message = "The loopback host answers: ${coalesce(output.connectivity_report, "no report")}"
  }
}

run "hub_and_spoke_keeps_the_vpcs" {
  variables {
    topology = "hub_and_spoke"
    hub      = "alpha"
  }

  assert {
    condition     = keys(output.peerings) == tolist(["alpha:beta", "alpha:gamma"])
    error_message = "Spokes peer with the hub only: ${jsonencode(keys(output.peerings))}"
  }
  assert {
    condition     = output.reachability["beta"] == tolist(["alpha"])
    error_message = "Peering is not transitive: beta reaches alpha only."
  }
  assert {
    condition     = output.vpc_ids == run.apply_fills_every_id_and_probes.vpc_ids
    error_message = "A topology change keeps every VPC."
  }
}

run "a_host_that_does_not_answer_fails_the_check" {
  variables {
    # 0.0.0.0/8 is no destination: the kernel refuses the echo request, which never
    # leaves the machine, and the host counts as not answering.
    probe_hosts = { nowhere = "0.0.0.1" }
  }

  expect_failures = [check.connectivity]

  assert {
    condition     = !output.all_reachable
    error_message = "A host that does not answer makes all_reachable false."
  }
}
