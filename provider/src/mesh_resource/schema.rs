//! The `peering_mesh` schema: the attribute contract of docs/resources/mesh.md, with a markdown
//! description on every attribute. Only `name` forces a new mesh; everything else is
//! updated in place, component by component.

use tfplugin::schema::{Attribute, Block, NestedBlock, Nesting, Schema};
use tfplugin::value::Type;

use super::timeouts::{DEFAULT_CREATE, DEFAULT_DELETE, DEFAULT_UPDATE, MAXIMUM};

pub const DEFAULT_TOPOLOGY: &str = "full_mesh";
pub const DEFAULT_ALLOW_ICMP: bool = true;
pub const DEFAULT_DNS_RESOLUTION: bool = false;
pub const DEFAULT_PUBLIC: bool = false;

fn string(name: &str) -> Attribute {
    Attribute::typed(name, Type::String)
}

fn subnet_attributes() -> Vec<Attribute> {
    vec![
        string("cidr_block")
            .required()
            .describe("IPv4 CIDR block of the subnet, inside its VPC's block and disjoint from its siblings (/16 to /28), e.g. `10.1.1.0/24`."),
        string("availability_zone")
            .optional_computed()
            .describe("Availability zone, e.g. `eu-west-2a`. When omitted AWS chooses one, and the chosen zone is shown here."),
        Attribute::typed("public", Type::Bool).optional_computed().describe(
            "Whether the subnet is public: its route table gets a `0.0.0.0/0` route to the VPC's internet gateway, which the mesh creates and attaches. Default `false`.",
        ),
        string("id").computed().describe("Subnet id (`subnet-...`)."),
        string("route_table_id")
            .computed()
            .describe("Id of the route table the mesh made for this subnet (`rtb-...`); it holds the routes to every peered VPC."),
        Attribute::typed("ipv6_index", Type::Number).optional().describe(
            "With `ipv6 = true` on the VPC: which /64 of the VPC's IPv6 /56 the subnet gets, 0 to 255, unique in the VPC. Default: the subnet's position in name order (0 for the first).",
        ),
        string("ipv6_cidr_block").computed().describe(
            "The subnet's IPv6 /64 (e.g. `2600:1f18:1234:5601::/64`); null without `ipv6` on the VPC.",
        ),
    ]
}

fn vpc_attributes() -> Vec<Attribute> {
    vec![
        string("cidr_block").optional_computed().describe(
            "IPv4 CIDR block of the VPC (/16 to /28), e.g. `10.1.0.0/16`. Required unless `vpc_id` adopts an existing VPC, whose block is then read from EC2. \
             Changing it replaces this VPC (and its subnets and peerings) within an update of the mesh.",
        ),
        string("vpc_id").optional_computed().describe(
            "Set it to adopt an existing VPC: the mesh adds subnets, route tables, a security group and peerings to it, and never deletes the VPC itself. \
             Otherwise the id of the VPC the mesh created.",
        ),
        string("region").optional_computed().describe(
            "Region of the VPC, e.g. `eu-west-2`. Defaults to the provider's region. VPCs in different regions are peered across regions.",
        ),
        string("account").optional().describe(
            "Key of the provider's `accounts` whose AWS account holds this VPC (and its subnets, route tables, security group and gateway); \
             unset, the provider's own account. Peerings to VPCs of other accounts are requested by one side's account and accepted by the other's. \
             Changing it replaces this VPC.",
        ),
        Attribute::nested("subnets", Nesting::Map, subnet_attributes())
            .optional()
            .describe("Subnets by name (lowercase letters, digits, `-`, `_`). Each subnet gets its own route table with a route to every peered VPC. Without subnets, the peer routes go into the VPC's main route table."),
        string("security_group_id").computed().describe(
            "Id of the mesh's security group in this VPC. It allows ICMP from every peered VPC (`allow_icmp`) and TCP 22 from `ssh_ingress_cidrs`; attach it to your instances.",
        ),
        string("internet_gateway_id")
            .computed()
            .describe("Id of the internet gateway the mesh attached to this VPC; null when the VPC has no public subnet."),
        Attribute::typed("route_table_ids", Type::list(Type::String))
            .computed()
            .describe("Ids of the route tables holding this VPC's peer routes: one per subnet in subnet-name order, or the main route table when the VPC has no subnets."),
        Attribute::typed("ipv6", Type::Bool).optional_computed().describe(
            "Dual stack: EC2 gives the VPC an Amazon-provided IPv6 /56 and each subnet a /64 of it. With IPv6 on both sides of a peering, every route table gets a route to the peer's IPv6 block, `allow_icmp` admits ICMPv6 from it, and public subnets get `::/0` to the internet gateway. Turning it on for an existing VPC adds the block without replacing the VPC; turning it off removes the IPv6 routes and rules, then the blocks. Default `false`.",
        ),
        string("ipv6_cidr_block").computed().describe(
            "The VPC's Amazon-provided IPv6 /56, chosen by EC2 (unknown until it exists); null without `ipv6`.",
        ),
    ]
}

fn peering_attributes() -> Vec<Attribute> {
    vec![
        string("id").describe("VPC peering connection id (`pcx-...`).").computed(),
        string("requester").describe("Name of the VPC that requested the peering.").computed(),
        string("accepter").describe("Name of the VPC that accepted the peering.").computed(),
        string("status")
            .computed()
            .describe("Status as EC2 reports it: `active` when healthy; after a refresh it shows any other state (e.g. `pending-acceptance`, `deleted`) that the next apply repairs."),
    ]
}

fn timeout_attributes() -> Vec<Attribute> {
    let describe = |what: &str, default: &str| {
        format!("How long {what} may take, as a duration such as `30m`, `1h30m` or `90s`, at most `{MAXIMUM}`. Default `{default}`.")
    };
    vec![
        string("create")
            .optional()
            .describe(describe("creating the mesh", DEFAULT_CREATE)),
        string("update").optional().describe(describe(
            "an update (including every component it creates or deletes)",
            DEFAULT_UPDATE,
        )),
        string("delete").optional().describe(describe(
            "destroying the mesh, including waiting for peerings to be deleted",
            DEFAULT_DELETE,
        )),
    ]
}

pub fn schema() -> Schema {
    Schema::new(
        "A mesh of VPCs joined by VPC peering, managed as one unit: the VPCs (created or adopted), their subnets, route tables, \
         internet gateways, security groups and rules, the peering connections the topology asks for, and a route to every peered VPC \
         in every route table. Changes stay small: adding a VPC creates only that VPC, its peerings and routes. \
         Drift (a peering, route or rule deleted outside Terraform) shows in the next plan and is repaired by apply.",
        vec![
            string("id").computed().describe("The mesh id, `mesh-` followed by 16 hex digits, derived from `name`, the provider's region and the AWS account. Every object of the mesh carries it in the `peering:mesh` tag; `terraform import` takes it."),
            string("name").required().describe(
                "Name of the mesh (1 to 64 letters, digits, `-`, `_`). It starts every object's `Name` tag. Changing it replaces the whole mesh.",
            ),
            Attribute::nested("vpcs", Nesting::Map, vpc_attributes())
                .required()
                .describe("The VPCs of the mesh by name (at least 2; names of lowercase letters, digits, `-`, `_`). Names are stable keys: renaming a VPC replaces it."),
            string("topology").optional_computed().describe(
                "Which VPCs are peered: `full_mesh` (default; every pair), `hub_and_spoke` (each VPC with `hub` only) or `explicit` (the pairs in `connections`).",
            ),
            string("hub").optional().describe("For `topology = \"hub_and_spoke\"`: the name of the VPC every other VPC peers with."),
            Attribute::typed("connections", Type::list(Type::list(Type::String)))
                .optional()
                .describe("For `topology = \"explicit\"`: the pairs of VPC names to peer, e.g. `[[\"production\", \"shared\"]]`. Each pair at most once, in either order."),
            Attribute::typed("allow_icmp", Type::Bool)
                .optional_computed()
                .describe("Allow ICMP into each VPC's security group from every peered VPC's CIDR block, and ICMPv6 from its IPv6 block when both VPCs have `ipv6`. Default `true`."),
            Attribute::typed("ssh_ingress_cidrs", Type::list(Type::String))
                .optional()
                .describe("IPv4 or IPv6 CIDR blocks allowed TCP port 22 into every VPC's security group, e.g. a bastion's subnet `[\"10.1.1.0/24\"]` or `\"2001:db8::/32\"`."),
            Attribute::typed("dns_resolution", Type::Bool).optional_computed().describe(
                "Set `AllowDnsResolutionFromRemoteVpc` on both sides of every peering, so private DNS names resolve to private addresses across the peering. Default `false`.",
            ),
            Attribute::typed("tags", Type::map(Type::String)).optional().describe(
                "Tags for every object the mesh creates, on top of the provider's `default_tags`. Keys `Name`, `peering:*` and `aws:*` are reserved.",
            ),
            Attribute::typed("peering_count", Type::Number)
                .computed()
                .describe("Number of peering connections: n(n-1)/2 for a full mesh of n VPCs, n-1 for hub and spoke."),
            Attribute::nested("peerings", Nesting::Map, peering_attributes()).computed().describe(
                "The peering connections, keyed by the two VPC names in sorted order joined by `:` (e.g. `development:production`).",
            ),
            Attribute::typed("reachability", Type::map(Type::list(Type::String))).computed().describe(
                "Which VPCs each VPC can reach through the mesh (its direct peers: peering is not transitive), known at plan time. Compare it with a `peering_connectivity` report.",
            ),
        ]
        .into_iter()
        .chain(id_map_attributes())
        .collect(),
    )
    .with_blocks(vec![timeouts_block()])
}

/// The ids of `vpcs` as flat maps (see `ids.rs`): filled by the apply itself on every
/// Terraform version, also on 1.0.0-1.0.5 where `vpcs` waits for the next refresh.
fn id_map_attributes() -> Vec<Attribute> {
    let map = |name: &str, what: &str| {
        Attribute::typed(name, Type::map(Type::String)).computed().describe(format!(
            "{what} Set by the apply that makes them, on every Terraform version (the ids nested in `vpcs` show only after the next refresh on Terraform 1.0.0-1.0.5)."
        ))
    };
    vec![
        map("vpc_ids", "VPC ids (`vpc-...`, created or adopted) by VPC name."),
        map("security_group_ids", "Ids of the mesh's security group in each VPC (`sg-...`) by VPC name."),
        map("internet_gateway_ids", "Internet gateway ids (`igw-...`) by VPC name, for the VPCs with a public subnet."),
        map("subnet_ids", "Subnet ids (`subnet-...`) by `vpc/subnet`, e.g. `production/private`."),
        map("route_table_ids", "Ids of the subnets' route tables (`rtb-...`) by `vpc/subnet`. A VPC without subnets keeps its peer routes in its main route table, which is not listed."),
    ]
}

/// A block (`timeouts { create = "45m" }`) as in other providers, not a nested
/// attribute: Terraform 1.0.0-1.0.5 crash planning an omitted single nested attribute.
fn timeouts_block() -> NestedBlock {
    NestedBlock::optional_single(
        "timeouts",
        Block {
            attributes: timeout_attributes(),
            description: "Time limits for create, update and delete.".to_string(),
            ..Block::default()
        },
    )
}
