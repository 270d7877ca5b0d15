# Hub and spoke: every VPC peers with the hub `shared` only. Peering is not transitive,
# so the spokes cannot reach each other: `reachability` shows it before anything exists.

terraform {
  required_providers {
    peering = {
      source = "peeringmesh/peering"
    }
  }
}

variable "region" {
  description = "AWS region of the mesh."
  type        = string
  default     = "eu-west-2"
}

variable "ec2_endpoint" {
  description = "EC2 endpoint URL, e.g. http://127.0.0.1:5000 for a local moto server. Null: the real EC2."
  type        = string
  default     = null
}

variable "sts_endpoint" {
  description = "STS endpoint URL; moto serves STS on the same port as EC2, so give it the same URL. Null: AWS's STS."
  type        = string
  default     = null
}

provider "peering" {
  region    = var.region
  endpoints = { ec2 = var.ec2_endpoint, sts = var.sts_endpoint }
}

resource "peering_mesh" "hub" {
  name = "hub-lab"

  vpcs = {
    shared = {
      cidr_block = "10.4.0.0/16"
      subnets    = { services = { cidr_block = "10.4.1.0/24" } }
    }
    production = {
      cidr_block = "10.1.0.0/16"
      subnets    = { private = { cidr_block = "10.1.2.0/24" } }
    }
    development = {
      cidr_block = "10.2.0.0/16"
      subnets    = { private = { cidr_block = "10.2.1.0/24" } }
    }
    testing = {
      cidr_block = "10.3.0.0/16"
      subnets    = { private = { cidr_block = "10.3.1.0/24" } }
    }
  }

  topology          = "hub_and_spoke"
  hub               = "shared"
  ssh_ingress_cidrs = ["10.4.1.0/24"]
  dns_resolution    = true
}

output "peerings" {
  description = "Three peerings, each between a spoke and the hub."
  value       = peering_mesh.hub.peerings
}

output "reachability" {
  description = "The hub reaches every spoke; each spoke reaches only the hub."
  value       = peering_mesh.hub.reachability
}

output "route_table_ids" {
  description = "Route tables holding the peer routes, by \"vpc/subnet\" (e.g. \"shared/services\")."
  value       = peering_mesh.hub.route_table_ids
}
