#!/usr/bin/env bash
# `make demo`, part 1: real Terraform applies examples/four-vpc-mesh/ (the seed
# experiment: 4 VPCs, 6 peerings) against a local EC2 emulator (moto) on a free
# loopback port, prints the peerings and routes EC2 then holds (read with boto3,
# not through the provider), and destroys the mesh. Needs no root and no AWS
# account; nothing leaves the machine. moto and the work folder are removed on exit.
#
# Environment: TERRAFORM=/path/to/terraform picks the CLI (default: 1.15.5
# from .tools/bin, else `terraform` on PATH, else 1.0.3).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
EXAMPLE="$ROOT/examples/four-vpc-mesh"
# shellcheck source=scripts/demo-common.sh
source "$ROOT/scripts/demo-common.sh"

TF="$(pick_terraform)"
PROVIDER="$(provider_binary)"
PYTHON="$ROOT/.tools/venv/bin/python"
REGION=eu-west-2
WORK="$(mktemp -d -t peering-mesh-demo.XXXXXX)"
MOTO_PID=""

cleanup() {
    trap - EXIT INT TERM
    if [ -n "$MOTO_PID" ]; then kill "$MOTO_PID" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'echo; echo "demo: interrupted"; exit 130' INT TERM

# moto binds a port of its own choosing and prints it (no port picked and released first).
"$PYTHON" "$ROOT/scripts/moto_any_port.py" >"$WORK/moto.port" 2>"$WORK/moto.log" &
MOTO_PID=$!
PORT=""
for _ in $(seq 1 600); do
    PORT="$(head -1 "$WORK/moto.port")"
    if [ -n "$PORT" ]; then break; fi
    if ! kill -0 "$MOTO_PID" 2>/dev/null; then break; fi
    sleep 0.1
done
if [ -z "$PORT" ]; then
    echo "demo: moto did not start; its output:" >&2
    cat "$WORK/moto.log" >&2
    exit 1
fi
ENDPOINT="http://127.0.0.1:$PORT"
echo "demo: EC2 emulator (moto) on $ENDPOINT"

install_provider "$PROVIDER" "$WORK"
mkdir -p "$WORK/work"
cp "$EXAMPLE"/*.tf "$WORK/work/"
printf '{"ec2_endpoint": "%s", "sts_endpoint": "%s", "region": "%s"}\n' "$ENDPOINT" "$ENDPOINT" "$REGION" >"$WORK/work/terraform.tfvars.json"

tf() {
    (cd "$WORK/work" && env TF_CLI_CONFIG_FILE="$WORK/terraformrc" CHECKPOINT_DISABLE=1 \
        TF_IN_AUTOMATION=1 AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing \
        AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null \
        AWS_EC2_METADATA_DISABLED=true "$TF" "$@")
}

echo "demo: $(tf version | head -n1), examples/four-vpc-mesh"
tf init -input=false >"$WORK/init.log" 2>&1 || {
    cat "$WORK/init.log" >&2
    exit 1
}
tf apply -auto-approve -input=false -no-color | sed '/^Outputs:/,$d'
case "$(tf version | head -n1)" in
Terraform\ v1.0.[0-5]*)
    echo "demo: Terraform 1.0.0-1.0.5 read the per-VPC ids on the next refresh:"
    tf apply -refresh-only -auto-approve -input=false -no-color | grep -E '^Apply complete'

    ;;
esac
echo
echo "==================== peerings (terraform output) ===================="
tf output -no-color peerings
echo "==================== what EC2 holds ================================="
"$PYTHON" "$ROOT/scripts/show-mesh.py" "$ENDPOINT" "$REGION"
echo "====================================================================="
echo
echo "demo: destroying the mesh"
tf destroy -auto-approve -input=false -no-color | grep -E '^Destroy complete' 
"$PYTHON" "$ROOT/scripts/show-mesh.py" "$ENDPOINT" "$REGION" --count-only
