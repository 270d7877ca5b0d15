# The seed experiment of the product brief as one resource: four VPCs, a public and a
# private subnet in production (the bastion's subnet is 10.1.1.0/24), a private subnet
# in each of the others, a full mesh of six peerings, and SSH allowed from the bastion's
# subnet into every VPC.

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

variable "name" {
  description = "Name of the mesh; it starts the Name tag of every object."
  type        = string
  default     = "seed-lab"
}

provider "peering" {
  region    = var.region
  endpoints = { ec2 = var.ec2_endpoint, sts = var.sts_endpoint }
}

resource "peering_mesh" "lab" {
  name = var.name

  vpcs = {
    production = {
      cidr_block = "10.1.0.0/16"
      subnets = {
        public  = { cidr_block = "10.1.1.0/24", availability_zone = "${var.region}a", public = true }
        private = { cidr_block = "10.1.2.0/24", availability_zone = "${var.region}a" }
      }
    }
    development = {
      cidr_block = "10.2.0.0/16"
      subnets    = { private = { cidr_block = "10.2.1.0/24", availability_zone = "${var.region}a" } }
    }
    testing = {
      cidr_block = "10.3.0.0/16"
      subnets    = { private = { cidr_block = "10.3.1.0/24", availability_zone = "${var.region}a" } }
    }
    shared = {
      cidr_block = "10.4.0.0/16"
      subnets    = { private = { cidr_block = "10.4.1.0/24", availability_zone = "${var.region}a" } }
    }
  }

  topology          = "full_mesh"
  allow_icmp        = true
  ssh_ingress_cidrs = ["10.1.1.0/24"]
  tags              = { project = "seed-lab" }

  # Defaults: 30m each. Timeouts are not stored in AWS, so `terraform import` leaves
  # them out of the state.
  # timeouts { create = "45m" }
}

output "mesh_id" {
  description = "Pass it to `terraform import` to take the mesh over from another state."
  value       = peering_mesh.lab.id
}

output "peerings" {
  description = "Peering connections by VPC pair."
  value       = peering_mesh.lab.peerings
}

output "reachability" {
  description = "Which VPCs each VPC can reach."
  value       = peering_mesh.lab.reachability
}

output "vpc_ids" {
  description = "VPC ids by VPC name."
  value       = peering_mesh.lab.vpc_ids
}

output "subnet_ids" {
  description = "Subnet ids by \"vpc/subnet\" (e.g. \"production/public\"), for aws_instance resources."
  value       = peering_mesh.lab.subnet_ids
}

output "security_group_ids" {
  description = "The mesh's security group in each VPC (ICMP from peers, SSH from the bastion subnet)."
  value       = peering_mesh.lab.security_group_ids
}
