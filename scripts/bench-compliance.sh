#!/usr/bin/env bash
# Compliance at scale (part of make bench, or alone): 100,000 people in 40 departments and 5 sites
# with reporting lines (ten reports each), 200 audiences (a department at a site), 50 courses and
# 50 requirements (each assigned to 8 audiences, yearly recertification), in a scratch SQLite
# database. Times the nightly run (the first assigns and enrols everyone; the second recomputes
# every status after half the people completed), then measures the compliance matrix and one
# manager's team page with wrk. Prints Markdown.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; }
USERS=${BENCH_USERS:-100000}
DURATION=${BENCH_DURATION:-10s}
ADDR=127.0.0.1:3103
BASE=http://$ADDR
DATA=$PWD/target/bench-compliance
ADMIN=admin@bench.test
PASS='bench passphrase 2026'
rm -rf "$DATA" && mkdir -p "$DATA"
DB=$DATA/lyceum.db

start_server() {
  LYCEUM_DATA_DIR=$DATA LYCEUM_ADDR=$ADDR LYCEUM_ADMIN_EMAIL=$ADMIN LYCEUM_ADMIN_PASSWORD=$PASS \
    RUST_LOG=warn ./target/release/lyceum serve >> "$DATA/server.log" 2>&1 &
  server=$!
  for _ in $(seq 1 120); do curl -sf "$BASE/readyz" >/dev/null && return; sleep 0.5; done
  echo "the server did not start"; exit 1
}
server=""
trap 'if [ -n "$server" ]; then kill $server 2>/dev/null || true; fi' EXIT
start_server

python3 - "$DB" "$USERS" <<'PY'
import json, sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], timeout=600); n = int(sys.argv[2]); now = int(time.time())
h, admin = db.execute("SELECT password_hash, id FROM users WHERE email = 'admin@bench.test'").fetchone()
db.execute("""WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < ?)
  INSERT INTO users (email, name, password_hash, status, created_at, updated_at)
  SELECT 'person' || i || '@bench.test', 'Person ' || i, ?, 'active', ?, ? FROM seq""", (n, h, now, now))
db.execute("INSERT INTO user_roles (user_id, role) SELECT id, 'learner' FROM users WHERE email LIKE 'person%'")
ids = {int(email[6:email.index('@')]): uid
       for uid, email in db.execute("SELECT id, email FROM users WHERE email LIKE 'person%'").fetchall()}
# Person i reports to person i // 10 (person 1 manages 10..19, who manage 100..199, …).
db.executemany("INSERT INTO user_profiles (user_id, department, location, manager_id, updated_at) VALUES (?, ?, ?, ?, ?)",
  [(uid, f"Dept {i % 40}", f"Site {i % 5}", ids.get(i // 10) if i >= 10 else None, now) for i, uid in ids.items()])
db.executemany("""INSERT INTO audiences (name, match_all, rules, created_by, created_at, updated_at) VALUES (?, TRUE, ?, ?, ?, ?)""",
  [(f"Dept {d} at Site {s}", json.dumps([
      {"field": "text", "column": "department", "op": "is", "value": f"Dept {d}"},
      {"field": "text", "column": "location", "op": "is", "value": f"Site {s}"}]), admin, now, now)
   for d in range(40) for s in range(5)])
for c in range(1, 51):
    cid = db.execute("""INSERT INTO courses (code, title, summary, description, state, owner_id, self_enrol, created_by,
      created_at, updated_at) VALUES (?, ?, '', '', 'published', ?, FALSE, ?, ?, ?) RETURNING id""",
      (f"REQ-{c:02d}", f"Required course {c}", admin, admin, now, now)).fetchone()[0]
    sid = db.execute("INSERT INTO sections (course_id, title, position, created_at) VALUES (?, 'Part 1', 0, ?) RETURNING id", (cid, now)).fetchone()[0]
    db.execute("""INSERT INTO items (course_id, section_id, kind, title, position, required, hidden, completion, body, created_at, updated_at)
      VALUES (?, ?, 'lesson', 'Lesson', 0, TRUE, FALSE, 'view', 'Read this.', ?, ?)""", (cid, sid, now, now))
    timing = {"due": {"kind": "after_assignment", "days": 30}, "recurrence": {"valid_months": 12, "window_days": 30}, "due_soon_days": 14}
    plan = {"before_days": 7, "on_overdue": True, "repeat_days": 7, "escalate_after_days": 14}
    rid = db.execute("""INSERT INTO requirements (name, course_id, timing, reminders, created_by, created_at, updated_at)
      VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id""", (f"Requirement {c}", cid, json.dumps(timing), json.dumps(plan), admin, now, now)).fetchone()[0]
    aud = [a for (a,) in db.execute("SELECT id FROM audiences ORDER BY id").fetchall()]
    db.executemany("INSERT INTO requirement_targets (requirement_id, kind, target_id) VALUES (?, 'audience', ?)",
      [(rid, aud[(c * 4 + k) % len(aud)]) for k in range(8)])
db.commit()
PY

# Runs a job of this kind now, in the server, and prints how long it took (the worker looks
# every second).
timed_job() {
  local id t0 state
  id=$(python3 -c "import sqlite3, time; db = sqlite3.connect('$DB', timeout=600); t = int(time.time()); print(db.execute(\"INSERT INTO jobs (kind, payload, run_at, max_attempts, created_at) VALUES ('$1', '{}', ?, 8, ?) RETURNING id\", (t, t)).fetchone()[0]); db.commit()")
  t0=$(date +%s.%N)
  while :; do
    state=$(python3 -c "import sqlite3; print(sqlite3.connect('$DB', timeout=600).execute('SELECT state FROM jobs WHERE id = $id').fetchone()[0])")
    [ "$state" = done ] && break
    [ "$state" = dead ] && { echo "the $1 job failed"; exit 1; }
    sleep 0.5
  done
  python3 -c "print(f'{$(date +%s.%N) - $t0:.1f}')"
}
nightly() { timed_job compliance.nightly; }
first=$(nightly)
rows=$(python3 -c "import sqlite3; print(sqlite3.connect('$DB', timeout=600).execute('SELECT COUNT(*) FROM requirement_people').fetchone()[0])")
# Half the people completed their courses at some point in the last year.
python3 -c "import sqlite3, time; db = sqlite3.connect('$DB', timeout=600); t = int(time.time()); db.execute('UPDATE enrolments SET completed_at = ? - (user_id % 365) * 86400 WHERE user_id % 2 = 0', (t,)); db.commit()"
second=$(nightly)
# The matrix alone (the nightly run computes it last; this is the job a change queues).
matrix=$(timed_job compliance.matrix)
states=$(python3 -c "import sqlite3; print(', '.join(f'{s}: {n}' for s, n in sqlite3.connect('$DB', timeout=600).execute('SELECT state, COUNT(*) FROM requirement_people GROUP BY state ORDER BY state')))")

cookie_for() {
  curl -s -o /dev/null -D - -X POST "$BASE/api/auth/sign_in" \
    --data-urlencode "email=$1" --data-urlencode "password=$PASS" | awk -F'[=;]' '/^set-cookie: lyceum_session=/{print $2}'
}
admin_cookie=$(cookie_for "$ADMIN")
manager_cookie=$(cookie_for "person1@bench.test")
[ -n "$admin_cookie" ] && [ -n "$manager_cookie" ] || { echo "sign-in for the benchmark failed"; exit 1; }
run() { # name path cookie
  local result rps p50 p99 errors
  result=$(wrk -t2 -c16 -d"$DURATION" --latency -H "Cookie: lyceum_session=$3" "$BASE$2")
  rps=$(awk '/Requests\/sec/{print $2}' <<<"$result")
  p50=$(awk '$1=="50%"{print $2}' <<<"$result")
  p99=$(awk '$1=="99%"{print $2}' <<<"$result")
  errors=$(awk '/Non-2xx|Socket errors/{print}' <<<"$result" | tr '\n' ' ')
  printf '| %s | %s | %s | %s | %s |\n' "$1" "$rps" "$p50" "$p99" "${errors:-none}"
}
for path in "/admin/compliance" "/team"; do
  code=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: lyceum_session=$([ $path = /team ] && echo "$manager_cookie" || echo "$admin_cookie")" "$BASE$path")
  [ "$code" = 200 ] || { echo "$path answered $code"; exit 1; }
done
echo "Nightly run, first (assigns $rows requirement rows and enrols them): ${first} s"
echo "Nightly run, second (every status recomputed after half completed; $states): ${second} s"
echo "Compliance matrix computed again (the job; 40 departments, 200 audiences, everyone × 50 requirements): ${matrix} s"
echo
echo "| page (16 connections) | requests/s | p50 | p99 | errors |"
echo "|---|---|---|---|---|"
# The team page first: the matrix runs leave timed-out requests still running on the server,
# which would be counted against whatever is measured after them.
run "Manager's team page (11,110 people below, first 50)" /team "$manager_cookie"
run "Compliance matrix by department (40 rows × 50 requirements)" /admin/compliance "$admin_cookie"
run "Compliance matrix by audience (first 25 of 200)" "/admin/compliance?by=audience" "$admin_cookie"
