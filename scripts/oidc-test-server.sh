#!/usr/bin/env bash
# Runs a command (e.g. `cargo test`) with a real OpenID Connect provider beside it: npm
# `oidc-provider` (end2end/oidc-provider.mjs, installed with the end2end/ packages) on 127.0.0.1,
# and LYCEUM_TEST_OIDC_ISSUER/_CLIENT_ID/_CLIENT_SECRET naming it, so tests/sso.rs and the
# browser tests sign in through it. Its client accepts Lyceum's callbacks at
# http://127.0.0.1:3000/sso/{idp,second}/callback (the tests' and the browser tests' base URL).
# The server is stopped when the command ends, however it ends.
# Usage: scripts/oidc-test-server.sh COMMAND [ARGS...]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
port="${LYCEUM_TEST_OIDC_PORT:-5058}"
client_id=lyceum
client_secret="test-$RANDOM$RANDOM$RANDOM"

if [ ! -d "$root/end2end/node_modules/oidc-provider" ]; then
  (cd "$root/end2end" && npm ci --no-audit --no-fund >&2)
fi
if curl -s -o /dev/null "http://127.0.0.1:$port/"; then
  echo "Port $port is already in use; set LYCEUM_TEST_OIDC_PORT to a free port." >&2
  exit 1
fi
log="$(mktemp -t lyceum-oidc.XXXXXX)"
node "$root/end2end/oidc-provider.mjs" "$port" "$client_id" "$client_secret" \
  http://127.0.0.1:3000/sso/idp/callback http://127.0.0.1:3000/sso/second/callback >"$log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 200); do
  curl -s -o /dev/null "http://127.0.0.1:$port/.well-known/openid-configuration" && break
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "The OIDC test provider did not start:" >&2
    cat "$log" >&2
    exit 1
  fi
  sleep 0.1
done
export LYCEUM_TEST_OIDC_ISSUER="http://127.0.0.1:$port" LYCEUM_TEST_OIDC_CLIENT_ID="$client_id" \
  LYCEUM_TEST_OIDC_CLIENT_SECRET="$client_secret"
"$@"
