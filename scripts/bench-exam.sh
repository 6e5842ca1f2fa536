#!/usr/bin/env bash
# The exam-day rush (part of make bench): for SQLite and then PostgreSQL, a fresh database with
# RUSH_LEARNERS learners enrolled in one course whose 16-question quiz they all start within
# RUSH_WINDOW seconds, save ~every 30 s (RUSH_SAVES times) and submit. Prints Markdown table rows
# on stdout; fails if any attempt is not submitted and fully marked.
set -euo pipefail
cd "$(dirname "$0")/.."
LEARNERS=${RUSH_LEARNERS:-2000}
WINDOW=${RUSH_WINDOW:-60}
SAVES=${RUSH_SAVES:-3}
ADDR=127.0.0.1:3101
BASE=http://$ADDR
DATA=$PWD/target/bench-exam
PASS='bench passphrase 2026'
python3 -c 'import aiohttp' 2>/dev/null || pip install --quiet 'aiohttp>=3.9,<4' >&2
python3 -c 'import uvloop' 2>/dev/null || pip install --quiet 'uvloop>=0.19' >&2
# Every simulated browser holds its own connection.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

pg_admin=${LYCEUM_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}
pg_bench=$(python3 -c "import sys, urllib.parse as u; p = u.urlparse(sys.argv[1]); print(p._replace(path='/lyceum_bench_exam').geturl())" "$pg_admin")
server=""
trap 'if [ -n "$server" ]; then kill $server 2>/dev/null || true; fi' EXIT

for backend in ${RUSH_BACKENDS:-sqlite postgres}; do
  rm -rf "$DATA" && mkdir -p "$DATA"
  case $backend in
    sqlite) db_url="sqlite://$DATA/lyceum.db"; target="$DATA/lyceum.db" ;;
    postgres)
      psql "$pg_admin" -qc "DROP DATABASE IF EXISTS lyceum_bench_exam WITH (FORCE)" >/dev/null
      psql "$pg_admin" -qc "CREATE DATABASE lyceum_bench_exam" >/dev/null
      db_url="$pg_bench"; target="$pg_bench" ;;
  esac
  DATABASE_URL="$db_url" LYCEUM_DATA_DIR=$DATA LYCEUM_ADDR=$ADDR LYCEUM_ADMIN_EMAIL=admin@bench.test LYCEUM_ADMIN_PASSWORD=$PASS \
    RUST_LOG=warn LEPTOS_SITE_ROOT=target/site ./target/release/lyceum serve > "$DATA/server-$backend.log" 2>&1 &
  server=$!
  for _ in $(seq 1 120); do curl -sf "$BASE/readyz" >/dev/null && break; sleep 0.5; done
  python3 scripts/exam_rush.py seed "$target" "$LEARNERS"
  item=$(python3 scripts/exam_rush.py item "$target")
  python3 scripts/exam_rush.py run "$BASE" "$LEARNERS" "$WINDOW" "$SAVES" "$backend" "$item"
  python3 scripts/exam_rush.py check "$target" "$LEARNERS"
  kill $server; wait $server 2>/dev/null || true
  server=""
done
