#!/usr/bin/env bash
# The release build: server and WASM (cargo leptos), then brotli and gzip copies of the static
# files. Every script that needs a release build calls this one.
set -euo pipefail
cd "$(dirname "$0")/.."
# scripts/wasm-opt first: it defers the tiny split chunks to one process (see the script).
export PATH="$PWD/scripts/wasm-opt:$HOME/.cargo/bin:$PWD/end2end/node_modules/.bin:$PATH"
# Same flags as the Makefile, so builds share artifacts.
export RUSTFLAGS="${RUSTFLAGS:---cfg erase_components}"
# cargo-leptos runs wasm-bindgen and wasm-opt again even when nothing changed: skip the whole
# build when no input is newer than the last one (make test builds for e2e and then for the API
# conformance run).
# Outside target/site, which cargo-leptos empties while it builds.
stamp=target/.release-built
if [ -f "$stamp" ] && [ -x target/release/lyceum ] && [ -f target/site/pkg/lyceum.wasm ] && [ -z "$(find src style public migrations end2end/package-lock.json \
    Cargo.toml Cargo.lock scripts/build-release.sh scripts/compress-assets.mjs scripts/wasm-opt -newer "$stamp" -print -quit 2>/dev/null)" ]; then
  echo "The release build is up to date."
  exit 0
fi
# Stamped with the time the build started, so a file saved during the build is newer than it.
touch "$stamp.next"
export WASM_OPT_DEFER=$PWD/target/wasm-opt-deferred.txt
rm -f "$WASM_OPT_DEFER"
# On failure the end of the output says why (cargo-leptos ends its own report with a long
# backtrace, which is all a log's tail would show) and how much disk is left.
log=target/release-build.log
mkdir -p target
if ! RUST_BACKTRACE=0 RUST_LIB_BACKTRACE=0 cargo leptos build --release --split 2>&1 | tee "$log"; then
  echo "==> The release build failed. Its errors:" >&2
  grep -E -i "error|panicked|no space|killed" "$log" | grep -v "^warning" | tail -30 >&2 || true
  df -h . /tmp >&2 || true
  exit 1
fi
node scripts/wasm-opt/optimize-deferred.mjs "$WASM_OPT_DEFER"
node scripts/compress-assets.mjs target/site/pkg
mv "$stamp.next" "$stamp"
