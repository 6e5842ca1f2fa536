# Lyceum: `make run` serves it, `make test` tests everything. Both install what is missing first.
SHELL := /bin/bash
export PATH := $(HOME)/.cargo/bin:$(CURDIR)/end2end/node_modules/.bin:$(PATH)
# One RUSTFLAGS value for every cargo call, so test and cargo-leptos dev builds share artifacts.
export RUSTFLAGS := --cfg erase_components
export LYCEUM_TEST_POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/postgres

.PHONY: run build setup setup-test test test-sqlite test-rust lint check-postgres e2e api-conformance bench clean-test-dbs

run: setup build
	./target/release/lyceum serve

build:
	scripts/build-release.sh

setup:
	@scripts/setup.sh

setup-test:
	@scripts/setup.sh --test

test: setup-test check-postgres clean-test-dbs lint test-rust e2e api-conformance
	@$(MAKE) --no-print-directory clean-test-dbs

test-sqlite: setup-test lint
	LYCEUM_TEST_SKIP_POSTGRES=1 cargo test --features ssr
	$(MAKE) e2e api-conformance

# Formatting, and clippy with every warning an error for the server and the browser builds; the
# panic lints come from [lints] in Cargo.toml (the test crates allow those at their roots).
lint:
	cargo fmt --check
	cargo clippy --features ssr --lib --bins --tests -- -D warnings
	cargo clippy --lib --no-default-features --features hydrate --target wasm32-unknown-unknown -- -D warnings

# Starts the test services and stops them afterwards: a local S3 server (moto) for
# tests/storage_s3.rs, an LRS (Ralph) for forwarding, an OpenID Connect provider for tests/sso.rs.
test-rust:
	scripts/s3-test-server.sh scripts/lrs-test-server.sh scripts/oidc-test-server.sh cargo test --features ssr

check-postgres:
	@scripts/check-postgres.sh "$(LYCEUM_TEST_POSTGRES_URL)"

clean-test-dbs:
	@scripts/check-postgres.sh "$(LYCEUM_TEST_POSTGRES_URL)" --drop-test-databases

# Builds the release server and WASM, serves on a scratch database, runs the Playwright specs.
e2e:
	scripts/e2e.sh

# The REST API against its OpenAPI document (schemathesis, about a minute) on the release build.
api-conformance:
	scripts/api-conformance.sh

bench: setup build
	scripts/bench.sh
