#!/usr/bin/env bash
# The release build: server and WASM (cargo leptos), then brotli and gzip copies of the static
# files. Every script that needs a release build calls this one.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PWD/end2end/node_modules/.bin:$PATH"
# Same flags as the Makefile, so builds share artifacts.
export RUSTFLAGS="${RUSTFLAGS:---cfg erase_components}"
cargo leptos build --release
node scripts/compress-assets.mjs target/site/pkg
