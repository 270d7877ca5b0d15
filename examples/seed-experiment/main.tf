# The seed experiment: a four-VPC peering mesh and a connectivity check that runs on the
# servers themselves. Every server pings every other server, through SSH via a bastion in
# production's public subnet; the results are compared with what the mesh topology
# expects, and the mesh's EC2 facts name whatever is broken.
#
# The instances (a bastion at 10.1.1.249 with a public IP, one server per VPC at the
# addresses of var.servers) are not part of this configuration: see README.md.
# checks.tf (Terraform 1.5 and later) turns an unexpected result into a warning.

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

variable "topology" {
  description = "full_mesh (every VPC peers with every other) or hub_and_spoke (every VPC peers with var.hub only)."
  type        = string
  default     = "full_mesh"
}

variable "hub" {
  description = "The hub VPC when var.topology is hub_and_spoke."
  type        = string
  default     = "production"
}

variable "servers" {
  description = "The private IPv4 address of the server in each VPC, by VPC name."
  type        = map(string)
  default = {
    production  = "10.1.2.249"
    development = "10.2.1.29"
    testing     = "10.3.1.129"
    shared      = "10.4.1.22"
  }
}

variable "bastion_address" {
  description = "Public IP (or DNS name) of the bastion in production's public subnet, as the machine running Terraform reaches it."
  type        = string
}

variable "private_key_file" {
  description = "Private key (OpenSSH or PEM) that logs in to the bastion and to every server."
  type        = string
}

variable "known_hosts_file" {
  description = "known_hosts file with the host keys of the bastion and of every server (by private IP)."
  type        = string
}

variable "ssh_user" {
  description = "User on the bastion and on the servers."
  type        = string
  default     = "ec2-user"
}

provider "peering" {
  region    = var.region
  endpoints = { ec2 = var.ec2_endpoint, sts = var.sts_endpoint }
}

resource "peering_mesh" "lab" {
  name = "seed-lab"

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

  topology          = var.topology
  hub               = var.topology == "hub_and_spoke" ? var.hub : null
  allow_icmp        = true
  ssh_ingress_cidrs = ["10.1.1.0/24"]
}

data "peering_connectivity" "seed" {
  hosts     = var.servers
  transport = "ssh"
  ssh {
    bastion_address = var.bastion_address
    bastion_user    = var.ssh_user
    user            = var.ssh_user
    private_key     = file(var.private_key_file)
    known_hosts     = file(var.known_hosts_file)
  }
  # Each server is named after its VPC.
  host_vpcs  = { for name, _ in var.servers : name => name }
  expect     = peering_mesh.lab.reachability
  mesh_id    = peering_mesh.lab.id
  echo_count = 1
  timeout_ms = 1000
}

output "report" {
  description = "The matrix of results as text."
  value       = data.peering_connectivity.seed.report
}

output "diagnosis" {
  description = "One sentence per broken component; empty when everything is as expected."
  value       = data.peering_connectivity.seed.diagnosis
}

output "all_as_expected" {
  description = "Every pair behaves as the topology says (reachable peers, unreachable non-peers)."
  value       = data.peering_connectivity.seed.all_as_expected
}

output "mermaid" {
  description = "The matrix as a Mermaid flowchart."
  value       = data.peering_connectivity.seed.mermaid
}

output "results" {
  description = "Every probed pair with its verdict and cause."
  value       = data.peering_connectivity.seed.results
}

output "subnet_ids" {
  description = "Subnet ids by \"vpc/subnet\" (e.g. \"production/public\"), for the instances."
  value       = peering_mesh.lab.subnet_ids
}

output "security_group_ids" {
  description = "The mesh's security group in each VPC, for the instances."
  value       = peering_mesh.lab.security_group_ids
}
