#!/usr/bin/env bash
# The gradebook at scale (part of make bench): for SQLite and then PostgreSQL, and for each size in
# GB_SIZES (learners x items), a course with that many learners × graded items; wrk measures the
# grader table's first and last pages and the whole-class CSV export, and the server's resident
# memory is read afterwards. Prints Markdown table rows.
set -euo pipefail
cd "$(dirname "$0")/.."
SIZES=${GB_SIZES:-1000x100 10000x50}
DURATION=${BENCH_DURATION:-10s}
ADDR=127.0.0.1:3102
BASE=http://$ADDR
DATA=$PWD/target/bench-gradebook
TOKEN=bench-gradebook-session-token-0123456789abcdef
pg_admin=${LYCEUM_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}
pg_bench=$(python3 -c "import sys, urllib.parse as u; p = u.urlparse(sys.argv[1]); print(p._replace(path='/lyceum_bench_gradebook').geturl())" "$pg_admin")
server=""
trap 'if [ -n "$server" ]; then kill $server 2>/dev/null || true; fi' EXIT

for backend in ${GB_BACKENDS:-sqlite postgres}; do
for size in $SIZES; do
  LEARNERS=${size%x*}; ITEMS=${size#*x}
  rm -rf "$DATA" && mkdir -p "$DATA"
  case $backend in
    sqlite) db_url="sqlite://$DATA/lyceum.db"; target="$DATA/lyceum.db" ;;
    postgres)
      psql "$pg_admin" -qc "DROP DATABASE IF EXISTS lyceum_bench_gradebook WITH (FORCE)" >/dev/null
      psql "$pg_admin" -qc "CREATE DATABASE lyceum_bench_gradebook" >/dev/null
      db_url="$pg_bench"; target="$pg_bench" ;;
  esac
  DATABASE_URL="$db_url" LYCEUM_DATA_DIR=$DATA LYCEUM_ADDR=$ADDR LYCEUM_ADMIN_EMAIL=admin@bench.test \
    LYCEUM_ADMIN_PASSWORD='bench passphrase 2026' RUST_LOG=warn LEPTOS_SITE_ROOT=target/site \
    ./target/release/lyceum serve > "$DATA/server-$backend.log" 2>&1 &
  server=$!
  for _ in $(seq 1 120); do curl -sf "$BASE/readyz" >/dev/null && break; sleep 0.5; done
  course=$(python3 scripts/bench_gradebook_seed.py "$target" "$LEARNERS" "$ITEMS" "$TOKEN")
  # One page's HTML (the shell, the table and the data it hydrates from) per cell.
  page_bytes=$(curl -s -H "Cookie: lyceum_session=$TOKEN" -H 'Accept-Encoding: identity' "$BASE/courses/$course/gradebook" | wc -c)
  cells=$(( (LEARNERS < 50 ? LEARNERS : 50) * (ITEMS < 12 ? ITEMS : 12) ))
  last_page=$(( (LEARNERS + 49) / 50 ))
  last_cols=$(( (ITEMS + 11) / 12 ))
  for check in "/courses/$course/gradebook" "/courses/$course/grades.csv"; do
    code=$(curl -s -o "$DATA/check.out" -w '%{http_code}' -H "Cookie: lyceum_session=$TOKEN" "$BASE$check")
    [ "$code" = 200 ] || { echo "$check answered $code" >&2; exit 1; }
  done
  rows=$(( $(wc -l < "$DATA/check.out") - 1 ))
  [ "$rows" = "$LEARNERS" ] || { echo "the CSV has $rows rows, expected $LEARNERS" >&2; exit 1; }
  for spec in "$LEARNERS × $ITEMS: grader table, first page ($page_bytes bytes, $((page_bytes / cells)) per cell)|/courses/$course/gradebook|16" \
              "$LEARNERS × $ITEMS: grader table, last page of learners and of items|/courses/$course/gradebook?page=$last_page&cols=$last_cols|16" \
              "$LEARNERS × $ITEMS: CSV export ($(wc -c < "$DATA/check.out") bytes)|/courses/$course/grades.csv|4" \
              "$LEARNERS × $ITEMS: CSV export, one at a time|/courses/$course/grades.csv|1"; do
    IFS='|' read -r name path conns <<<"$spec"
    result=$(wrk -t"$(( conns < 2 ? 1 : 2 ))" -c"$conns" -d"$DURATION" --latency -H "Cookie: lyceum_session=$TOKEN" "$BASE$path")
    rps=$(awk '/Requests\/sec/{print $2}' <<<"$result")
    p50=$(awk '$1=="50%"{print $2}' <<<"$result")
    p99=$(awk '$1=="99%"{print $2}' <<<"$result")
    errors=$(awk '/Non-2xx|Socket errors/{print}' <<<"$result" | tr '\n' ' ')
    printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$backend" "$name" "$conns" "$rps" "$p50" "$p99" "${errors:-none}"
  done
  rss=$(awk '/VmRSS/{printf "%d", $2 / 1024}' "/proc/$server/status")
  printf '| %s | %s | | | | | %s MB resident |\n' "$backend" "$LEARNERS × $ITEMS: server memory after the runs above" "$rss"
  kill $server; wait $server 2>/dev/null || true
  server=""
done
done
