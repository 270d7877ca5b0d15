# Entry points. scripts/setup.sh installs what the tests and the demo need
# (Debian packages, Terraform 1.0.3 and 1.15.5, moto) into .tools/ and builds
# the provider; it is idempotent and quick when nothing changed.
SHELL := /bin/bash
CARGO ?= cargo

.NOTPARALLEL:
.PHONY: all setup build demo test fmt-check clippy unit acceptance lab-clean release

all: build

setup:
	@scripts/setup.sh

# setup ends with `cargo build -p terraform-provider-peering` (debug profile).
build: setup

# Real Terraform applies examples/four-vpc-mesh against a local EC2 emulator,
# prints its peerings and routes and destroys it; then, as root, the seed
# experiment (examples/seed-experiment) told chapter by chapter in a
# network-namespace lab.
demo: setup
	@scripts/demo.sh

test: setup fmt-check clippy unit acceptance

fmt-check:
	@echo "== cargo fmt --check"
	$(CARGO) fmt --all --check

clippy:
	@echo "== cargo clippy"
	$(CARGO) clippy --workspace --all-targets -- -D warnings

# Unit and protocol tests (everything but the acceptance tests and the demo's).
unit:
	@echo "== unit and protocol tests"
	$(CARGO) test --workspace --exclude acceptance-tests --exclude demo

# Real Terraform (every version found) against the built provider, moto and
# the lab; under CI=true a missing prerequisite fails instead of skipping.
# cargo-nextest runs three tests at a time, the network-lab tests one at a time
# (.config/nextest.toml), and prints each test's output whole when it ends:
# which Terraform versions passed, why a test was skipped. Without nextest the
# same tests run one after another with cargo test.
PROVIDER_BIN = $(TARGET_DIR)/debug/terraform-provider-peering

acceptance:
	@echo "== acceptance tests"
	@if $(CARGO) nextest --version >/dev/null 2>&1; then \
		PEERING_PROVIDER_BIN="$(PROVIDER_BIN)" $(CARGO) nextest run -p acceptance-tests -p demo --profile acceptance; \
	else \
		echo "cargo-nextest not found: the acceptance tests run one at a time"; \
		PEERING_PROVIDER_BIN="$(PROVIDER_BIN)" $(CARGO) test -p acceptance-tests -p demo --tests -- --nocapture; \
	fi

# The release build, packaged into dist/ as a registry release and a provider
# mirror (scripts/package-release.py packages any built binary: the acceptance
# test packages the debug build instead of building this profile).
# Cargo's target directory (CARGO_TARGET_DIR may move it); expanded only when used.
TARGET_DIR = $(shell $(CARGO) metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')

release:
	$(CARGO) build --release -p terraform-provider-peering
	python3 scripts/package-release.py --dist dist --binary "$(TARGET_DIR)/release/terraform-provider-peering"

# Removes lab namespaces left by a killed run.
lab-clean:
	@scripts/lab-clean.sh
