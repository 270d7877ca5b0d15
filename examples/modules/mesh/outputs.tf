output "mesh_id" {
  description = "The mesh id, for `terraform import`."
  value       = peering_mesh.this.id
}

output "vpc_ids" {
  description = "VPC ids by VPC name."
  value       = peering_mesh.this.vpc_ids
}

output "subnet_ids" {
  description = "Subnet ids by \"vpc/subnet\"."
  value       = peering_mesh.this.subnet_ids
}

output "security_group_ids" {
  description = "The mesh's security group in each VPC, by VPC name: attach it to instances."
  value       = peering_mesh.this.security_group_ids
}

output "route_table_ids" {
  description = "Each subnet's route table, by \"vpc/subnet\"."
  value       = peering_mesh.this.route_table_ids
}

output "internet_gateway_ids" {
  description = "Internet gateway ids of the VPCs with a public subnet."
  value       = peering_mesh.this.internet_gateway_ids
}

output "peerings" {
  description = "Peering connections by VPC pair (\"a:b\", sorted)."
  value       = peering_mesh.this.peerings
}

output "reachability" {
  description = "Which VPCs each VPC reaches through the mesh (known at plan time)."
  value       = peering_mesh.this.reachability
}

output "all_reachable" {
  description = "Every probed host answered (true when nothing is probed)."
  value       = alltrue(data.peering_connectivity.this[*].all_reachable)
}

output "connectivity_report" {
  description = "The probe results as text; null when nothing is probed."
  value       = one(data.peering_connectivity.this[*].report)
}
