#!/usr/bin/env bash
# End-to-end tests: release build, then for each database (SQLite, then PostgreSQL) a server on a
# scratch database with a known administrator and the Playwright specs in Debian's Chromium.
# Exits non-zero if the build or any test fails. LYCEUM_E2E_BACKENDS="sqlite" limits the run.
# The forwarding spec needs another LRS and the sign-in spec an OpenID Connect provider: without
# them named, this runs itself inside scripts/lrs-test-server.sh (Ralph) and
# scripts/oidc-test-server.sh (npm oidc-provider).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${LYCEUM_TEST_LRS_URL:-}" ]; then
  exec scripts/lrs-test-server.sh scripts/e2e.sh "$@"
fi
if [ -z "${LYCEUM_TEST_OIDC_ISSUER:-}" ]; then
  exec scripts/oidc-test-server.sh scripts/e2e.sh "$@"
fi
export PATH="$HOME/.cargo/bin:$PWD/end2end/node_modules/.bin:$PATH"
scripts/build-release.sh

pg_admin=${LYCEUM_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}
pg_e2e=$(python3 -c "import sys, urllib.parse as u; p = u.urlparse(sys.argv[1]); print(p._replace(path='/lyceum_e2e').geturl())" "$pg_admin")
export LYCEUM_ADMIN_EMAIL=admin@example.com LYCEUM_ADMIN_NAME="Admin User" LYCEUM_ADMIN_PASSWORD="correct horse battery staple"
server=""
trap 'if [ -n "$server" ]; then kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; fi' EXIT

for backend in ${LYCEUM_E2E_BACKENDS:-sqlite postgres}; do
  data="$PWD/target/e2e-data-$backend"
  rm -rf "$data"
  case $backend in
    sqlite) db_url="sqlite://$data/lyceum.db" ;;
    postgres)
      psql "$pg_admin" -qc "DROP DATABASE IF EXISTS lyceum_e2e WITH (FORCE)" >/dev/null
      psql "$pg_admin" -qc "CREATE DATABASE lyceum_e2e" >/dev/null
      db_url="$pg_e2e" ;;
    *) echo "unknown backend $backend" >&2; exit 2 ;;
  esac
  echo "==> Browser tests on $backend"
  DATABASE_URL="$db_url" LYCEUM_DATA_DIR="$data" LYCEUM_ADDR=127.0.0.1:3000 LYCEUM_MAX_UPLOAD_MB=5 LYCEUM_TEST_CLOCK=true \
    LEPTOS_SITE_ROOT=target/site ./target/release/lyceum serve > "target/e2e-server-$backend.log" 2>&1 &
  server=$!
  # global-setup.ts waits until /readyz answers.
  (cd end2end && npx playwright test "$@")
  kill $server; wait $server 2>/dev/null || true
  server=""
done
