#!/usr/bin/env bash
# Runs the ADL LRS conformance test suite (adlnet/lrs-conformance-test-suite, node) against the
# built-in LRS (/xapi) of a server on a scratch SQLite database, with a client made by the
# administrator. The suite is not on the npm registry: point LYCEUM_LRS_SUITE at a checkout (a
# work tree, or a bare git directory whose HEAD is unpacked). Prints the suite's summary.
# Usage: scripts/lrs-conformance.sh [SERVER_BINARY] [XAPI_VERSION]
#        (defaults: target/release/lyceum, 1.0.3; the other version is 2.0.0)
# Extra arguments for the suite's runner go in LYCEUM_LRS_SUITE_ARGS (e.g. '-g "XAPI-00100"').
set -euo pipefail
cd "$(dirname "$0")/.."
binary="${1:-target/release/lyceum}"
xapi_version="${2:-1.0.3}"
port="${LYCEUM_CONFORMANCE_PORT:-3108}"
base="http://127.0.0.1:$port"
suite_source="${LYCEUM_LRS_SUITE:-/work/.mirror/adlnet+lrs-conformance-test-suite/repo}"
suite=target/lrs-conformance-suite

if [ ! -d "$suite/node_modules" ]; then
  if [ -f "$suite_source/package.json" ]; then
    rm -rf "$suite" && mkdir -p "$suite" && cp -r "$suite_source"/. "$suite"/
  elif git --git-dir="$suite_source" rev-parse HEAD >/dev/null 2>&1; then
    rm -rf "$suite" && mkdir -p "$suite"
    git --git-dir="$suite_source" archive HEAD | tar -x -C "$suite"
  else
    echo "No LRS conformance suite at $suite_source: set LYCEUM_LRS_SUITE to a checkout of" >&2
    echo "https://github.com/adlnet/lrs-conformance-test-suite." >&2
    exit 2
  fi
  echo "Installing the suite's packages (npm)..." >&2
  (cd "$suite" && npm install --no-audit --no-fund --loglevel=error >/dev/null)
fi
if [ ! -x "$binary" ]; then
  echo "No server binary at $binary: build it first (scripts/build-release.sh)." >&2
  exit 1
fi
if curl -s -o /dev/null "$base"; then
  echo "Port $port is already in use; set LYCEUM_CONFORMANCE_PORT to a free port." >&2
  exit 1
fi

data="$(mktemp -d -t lyceum-lrs.XXXXXX)"
log="$data/server.log"
email=admin@example.com
password="correct horse battery staple"
LYCEUM_ADMIN_EMAIL=$email LYCEUM_ADMIN_PASSWORD="$password" LYCEUM_ADMIN_NAME="Admin User" \
  DATABASE_URL="${LYCEUM_LRS_DATABASE_URL:-sqlite://$data/lyceum.db}" LYCEUM_DATA_DIR="$data" \
  LYCEUM_ADDR="127.0.0.1:$port" LEPTOS_SITE_ROOT=target/site "$binary" serve >"$log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 300); do
  curl -sf -o /dev/null "$base/readyz" && break
  if ! kill -0 "$server" 2>/dev/null; then
    echo "The server did not start:" >&2
    cat "$log" >&2
    exit 1
  fi
  sleep 0.1
done

# A client with every scope, made the way an administrator makes one on /admin/lrs.
jar="$data/cookies"
curl -sf -c "$jar" -o /dev/null --data-urlencode "email=$email" --data-urlencode "password=$password" \
  "$base/api/auth/sign_in"
made=$(curl -sf -b "$jar" -H 'Accept: application/json' --data-urlencode "name=conformance" \
  --data-urlencode "scopes=all" "$base/api/xapi/create_client")
key=$(python3 -c 'import json, sys; print(json.loads(sys.argv[1])["info"]["key"])' "$made")
secret=$(python3 -c 'import json, sys; print(json.loads(sys.argv[1])["secret"])' "$made")

cd "$suite"
# shellcheck disable=SC2086
node bin/console_runner.js -e "$base/xapi" -a -u "$key" -p "$secret" -x "$xapi_version" \
  ${LYCEUM_LRS_SUITE_ARGS:-} 2>&1 | tee "$data/suite.log" | grep -v '^\s*$' | tail -n "${LYCEUM_LRS_TAIL:-60}"
