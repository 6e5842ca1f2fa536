#!/usr/bin/env bash
# Installs what building and testing Lyceum needs, skipping anything already present.
# Usage: scripts/setup.sh [--test]   (--test also installs Chromium and the end-to-end npm packages)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

want_test=false
[ "${1:-}" = "--test" ] && want_test=true

say() { printf '\n==> %s\n' "$*"; }

if ! rustup target list --installed | grep -q '^wasm32-unknown-unknown$'; then
  say "Adding the wasm32 target"
  rustup target add wasm32-unknown-unknown
fi

for component in rustfmt clippy; do
  if ! rustup component list --installed | grep -q "^$component"; then
    say "Adding the $component component"
    rustup component add "$component"
  fi
done

# cargo-leptos 0.3.11+ needs a newer rustc than this machine has.
if ! cargo leptos --version 2>/dev/null | grep -q '0.3.10'; then
  say "Installing cargo-leptos 0.3.10 (takes ~20 minutes once)"
  CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    cargo install cargo-leptos --version 0.3.10 --locked
fi

# The wasm-bindgen CLI must equal the crate version in Cargo.lock, or cargo-leptos tries a download.
if [ ! -f Cargo.lock ]; then cargo generate-lockfile; fi
wb_version=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/version = |"/,""); print; exit}' Cargo.lock)
if ! wasm-bindgen --version 2>/dev/null | grep -q "$wb_version"; then
  say "Installing wasm-bindgen-cli $wb_version"
  # Not --locked: its lock file pins a crate version the registry no longer serves.
  cargo install wasm-bindgen-cli --version "$wb_version"
fi

# Every crate of the lock file, for the server and the browser builds alike, before any build
# needs it: a registry hiccup is retried here instead of failing a build half an hour in.
for try in 1 2 3; do
  if cargo fetch --locked --quiet; then break; fi
  [ "$try" = 3 ] && exit 1
  say "cargo fetch failed; trying again in 10 s"
  sleep 10
done

# wasm-opt comes from the npm package binaryen (Debian's is too old and breaks hydration).
if [ ! -x end2end/node_modules/.bin/wasm-opt ] || [ ! -d end2end/node_modules/@playwright/test ] \
  || [ ! -d end2end/node_modules/@axe-core/playwright ]; then
  say "Installing npm packages for end2end/ (wasm-opt, Playwright, axe)"
  (cd end2end && npm ci --no-audit --no-fund)
fi

if $want_test; then
  # The independent Open Badges 3.0 verifier the tests run (a venv under target/).
  scripts/ob3-verify.sh --install-only
  # The independent iCalendar parser the calendar tests read feeds with.
  scripts/ical-parse.sh --install-only
  if [ ! -x /usr/bin/chromium ]; then
    say "Installing Chromium from Debian"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
  fi
fi
