# Calls the reusable module ../modules/mesh: three VPCs in a full mesh, probed from this
# machine after every apply, with the ids an instance needs as outputs.

terraform {
  required_version = ">= 1.5"
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

module "mesh" {
  source = "../modules/mesh"

  name = "module-lab"
  vpcs = {
    production = {
      cidr_block = "10.1.0.0/16"
      subnets = {
        public  = { cidr_block = "10.1.1.0/24", public = true }
        private = { cidr_block = "10.1.2.0/24" }
      }
    }
    development = { cidr_block = "10.2.0.0/16", subnets = { private = { cidr_block = "10.2.1.0/24" } } }
    shared      = { cidr_block = "10.4.0.0/16", subnets = { private = { cidr_block = "10.4.1.0/24" } } }
  }
  ssh_ingress_cidrs = ["10.1.1.0/24"]
  tags              = { project = "module-lab" }

  # Replace with your instances' private addresses (reachable from where Terraform
  # runs, e.g. through a VPN); loopback answers anywhere.
  probe_hosts = { loopback = "127.0.0.1" }
}

output "mesh_id" {
  value = module.mesh.mesh_id
}

output "subnet_ids" {
  description = "For aws_instance.subnet_id, e.g. subnet_ids[\"production/private\"]."
  value       = module.mesh.subnet_ids
}

output "security_group_ids" {
  description = "For aws_instance.vpc_security_group_ids, by VPC name."
  value       = module.mesh.security_group_ids
}

# Stable from run to run; module.mesh.connectivity_report (the probes' matrix with
# round-trip times) changes with every read, so it is not an output here.
output "all_reachable" {
  value = module.mesh.all_reachable
}
