#!/usr/bin/env bash
# `make demo`, part 2 (root only): real Terraform applies examples/connectivity/ against a small
# network lab of namespaces on this machine and prints the connectivity report.
#
# Lab (all inside namespaces this script creates; nothing touches the host's
# network, and probes cannot leave the lab: the runner's only link is the lab
# switch):
#   runner 10.77.0.1  -- switch --  web 10.77.0.11 / 2001:db8:77::11
#                                   db 10.77.0.12
#                                   firewalled 10.77.0.13 (drops ICMP echo)
#   plus "nohost" 10.77.0.250, where nothing answers.
# Everything is removed on exit, also on Ctrl-C.
#
# Environment: TERRAFORM=/path/to/terraform picks the CLI (default: 1.15.5
# from .tools/bin, else `terraform` on PATH, else 1.0.3).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
EXAMPLE="$ROOT/examples/connectivity"

if [ "$(id -u)" != 0 ]; then
    echo "make demo needs root: it creates network namespaces (ip netns) and sends real ICMP inside them." >&2
    echo "Run it as root, e.g. 'sudo make demo'. Nothing was changed." >&2
    exit 1
fi
if [ ! -f "$EXAMPLE/main.tf" ]; then
    echo "demo: $EXAMPLE/main.tf is missing" >&2
    exit 1
fi

# shellcheck source=scripts/demo-common.sh
source "$ROOT/scripts/demo-common.sh"
TF="$(pick_terraform)"
PROVIDER="$(provider_binary)"

# Names follow the test harness (ptl<pid>x...) so its stale clean-up and
# `make lab-clean` recognise them if this script is killed with SIGKILL.
ID="ptl$$xdemo"
SW="$ID-sw"
RUN="$ID-run"
NAMESPACES=()
WORK="$(mktemp -d -t peering-demo.XXXXXX)"

cleanup() {
    local ns
    trap - EXIT INT TERM
    for ((i = ${#NAMESPACES[@]} - 1; i >= 0; i--)); do
        ns="${NAMESPACES[$i]}"
        for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
        ip netns del "$ns" 2>/dev/null || true
    done
    rm -rf "$WORK"
    echo "demo: lab removed"
}
trap cleanup EXIT
trap 'echo; echo "demo: interrupted"; exit 130' INT TERM

add_namespace() {
    ip netns add "$1"
    NAMESPACES+=("$1")
    ip -n "$1" link set lo up
}

# attach NS PORT IPV4 [IPV6]: eth0 of NS linked to switch port PORT; the veth
# pair is created directly between the two namespaces.
attach() {
    ip -n "$SW" link add "$2" type veth peer name eth0 netns "$1"
    ip -n "$SW" link set "$2" master br0 up
    ip -n "$1" addr add "$3/24" dev eth0
    if [ -n "${4:-}" ]; then ip -n "$1" addr add "$4/64" dev eth0 nodad; fi
    ip -n "$1" link set eth0 up
}

echo "demo: building the lab ($ID-*)"
add_namespace "$SW"
ip -n "$SW" link add br0 type bridge
ip -n "$SW" link set br0 up
add_namespace "$RUN"
attach "$RUN" prun 10.77.0.1 2001:db8:77::1
ip netns exec "$RUN" sysctl -q -w net.ipv4.ping_group_range="0 2147483647"
add_namespace "$ID-web"
attach "$ID-web" p1 10.77.0.11 2001:db8:77::11
add_namespace "$ID-db"
attach "$ID-db" p2 10.77.0.12
add_namespace "$ID-fw"
attach "$ID-fw" p3 10.77.0.13
ip netns exec "$ID-fw" nft -f - <<'EOF'
table inet demo_filter {
    chain input {
        type filter hook input priority 0; policy accept;
        icmp type echo-request drop
        icmpv6 type echo-request drop
    }
}
EOF

echo "demo: installing the provider into a private mirror ($WORK)"
install_provider "$PROVIDER" "$WORK"
mkdir -p "$WORK/work"
cp "$EXAMPLE"/*.tf "$WORK/work/"
cat >"$WORK/work/terraform.tfvars.json" <<'EOF'
{"hosts": {
  "web": "10.77.0.11",
  "web_v6": "2001:db8:77::11",
  "db": "10.77.0.12",
  "firewalled": "10.77.0.13",
  "nohost": "10.77.0.250"
}}
EOF

tf() {
    (cd "$WORK/work" && ip netns exec "$RUN" env \
        TF_CLI_CONFIG_FILE="$WORK/terraformrc" CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1 \
        "$TF" "$@")
}

echo "demo: $(TF_CLI_CONFIG_FILE="$WORK/terraformrc" "$TF" version | head -n1) in namespace $RUN"
tf init -input=false >"$WORK/init.log" 2>&1 || {
    cat "$WORK/init.log" >&2
    exit 1
}
# The outputs section repeats what the report below shows in a table.
tf apply -auto-approve -input=false -no-color | sed '/^Outputs:/,$d'
echo
echo "==================== report ===================="
tf output -raw report
echo
echo "================================================"
echo "Expected: web, web_v6 and db reachable; firewalled (drops ICMP echo) and nohost not."
