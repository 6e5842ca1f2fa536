#!/usr/bin/env bash
# End-to-end tests: release build, a server on a scratch SQLite database with a known administrator,
# then Playwright in Debian's Chromium. Exits non-zero if the build or any test fails.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PWD/end2end/node_modules/.bin:$PATH"
# Same flags as the Makefile, so builds share artifacts.
export RUSTFLAGS="${RUSTFLAGS:---cfg erase_components}"
cargo leptos build --release

data="$PWD/target/e2e-data"
rm -rf "$data"
export LYCEUM_ADMIN_EMAIL=admin@example.com LYCEUM_ADMIN_NAME="Admin User" LYCEUM_ADMIN_PASSWORD="correct horse battery staple"
env -u DATABASE_URL LYCEUM_DATA_DIR="$data" LYCEUM_ADDR=127.0.0.1:3000 LYCEUM_MAX_UPLOAD_MB=5 LEPTOS_SITE_ROOT=target/site \
  ./target/release/lyceum serve > target/e2e-server.log 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true' EXIT

# global-setup.ts waits until /readyz answers.
(cd end2end && npx playwright test "$@")
