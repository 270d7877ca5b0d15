# A mesh over three AWS accounts and two regions: the provider's own account holds
# `shared`, account `dev` (reached through a role) holds `development`, account `ops`
# holds `testing` in another region. Each peering across accounts is requested by one
# account and accepted by the other.

terraform {
  required_providers {
    peering = {
      source = "peeringmesh/peering"
    }
  }
}

variable "region" {
  description = "AWS region of the provider's own account, and of VPCs without a region."
  type        = string
  default     = "us-east-1"
}

variable "dev_role_arn" {
  description = "Role the provider assumes in the dev account."
  type        = string
  default     = "arn:aws:iam::222222222222:role/mesh"
}

variable "ops_role_arn" {
  description = "Role the provider assumes in the ops account."
  type        = string
  default     = "arn:aws:iam::333333333333:role/mesh"
}

variable "external_id" {
  description = "External id the roles' trust policies ask for (null: none)."
  type        = string
  default     = null
  sensitive   = true
}

variable "ec2_endpoint" {
  description = "EC2 endpoint URL, e.g. http://127.0.0.1:5000 for a local moto server. Null: the real EC2."
  type        = string
  default     = null
}

variable "sts_endpoint" {
  description = "STS endpoint URL (AssumeRole goes there); moto serves STS on the same port as EC2. Null: AWS's STS."
  type        = string
  default     = null
}

provider "peering" {
  region    = var.region
  endpoints = { ec2 = var.ec2_endpoint, sts = var.sts_endpoint }

  accounts = {
    dev = { assume_role = { role_arn = var.dev_role_arn, session_name = "peering-mesh", external_id = var.external_id } }
    ops = { assume_role = { role_arn = var.ops_role_arn, session_name = "peering-mesh", external_id = var.external_id } }
  }
}

resource "peering_mesh" "teams" {
  name = "teams"

  vpcs = {
    shared = {
      cidr_block = "10.4.0.0/16"
      subnets    = { services = { cidr_block = "10.4.1.0/24" } }
    }
    development = {
      account    = "dev"
      cidr_block = "10.2.0.0/16"
      subnets    = { private = { cidr_block = "10.2.1.0/24" } }
    }
    testing = {
      account    = "ops"
      region     = "us-west-2"
      cidr_block = "10.3.0.0/16"
      subnets    = { private = { cidr_block = "10.3.1.0/24" } }
    }
  }

  ssh_ingress_cidrs = ["10.4.1.0/24"]
  dns_resolution    = true
}

output "peerings" {
  description = "Three peerings; each across two accounts, requested by the first VPC of its pair."
  value       = peering_mesh.teams.peerings
}

output "vpc_ids" {
  description = "VPC ids by name, each in its own account."
  value       = peering_mesh.teams.vpc_ids
}
