terraform {
  required_providers {
    peering = {
      source = "peeringmesh/peering"
    }
  }
}

# The connectivity data source needs no AWS credentials: probes go out from the
# machine running Terraform.
provider "peering" {}

variable "hosts" {
  description = "Hosts to probe: name => IPv4 or IPv6 address."
  type        = map(string)
  default = {
    loopback  = "127.0.0.1"
    loopback6 = "::1"
  }
}

data "peering_connectivity" "check" {
  hosts      = var.hosts
  echo_count = 2
  timeout_ms = 1000
}

output "report" {
  value = data.peering_connectivity.check.report
}

output "all_reachable" {
  value = data.peering_connectivity.check.all_reachable
}

output "unreachable" {
  value = data.peering_connectivity.check.unreachable
}

output "results" {
  value = data.peering_connectivity.check.results
}
