#!/usr/bin/env bash
# SCORM at load (part of make bench; issue 13): for SQLite and then PostgreSQL, a fresh database
# with SCORM_LEARNERS learners (500) enrolled in one course whose SCORM 1.2 package they open
# within 10 s and commit to every 10 s for SCORM_SECONDS (300), then finish. Prints Markdown table
# rows on stdout; fails if any learner's last commit or completion is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
LEARNERS=${SCORM_LEARNERS:-500}
SECONDS_=${SCORM_SECONDS:-300}
ADDR=127.0.0.1:3102
BASE=http://$ADDR
DATA=$PWD/target/bench-scorm
PASS='bench passphrase 2026'
python3 -c 'import aiohttp' 2>/dev/null || pip install --quiet 'aiohttp>=3.9,<4' >&2
python3 -c 'import uvloop' 2>/dev/null || pip install --quiet 'uvloop>=0.19' >&2
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

pg_admin=${LYCEUM_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}
pg_bench=$(python3 -c "import sys, urllib.parse as u; p = u.urlparse(sys.argv[1]); print(p._replace(path='/lyceum_bench_scorm').geturl())" "$pg_admin")
server=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; fi
  psql "$pg_admin" -qc "DROP DATABASE IF EXISTS lyceum_bench_scorm WITH (FORCE)" >/dev/null 2>&1 || true
}
trap cleanup EXIT

for backend in ${SCORM_BACKENDS:-sqlite postgres}; do
  rm -rf "$DATA" && mkdir -p "$DATA"
  case $backend in
    sqlite) db_url="sqlite://$DATA/lyceum.db"; target="$DATA/lyceum.db" ;;
    postgres)
      psql "$pg_admin" -qc "DROP DATABASE IF EXISTS lyceum_bench_scorm WITH (FORCE)" >/dev/null
      psql "$pg_admin" -qc "CREATE DATABASE lyceum_bench_scorm" >/dev/null
      db_url="$pg_bench"; target="$pg_bench" ;;
  esac
  DATABASE_URL="$db_url" LYCEUM_DATA_DIR=$DATA LYCEUM_ADDR=$ADDR LYCEUM_ADMIN_EMAIL=admin@bench.test LYCEUM_ADMIN_PASSWORD=$PASS \
    RUST_LOG=warn LEPTOS_SITE_ROOT=target/site ./target/release/lyceum serve > "$DATA/server-$backend.log" 2>&1 &
  server=$!
  for _ in $(seq 1 120); do curl -sf "$BASE/readyz" >/dev/null && break; sleep 0.5; done
  python3 scripts/scorm_rush.py seed "$target" "$LEARNERS"
  item=$(python3 scripts/scorm_rush.py item "$target")
  # The package goes in as an administrator would upload it: through the form's route.
  python3 scripts/scorm_rush.py package "$DATA/package.zip"
  curl -sf -c "$DATA/cookies" --data-urlencode email=admin@bench.test --data-urlencode "password=$PASS" "$BASE/api/auth/sign_in" >/dev/null
  curl -sf -b "$DATA/cookies" -H 'Accept: application/json' -F "file=@$DATA/package.zip;type=application/zip" "$BASE/items/$item/package" >/dev/null
  python3 scripts/scorm_rush.py run "$BASE" "$LEARNERS" 10 "$SECONDS_" "$backend" "$item"
  python3 scripts/scorm_rush.py check "$target" "$LEARNERS" "$item"
  kill $server; wait $server 2>/dev/null || true
  server=""
done
