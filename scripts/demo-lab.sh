#!/usr/bin/env bash
# `make demo`, part 2 (root only): the seed experiment as a story, told by the
# `seed-demo` binary (demo/src/main.rs, the same story the
# acceptance test acceptance-tests/tests/seed_experiment.rs checks). Terraform applies
# examples/seed-experiment/ against a local EC2 emulator (moto); a bastion and
# four servers are launched through the EC2 API; a lab of network namespaces
# mirrors what EC2 says; Terraform, run inside the lab's runner, reads the
# example's peering_connectivity over SSH through the bastion. Chapters: the
# full mesh, a stopped server, the server started again, a peering deleted out
# of band, `terraform apply` repairing it, hub and spoke, a hand-made route
# between spokes. Each prints the matrix and the diagnosis and writes a Mermaid
# picture (its path is printed).
#
# Everything (namespaces, moto, socat, sshd, Terraform's files) is removed at
# the end, also on Ctrl-C; probes never leave the lab's namespaces.
#
# Environment: TERRAFORM=/path/to/terraform picks the CLI (default: 1.15.5
# from .tools/bin, else `terraform` on PATH, else 1.0.3); SEED_DEMO_BIN uses a
# built seed-demo instead of building it; SEED_DEMO_OUT is where the Mermaid
# files go (default: <temp dir>/peering-seed-demo).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

if [ "$(id -u)" != 0 ]; then
    echo "make demo needs root: it creates network namespaces (ip netns) and sends real ICMP inside them." >&2
    echo "Run it as root, e.g. 'sudo make demo'. Nothing was changed." >&2
    exit 1
fi

# shellcheck source=scripts/demo-common.sh
source "$ROOT/scripts/demo-common.sh"
TF="$(pick_terraform)"
PROVIDER="$(provider_binary)"

WORK="$(mktemp -d -t peering-seed-demo.XXXXXX)"

# Normally seed-demo removes what it made (on Ctrl-C too). If it was killed
# outright: its moto and socat (pid file), and namespaces whose creator died.
cleanup() {
    trap - EXIT INT TERM
    if [ -f "$WORK/pids" ]; then
        while read -r pid; do
            case "$(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline")" in
            *moto_any_port* | *socat*) kill -KILL -- "-$pid" 2>/dev/null || true ;;
            esac
        done <"$WORK/pids"
    fi
    "$ROOT/scripts/lab-clean.sh" >/dev/null 2>&1 || true
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'echo; echo "demo: interrupted"; exit 130' INT TERM

BIN="${SEED_DEMO_BIN:-}"
if [ -z "$BIN" ]; then
    echo "demo: building seed-demo (cargo build -p demo --bin seed-demo)"
    cargo build --quiet -p demo --bin seed-demo --manifest-path "$ROOT/Cargo.toml"
    TARGET="$(cargo metadata --format-version 1 --no-deps --manifest-path "$ROOT/Cargo.toml" |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
    BIN="$TARGET/debug/seed-demo"
fi

# seed-demo's temporary files (Terraform's working directory, the lab's keys)
# go under $WORK, removed above whatever happens.
mkdir -p "$WORK/tmp"
# In the foreground: Ctrl-C reaches seed-demo, which cleans up and exits 130;
# then this shell runs its traps.
OUT="${SEED_DEMO_OUT:-${TMPDIR:-/tmp}/peering-seed-demo}"
TMPDIR="$WORK/tmp" TERRAFORM="$TF" PEERING_PROVIDER_BIN="$PROVIDER" SEED_DEMO_PIDFILE="$WORK/pids" \
    SEED_DEMO_OUT="$OUT" "$BIN"
