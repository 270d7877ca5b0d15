use tfplugin::schema::{Attribute, Nesting, Schema};
use tfplugin::value::Type;

use super::{DEFAULT_ECHO_COUNT, DEFAULT_TIMEOUT_MS};

pub fn schema() -> Schema {
    let out =
        |name: &str, ty: Type, what: &str| Attribute::typed(name, ty).computed().describe(what);
    let result = vec![
        out(
            "from",
            Type::String,
            "Where the probe was sent from: `local` for the machine running Terraform.",
        ),
        out(
            "to",
            Type::String,
            "Name of the target host (a key of `hosts`).",
        ),
        out("address", Type::String, "Address probed."),
        out("sent", Type::Number, "Echo requests sent."),
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
    ];
    Schema::new(
        "Probes reachability with real ICMP echo requests and reports a matrix of results. \
         An unreachable host is a result, not an error: assert on `all_reachable` or `unreachable` \
         (for example in a `check` block) to fail a run.",
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
            Attribute::nested("results", Nesting::List, result)
                .computed()
                .describe("One entry per probed pair, sorted by `from`, then `to`."),
            out("all_reachable", Type::Bool, "Every probed host answered."),
            out(
                "unreachable",
                Type::list(Type::String),
                "Pairs that got no reply, as `\"FROM->TO\"` (e.g. `\"local->development\"`), sorted.",
            ),
            out("report", Type::String, "A readable text matrix of the results, for outputs and logs."),
        ],
    )
}
