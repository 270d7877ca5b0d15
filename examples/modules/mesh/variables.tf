variable "name" {
  description = "Name of the mesh; it starts the Name tag of every object. Changing it replaces the mesh."
  type        = string
}

variable "vpcs" {
  description = "The VPCs by name, as peering_mesh's `vpcs`: a `cidr_block` (or the `vpc_id` of a VPC to adopt), an optional `region`, and `subnets` by name."
  type = map(object({
    cidr_block = optional(string)
    vpc_id     = optional(string)
    region     = optional(string)
    subnets = optional(map(object({
      cidr_block        = string
      availability_zone = optional(string)
      public            = optional(bool)
    })))
  }))
}

variable "topology" {
  description = "`full_mesh`, `hub_and_spoke` (with `hub`) or `explicit` (with `connections`)."
  type        = string
  default     = "full_mesh"
}

variable "hub" {
  description = "The hub VPC of a `hub_and_spoke` topology."
  type        = string
  default     = null
}

variable "connections" {
  description = "The pairs of VPC names to peer for an `explicit` topology."
  type        = list(list(string))
  default     = null
}

variable "ssh_ingress_cidrs" {
  description = "CIDR blocks allowed TCP 22 into every VPC's security group."
  type        = list(string)
  default     = []
}

variable "tags" {
  description = "Tags for every object of the mesh."
  type        = map(string)
  default     = {}
}

variable "probe_hosts" {
  description = "Hosts to probe with ICMP from the machine running Terraform, name => address. Empty: no probes."
  type        = map(string)
  default     = {}
}

variable "probe_echo_count" {
  description = "Echo requests per host."
  type        = number
  default     = 2
}

variable "probe_timeout_ms" {
  description = "How long to wait for each reply, in milliseconds."
  type        = number
  default     = 1000
}
