# Functions the demo scripts share (sourced, not run).

# The Terraform CLI: $TERRAFORM, else 1.15.5 from .tools, else PATH, else 1.0.3.
pick_terraform() {
    if [ -n "${TERRAFORM:-}" ]; then
        echo "$TERRAFORM"
    elif [ -x "$ROOT/.tools/bin/terraform-1.15.5" ]; then
        echo "$ROOT/.tools/bin/terraform-1.15.5"
    elif command -v terraform >/dev/null; then
        command -v terraform
    elif [ -x "$ROOT/.tools/bin/terraform-1.0.3" ]; then
        echo "$ROOT/.tools/bin/terraform-1.0.3"
    else
        echo "demo: no Terraform found (run scripts/setup.sh)" >&2
        return 1
    fi
}

# The provider binary: $PEERING_PROVIDER_BIN, else the one setup.sh built.
provider_binary() {
    local provider="${PEERING_PROVIDER_BIN:-}"
    if [ -z "$provider" ]; then provider="$(cat "$ROOT/.tools/provider-path" 2>/dev/null || true)"; fi
    if [ ! -x "$provider" ]; then
        echo "demo: provider binary not built (run scripts/setup.sh)" >&2
        return 1
    fi
    echo "$provider"
}

# install_provider BINARY WORK: a filesystem mirror in WORK/mirror holding
# BINARY, and WORK/terraformrc pointing Terraform at it.
install_provider() {
    local version pkg
    version="$(sed -n 's/^version = "\(.*\)"/\1/p' "$ROOT/Cargo.toml" | head -n1)"
    pkg="$2/mirror/registry.terraform.io/peeringmesh/peering/$version/linux_amd64"
    mkdir -p "$pkg"
    cp "$1" "$pkg/terraform-provider-peering_v$version"
    cat >"$2/terraformrc" <<EOT
provider_installation {
  filesystem_mirror {
    path    = "$2/mirror"
    include = ["peeringmesh/peering"]
  }
}
EOT
}
