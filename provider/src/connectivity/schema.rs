use tfplugin::schema::{Attribute, Block, NestedBlock, Nesting, Schema};
use tfplugin::value::Type;

use super::{DEFAULT_ECHO_COUNT, DEFAULT_TIMEOUT_MS};
use crate::probe::ssh::{DEFAULT_PORT, DEFAULT_USER};

/// A block (`ssh { ... }`), not a nested attribute: Terraform 1.0.0-1.0.5 crash on an
/// omitted single nested attribute as soon as the data source has a prior state.
fn ssh_block() -> NestedBlock {
    NestedBlock::optional_single(
        "ssh",
        Block {
            attributes: ssh(),
            description: "How to reach the hosts when `transport = \"ssh\"`; required then, and an error otherwise. \
                 A bastion that cannot be reached, and a bastion or host that is not trusted (host key) or refuses the key, is an error; \
                 a source host that cannot be reached gives results marked unreachable with the SSH error as `cause`."
                .to_string(),
            ..Block::default()
        },
    )
}

fn ssh() -> Vec<Attribute> {
    let text = |name: &str| Attribute::typed(name, Type::String);
    vec![
        text("bastion_address").required().describe(
            "Address (IPv4, IPv6 with or without brackets, or DNS name) of the SSH bastion as seen from the machine running Terraform, e.g. its public IP.",
        ),
        text("bastion_user").optional().describe(format!(
            "User on the bastion (default `{DEFAULT_USER}`)."
        )),
        text("user").optional().describe(format!(
            "User on every source host (default `{DEFAULT_USER}`)."
        )),
        text("private_key").required().sensitive().describe(
            "Unencrypted private key (OpenSSH or PEM text, e.g. `file(\"~/.ssh/lab.pem\")`) for the bastion and every host. \
             Sensitive: never shown in plans, logs or diagnostics (it is stored in the state, like every sensitive value).",
        ),
        Attribute::typed("port", Type::Number).optional().describe(format!(
            "SSH port of the bastion and of every host, 1 to 65535 (default {DEFAULT_PORT})."
        )),
        text("known_hosts").optional().describe(
            "Text of a known_hosts file with the keys of the bastion and of every source host (plain or hashed names; \
             `[host]:port` for other ports), e.g. `file(\"known_hosts\")`. Required unless `insecure_ignore_host_keys`.",
        ),
        Attribute::typed("insecure_ignore_host_keys", Type::Bool).optional().describe(
            "Accept any host key (default false). For labs only: the connections could be intercepted, and every read warns about it.",
        ),
    ]
}

pub fn schema() -> Schema {
    let out =
        |name: &str, ty: Type, what: &str| Attribute::typed(name, ty).computed().describe(what);
    let result = vec![
        out(
            "from",
            Type::String,
            "Where the probe was sent from: `local` for the machine running Terraform, else the source host's name (a key of `hosts`).",
        ),
        out(
            "to",
            Type::String,
            "Name of the target host (a key of `hosts`).",
        ),
        out("address", Type::String, "Address probed."),
        out("sent", Type::Number, "Echo requests sent; 0 when the pair could not be probed (its source was unreachable over SSH)."),
        out("received", Type::Number, "Echo replies received in time."),
        out(
            "loss_percent",
            Type::Number,
            "Share of requests without a reply, 0 to 100.",
        ),
        out(
            "rtt_min_ms",
            Type::Number,
            "Fastest round trip in milliseconds; null when nothing came back.",
        ),
        out(
            "rtt_avg_ms",
            Type::Number,
            "Mean round trip in milliseconds; null when nothing came back.",
        ),
        out(
            "rtt_max_ms",
            Type::Number,
            "Slowest round trip in milliseconds; null when nothing came back.",
        ),
        out("reachable", Type::Bool, "At least one reply came back."),
        out(
            "expected",
            Type::Bool,
            "Whether `to` should answer `from` according to `expect`: true when both hosts are in the same VPC or the VPC of `to` is listed for the VPC of `from`. \
             Null when no expectation applies: no `expect`, a host missing from `host_vpcs`, or `from` is `local` (the machine running Terraform is in no VPC).",
        ),
        out(
            "verdict",
            Type::String,
            "`ok` when the result matches `expected`, else `unexpectedly_unreachable` or `unexpectedly_reachable`; null when `expected` is null.",
        ),
        out(
            "cause",
            Type::String,
            "Why this result failed (a verdict other than `ok`, or no reply when nothing was expected), in one sentence; \
             for a pair that could not be probed because its source was unreachable over SSH, that SSH error. \
             For a pair that is unreachable as expected, why it is not expected (e.g. peering is not transitive). \
             Null when it did not fail or nothing narrows the cause down. Without EC2 facts it only draws on the other results and never names an AWS object.",
        ),
    ];
    Schema::new(
        "Probes reachability with real ICMP echo requests and reports a matrix of results. \
         An unreachable host is a result, not an error: assert on `all_reachable` or `unreachable` \
         (for example in a `check` block) to fail a run. With `host_vpcs` and `expect` every result is also compared with what the \
         mesh topology expects (`verdict`, `all_as_expected`), and failing results get a `cause`. \
         With `mesh_id`, the mesh's EC2 facts name the broken component in `diagnosis`.",
        vec![
            Attribute::typed("hosts", Type::map(Type::String))
                .required()
                .describe("Hosts to probe: name => IPv4 or IPv6 address (literal addresses; names are not resolved). Each address may appear once."),
            Attribute::typed("echo_count", Type::Number).optional_computed().describe(format!(
                "Echo requests per host, 1 to 100 (default {DEFAULT_ECHO_COUNT}). Named so because `count` is reserved by Terraform."
            )),
            Attribute::typed("timeout_ms", Type::Number).optional_computed().describe(format!(
                "How long to wait for each reply, in milliseconds, 1 to 60000 (default {DEFAULT_TIMEOUT_MS})."
            )),
            Attribute::typed("transport", Type::String).optional_computed().describe(
                "Where probes come from: `local` (default) sends ICMP echo from the machine running Terraform; \
                 `ssh` connects to `ssh.bastion_address`, jumps to each source host (one connection per source, reused for all its probes) \
                 and runs the system `ping` there (for an IPv6 address `ping6`, or `ping -6` where there is no `ping6`) with `echo_count` and `timeout_ms` (rounded up to whole seconds).",
            ),
            Attribute::typed("sources", Type::list(Type::String)).optional_computed().describe(
                "Hosts to probe from (keys of `hosts`): every host by default with `ssh`; always `[\"local\"]` with `local`. \
                 Every source probes every other host.",
            ),
            Attribute::typed("host_vpcs", Type::map(Type::String)).optional().describe(
                "Which mesh VPC each host is in: host name (a key of `hosts`) => VPC name (a key of `peering_mesh.vpcs`). \
                 Groups hosts by VPC in `mermaid` and, with `expect`, gives each result an expectation. Hosts left out have none.",
            ),
            Attribute::typed("expect", Type::map(Type::list(Type::String))).optional().describe(
                "Which VPCs each VPC should reach: VPC name => names of the VPCs it reaches, normally `peering_mesh.NAME.reachability` \
                 (direct peers only: peering is not transitive). A host always reaches its own VPC. Needs `host_vpcs`; every VPC named there must be a key.",
            ),
            Attribute::typed("mesh_id", Type::String).optional().describe(
                "ID of the `peering_mesh` (`peering_mesh.NAME.id`) whose EC2 facts name the broken component in `diagnosis` and `cause`: \
                 its VPCs, subnets, route tables, peerings and security groups, read from the provider's region and every region its peerings lead to \
                 (in the provider's other `accounts` with each account's credentials), and the instances in its VPCs, matched to `hosts` by private IPv4 \
                 or IPv6 address (a host without a matching instance gets no facts). Pairs probed over IPv6 are checked against IPv6 routes and ICMPv6 rules. \
                 Needs a configured provider and ec2:Describe{Vpcs,Subnets,RouteTables,InternetGateways,SecurityGroups,VpcPeeringConnections,Instances}. \
                 When the facts cannot be read the results stand and a warning on `mesh_id` says why. Without `mesh_id` EC2 is never called.",
            ),
            Attribute::nested("results", Nesting::List, result)
                .computed()
                .describe("One entry per probed pair, sorted by `from`, then `to`."),
            out("all_reachable", Type::Bool, "Every probed host answered."),
            out(
                "unreachable",
                Type::list(Type::String),
                "Pairs that got no reply, as `\"FROM->TO\"` (e.g. `\"local->development\"`, `\"testing->shared\"`), sorted.",
            ),
            out("report", Type::String, "A readable text matrix of the results, for outputs and logs: a grid (sources as rows, targets as columns, mean RTT in ms, `✗` no reply, `?` not probed), then a table of every pair and a summary line."),
            out(
                "all_as_expected",
                Type::Bool,
                "Every result with an expectation has verdict `ok`; true when no result has one. Assert on it in a `check` block.",
            ),
            out(
                "diagnosis",
                Type::list(Type::String),
                "Every broken component behind the failing results, one sentence each and each once (a stopped host once, not once per source; \
                 a broken peering once for both directions). Empty when nothing failed or no EC2 facts were read.",
            ),
            out(
                "mermaid",
                Type::String,
                "The matrix as a Mermaid flowchart: a subgraph per VPC of `host_vpcs` with its hosts, one edge per probed pair \
                 (solid with the mean RTT when replies came, dashed and marked `x` when none did), failing results in red.",
            ),
        ],
    )
    .with_blocks(vec![ssh_block()])
}
