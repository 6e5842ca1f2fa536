#!/usr/bin/env bash
# The built-in LRS under load (part of make bench, or alone): a release server on a scratch
# database (SQLite, or PostgreSQL beside the database of BENCH_DATABASE_URL), a client with every scope, then wrk on
# loopback: statements accepted per second (POST of 1 and of 50), and filtered GETs with
# BENCH_STATEMENTS (default 1,000,000) statements stored (10,000 people, 20 verbs, 1,000
# activities). Prints Markdown.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; }
DURATION=${BENCH_DURATION:-10s}
N=${BENCH_STATEMENTS:-1000000}
ADDR=127.0.0.1:3105
BASE=http://$ADDR
DATA=$PWD/target/bench-lrs
ADMIN=admin@bench.test
PASS='bench passphrase 2026'
rm -rf "$DATA" && mkdir -p "$DATA"
if [ -n "${BENCH_DATABASE_URL:-}" ]; then
  # An administrator's URL: the benchmark makes (and remakes) its own database beside it.
  psql "$BENCH_DATABASE_URL" -qc "DROP DATABASE IF EXISTS lyceum_bench_lrs WITH (FORCE)" >/dev/null
  psql "$BENCH_DATABASE_URL" -qc "CREATE DATABASE lyceum_bench_lrs" >/dev/null
  DB_URL=$(python3 -c "import sys, urllib.parse as u; p = u.urlparse(sys.argv[1]); print(p._replace(path='/lyceum_bench_lrs').geturl())" "$BENCH_DATABASE_URL")
  BACKEND=PostgreSQL
else
  DB_URL=sqlite://$DATA/lyceum.db; BACKEND=SQLite
fi
start_server() {
  DATABASE_URL=$DB_URL LYCEUM_DATA_DIR=$DATA LYCEUM_ADDR=$ADDR LYCEUM_ADMIN_EMAIL=$ADMIN \
    LYCEUM_ADMIN_PASSWORD=$PASS RUST_LOG=warn ./target/release/lyceum serve >> "$DATA/server.log" 2>&1 &
  server=$!
  for _ in $(seq 1 240); do curl -sf "$BASE/readyz" >/dev/null && return; sleep 0.5; done
  echo "The server did not start" >&2; cat "$DATA/server.log" >&2; exit 1
}
start_server
# A million statements take gigabytes: nothing of the run is kept (the machine also runs CI).
cleanup() {
  kill $server 2>/dev/null || true
  wait $server 2>/dev/null || true
  rm -rf "$DATA"
  if [ -n "${BENCH_DATABASE_URL:-}" ]; then
    psql "$BENCH_DATABASE_URL" -qc "DROP DATABASE IF EXISTS lyceum_bench_lrs WITH (FORCE)" >/dev/null || true
  fi
}
trap cleanup EXIT

jar=$DATA/cookies
curl -sf -c "$jar" -o /dev/null --data-urlencode "email=$ADMIN" --data-urlencode "password=$PASS" "$BASE/api/auth/sign_in"
made=$(curl -sf -b "$jar" -H 'Accept: application/json' --data-urlencode name=bench --data-urlencode scopes=all "$BASE/api/xapi/create_client")
auth="Basic $(python3 -c 'import json, sys, base64; m = json.loads(sys.argv[1]); print(base64.b64encode((m["info"]["key"] + ":" + m["secret"]).encode()).decode())' "$made")"

echo "Seeding $N statements ($BACKEND)…" >&2
base_us=$(( $(date +%s) * 1000000 - N * 1000 ))
if [ "$BACKEND" = SQLite ]; then
  kill $server; wait $server 2>/dev/null || true
  python3 - "$DATA/lyceum.db" "$N" "$base_us" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1]); n = int(sys.argv[2]); base = int(sys.argv[3])
db.execute("""WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < ?)
INSERT INTO xapi_statements (id, actor, verb, object_activity, stored, statement)
SELECT printf('%08x-0000-4000-8000-%012x', i, i), 'mbox:mailto:p' || (i % 10000) || '@bench.test',
  'http://adlnet.gov/expapi/verbs/v' || (i % 20), 'http://example.com/a/' || (i % 1000), ? + i * 1000,
  json_object('id', printf('%08x-0000-4000-8000-%012x', i, i),
    'actor', json_object('objectType', 'Agent', 'mbox', 'mailto:p' || (i % 10000) || '@bench.test'),
    'verb', json_object('id', 'http://adlnet.gov/expapi/verbs/v' || (i % 20)),
    'object', json_object('objectType', 'Activity', 'id', 'http://example.com/a/' || (i % 1000)),
    'stored', strftime('%Y-%m-%dT%H:%M:%fZ', (? + i * 1000) / 1000000.0, 'unixepoch'),
    'timestamp', strftime('%Y-%m-%dT%H:%M:%fZ', (? + i * 1000) / 1000000.0, 'unixepoch'),
    'version', '1.0.0')
FROM seq""", (n, base, base, base))
db.execute("INSERT INTO xapi_statement_agents (agent, seq) SELECT actor, seq FROM xapi_statements")
db.execute("INSERT INTO xapi_statement_activities (activity, seq) SELECT object_activity, seq FROM xapi_statements")
db.commit()
db.execute("ANALYZE")
print(db.execute("SELECT COUNT(*) FROM xapi_statements").fetchone()[0], "statements", file=sys.stderr)
PY
  start_server
else
  psql -q "$DB_URL" <<SQL
INSERT INTO xapi_statements (id, actor, verb, object_activity, stored, statement)
SELECT id, actor, verb, activity, stored, json_build_object('id', id,
    'actor', json_build_object('objectType', 'Agent', 'mbox', 'mailto:p' || (i % 10000) || '@bench.test'),
    'verb', json_build_object('id', verb), 'object', json_build_object('objectType', 'Activity', 'id', activity),
    'stored', to_char(to_timestamp(stored / 1000000.0) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
    'timestamp', to_char(to_timestamp(stored / 1000000.0) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
    'version', '1.0.0')::text
FROM (SELECT i, lpad(to_hex(i), 8, '0') || '-0000-4000-8000-' || lpad(to_hex(i), 12, '0') AS id,
        'mbox:mailto:p' || (i % 10000) || '@bench.test' AS actor, 'http://adlnet.gov/expapi/verbs/v' || (i % 20) AS verb,
        'http://example.com/a/' || (i % 1000) AS activity, $base_us + i * 1000 AS stored
      FROM generate_series(1, $N) AS i) s;
INSERT INTO xapi_statement_agents (agent, seq) SELECT actor, seq FROM xapi_statements;
INSERT INTO xapi_statement_activities (activity, seq) SELECT object_activity, seq FROM xapi_statements;
ANALYZE;
SQL
fi

one='{"actor":{"mbox":"mailto:bench@bench.test"},"verb":{"id":"http://adlnet.gov/expapi/verbs/experienced"},"object":{"id":"http://example.com/bench"}}'
fifty="[$(python3 -c "import sys; print(','.join([sys.argv[1]] * 50))" "$one")]"
post_script() { # body → a wrk script that POSTs it
  python3 - "$1" "$auth" > "$DATA/$2.lua" <<'PY'
import json, sys
print('wrk.method = "POST"')
print('wrk.body = ' + json.dumps(sys.argv[1]))
print('wrk.headers["Content-Type"] = "application/json"')
print('wrk.headers["X-Experience-API-Version"] = "1.0.3"')
print('wrk.headers["Authorization"] = ' + json.dumps(sys.argv[2]))
PY
}
post_script "$one" one
post_script "$fifty" fifty
measure() { # label, path, connections, [wrk script]
  local label=$1 path=$2 conns=$3 script=${4:-}
  local args=(-t2 -c"$conns" -d"$DURATION" --latency -H "Authorization: $auth" -H "X-Experience-API-Version: 1.0.3")
  [ -n "$script" ] && args+=(-s "$DATA/$script.lua")
  local out; out=$(wrk "${args[@]}" "$BASE$path")
  local rps p50 p99 errors
  rps=$(awk '/Requests\/sec/ {print int($2)}' <<<"$out")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out"); p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  errors=$(awk '/Non-2xx/ {print $5}' <<<"$out")
  echo "| $label | $conns | $rps | $p50 | $p99 | ${errors:-0} |"
}
enc() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"; }
agent=$(enc '{"mbox":"mailto:p42@bench.test"}')
verb=$(enc 'http://adlnet.gov/expapi/verbs/v3')
activity=$(enc 'http://example.com/a/7')
echo "### LRS, $BACKEND, $N statements stored"
echo
echo "| request | connections | requests/s | p50 | p99 | non-2xx |"
echo "|---|---|---|---|---|---|"
measure "GET, no filter, limit 25" "/xapi/statements?limit=25" 16
measure "GET agent (100 of $N), limit 25" "/xapi/statements?agent=$agent&limit=25" 16
measure "GET verb (1 in 20), limit 25" "/xapi/statements?verb=$verb&limit=25" 16
measure "GET activity, related, limit 25" "/xapi/statements?activity=$activity&related_activities=true&limit=25" 16
measure "GET agent + verb + since" "/xapi/statements?agent=$agent&verb=$verb&since=2000-01-01T00:00:00Z&limit=25" 16
measure "POST 1 statement" "/xapi/statements" 16 one
measure "POST 50 statements" "/xapi/statements" 16 fifty
