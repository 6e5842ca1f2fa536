#!/usr/bin/env bash
# Pages under concurrency (part of make bench): for SQLite and then PostgreSQL, a learner's course
# page and player in a course of 64 items and in one of 307, and the sign-in page; wrk with 16
# connections on loopback. Prints Markdown table rows.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${BENCH_DURATION:-10s}
ADDR=127.0.0.1:3103
BASE=http://$ADDR
DATA=$PWD/target/bench-pages
TOKEN=bench-pages-learner-session-token-0123456789
pg_admin=${LYCEUM_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}
pg_bench=$(python3 -c "import sys, urllib.parse as u; p = u.urlparse(sys.argv[1]); print(p._replace(path='/lyceum_bench_pages').geturl())" "$pg_admin")
server=""
trap 'if [ -n "$server" ]; then kill $server 2>/dev/null || true; fi' EXIT

for backend in ${PAGES_BACKENDS:-sqlite postgres}; do
  rm -rf "$DATA" && mkdir -p "$DATA"
  case $backend in
    sqlite) db_url="sqlite://$DATA/lyceum.db"; target="$DATA/lyceum.db" ;;
    postgres)
      psql "$pg_admin" -qc "DROP DATABASE IF EXISTS lyceum_bench_pages WITH (FORCE)" >/dev/null
      psql "$pg_admin" -qc "CREATE DATABASE lyceum_bench_pages" >/dev/null
      db_url="$pg_bench"; target="$pg_bench" ;;
  esac
  # The access log stays on (info), as shipped.
  DATABASE_URL="$db_url" LYCEUM_DATA_DIR=$DATA LYCEUM_ADDR=$ADDR LYCEUM_ADMIN_EMAIL=admin@bench.test \
    LYCEUM_ADMIN_PASSWORD='bench passphrase 2026' LEPTOS_SITE_ROOT=target/site \
    ./target/release/lyceum serve > "$DATA/server-$backend.log" 2>&1 &
  server=$!
  for _ in $(seq 1 120); do curl -sf "$BASE/readyz" >/dev/null && break; sleep 0.5; done
  read -r small small_item big big_item < <(python3 scripts/bench_pages_seed.py "$target" "$TOKEN")
  for spec in "Sign-in page|/sign-in" \
              "Course page, 64 items|/courses/$small" \
              "Player, a lesson of the 64-item course|/courses/$small/learn/$small_item" \
              "Course page, 307 items|/courses/$big" \
              "Player, a lesson of the 307-item course|/courses/$big/learn/$big_item"; do
    IFS='|' read -r name path <<<"$spec"
    code=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: lyceum_session=$TOKEN" "$BASE$path")
    [ "$code" = 200 ] || { echo "$path answered $code" >&2; exit 1; }
    result=$(wrk -t2 -c16 -d"$DURATION" --latency -H "Cookie: lyceum_session=$TOKEN" "$BASE$path")
    rps=$(awk '/Requests\/sec/{print $2}' <<<"$result")
    p50=$(awk '$1=="50%"{print $2}' <<<"$result")
    p99=$(awk '$1=="99%"{print $2}' <<<"$result")
    errors=$(awk '/Non-2xx|Socket errors/{print}' <<<"$result" | tr '\n' ' ')
    printf '| %s | %s | 16 | %s | %s | %s | %s |\n' "$backend" "$name" "$rps" "$p50" "$p99" "${errors:-none}"
  done
  kill $server; wait $server 2>/dev/null || true
  server=""
done
