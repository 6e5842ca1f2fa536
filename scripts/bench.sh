#!/usr/bin/env bash
# make bench: seeds 100,000 users, 10,000 published courses (5 items each) and 500,000 enrolments with
# progress into a scratch SQLite database, starts the release server, and measures pages with wrk on
# loopback at 16 and 64 connections. Writes BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PWD/end2end/node_modules/.bin:$PATH"
# Same flags as the Makefile, so builds share artifacts.
export RUSTFLAGS="${RUSTFLAGS:---cfg erase_components}"
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; }

USERS=${BENCH_USERS:-100000}
COURSES=${BENCH_COURSES:-10000}
DURATION=${BENCH_DURATION:-10s}
ADDR=127.0.0.1:3100
BASE=http://$ADDR
DATA=$PWD/target/bench-data
ADMIN=admin@bench.test
PASS='bench passphrase 2026'
rm -rf "$DATA" && mkdir -p "$DATA"

LYCEUM_DATA_DIR=$DATA LYCEUM_ADDR=$ADDR LYCEUM_ADMIN_EMAIL=$ADMIN LYCEUM_ADMIN_PASSWORD=$PASS \
  RUST_LOG=warn ./target/release/lyceum serve > "$DATA/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do curl -sf "$BASE/readyz" >/dev/null && break; sleep 0.5; done

echo "Seeding $USERS users…"
python3 - "$DATA/lyceum.db" "$USERS" <<'PY'
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1]); n = int(sys.argv[2]); now = int(time.time())
h = db.execute("SELECT password_hash FROM users WHERE email = 'admin@bench.test'").fetchone()[0]
db.execute("""WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < ?)
  INSERT INTO users (email, name, password_hash, status, created_at, updated_at, last_sign_in_at)
  SELECT 'person' || i || '@bench.test', 'Person ' || i, ?, 'active', ? - i, ? - i, CASE WHEN i % 3 = 0 THEN NULL ELSE ? - i * 7 END FROM seq""",
  (n, h, now, now, now))
db.execute("INSERT INTO user_roles (user_id, role) SELECT id, 'learner' FROM users WHERE email LIKE 'person%'")
db.commit()
print(db.execute("SELECT COUNT(*) FROM users").fetchone()[0], "users")
PY

echo "Seeding $COURSES courses, 5 enrolments per user, progress…"
python3 - "$DATA/lyceum.db" "$COURSES" <<'PY'
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1]); n = int(sys.argv[2]); now = int(time.time())
words = ['Biology', 'Chemistry', 'History', 'Algebra', 'Design', 'Python', 'Leadership', 'Safety', 'Finance', 'Marketing']
admin = db.execute("SELECT id FROM users WHERE email = 'admin@bench.test'").fetchone()[0]
db.executemany("INSERT INTO categories (id, parent_id, name, created_at) VALUES (?, ?, ?, ?)",
  [(i, None if i <= 5 else (i % 5) + 1, f"Category {i}", now) for i in range(1, 21)])
db.executemany("""INSERT INTO courses (id, code, title, summary, description, category_id, state, owner_id,
  self_enrol, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'published', ?, TRUE, ?, ?, ?)""",
  [(i, f"C-{i:05d}", f"{words[i % 10]} {i}", f"An introduction to {words[i % 10].lower()}, part {i}.",
    "# About\n\nSeeded for benchmarks.", (i % 20) + 1, admin, admin, now, now) for i in range(1, n + 1)])
db.executemany("INSERT INTO course_tags (course_id, tag) VALUES (?, ?)",
  [(i, t) for i in range(1, n + 1) for t in (words[i % 10].lower(), f"topic{i % 37}")])
db.executemany("INSERT INTO sections (id, course_id, title, position, created_at) VALUES (?, ?, 'Week 1', 0, ?)",
  [(i, i, now) for i in range(1, n + 1)])
db.executemany("""INSERT INTO items (id, course_id, section_id, kind, title, position, required, hidden, completion,
  body, created_at, updated_at) VALUES (?, ?, ?, 'lesson', ?, ?, TRUE, FALSE, 'view', ?, ?, ?)""",
  [((i - 1) * 5 + k + 1, i, i, f"Lesson {k + 1}", k, f"# Lesson {k + 1}\n\nSome *text* with a [link](https://example.com).\n\n" + "A paragraph of text. " * 40, now, now)
   for i in range(1, n + 1) for k in range(5)])
# Five courses per learner; each has completed the first (id % 6) of its five items.
db.execute("""WITH RECURSIVE k(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM k WHERE j < 4)
  INSERT INTO enrolments (course_id, user_id, role, status, method, enrolled_at, updated_at, last_activity_at)
  SELECT ((u.id * 7 + k.j * 1999) % ?) + 1, u.id, 'learner', 'active', 'self', ?, ?, ? FROM users u, k
  WHERE u.email LIKE 'person%'""", (n, now, now, now))
db.execute("""WITH RECURSIVE k(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM k WHERE j < 4)
  INSERT INTO item_progress (user_id, item_id, course_id, first_viewed_at, completed_at)
  SELECT e.user_id, (e.course_id - 1) * 5 + k.j + 1, e.course_id, ?, ? FROM enrolments e, k
  WHERE k.j < e.user_id % 6""", (now, now))
db.execute("UPDATE enrolments SET completed_at = ? WHERE user_id % 6 = 5", (now,))
db.commit()
for table in ['courses', 'items', 'enrolments', 'item_progress']:
    print(db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0], table)
PY

cookie_for() {
  curl -s -o /dev/null -D - -X POST "$BASE/api/auth/sign_in" \
    --data-urlencode "email=$1" --data-urlencode "password=$PASS" | awk -F'[=;]' '/^set-cookie: lyceum_session=/{print $2}'
}
admin_cookie=$(cookie_for "$ADMIN")
learner_cookie=$(cookie_for "person42@bench.test")
[ -n "$admin_cookie" ] && [ -n "$learner_cookie" ] || { echo "sign-in for the benchmark failed"; exit 1; }

out=$(mktemp)
run() { # name path cookie connections
  local result
  result=$(wrk -t2 -c"$4" -d"$DURATION" --latency ${3:+-H "Cookie: lyceum_session=$3"} "$BASE$2")
  local rps p50 p99 errors
  rps=$(awk '/Requests\/sec/{print $2}' <<<"$result")
  p50=$(awk '$1=="50%"{print $2}' <<<"$result")
  p99=$(awk '$1=="99%"{print $2}' <<<"$result")
  errors=$(awk '/Non-2xx|Socket errors/{print}' <<<"$result" | tr '\n' ' ')
  printf '| %s | %s | %s | %s | %s | %s |\n' "$1" "$4" "$rps" "$p50" "$p99" "${errors:-none}" | tee -a "$out"
}
# One of person42's courses and its first item (items of course c are (c - 1) * 5 + 1 … + 5).
player_course=$(python3 -c "import sqlite3; print(sqlite3.connect('$DATA/lyceum.db').execute(\"SELECT MIN(e.course_id) FROM enrolments e JOIN users u ON u.id = e.user_id WHERE u.email = 'person42@bench.test'\").fetchone()[0])")
player_item=$(( (player_course - 1) * 5 + 1 ))
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: lyceum_session=$learner_cookie" "$BASE/courses/$player_course/learn/$player_item")
[ "$code" = 200 ] || { echo "the player page answered $code"; exit 1; }
for c in 16 64; do
  run "Sign-in page" /sign-in "" $c
  run "Learner home page (My learning, 5 courses)" / "$learner_cookie" $c
  run "Catalogue, first page" /courses "$learner_cookie" $c
  run "Catalogue search (title or tag)" "/courses?q=biology" "$learner_cookie" $c
  run "Catalogue search (rare code)" "/courses?q=C-04242" "$learner_cookie" $c
  run "Course player page (records the view)" "/courses/$player_course/learn/$player_item" "$learner_cookie" $c
  run "Admin user list, first page" /admin/users "$admin_cookie" $c
  run "Admin user list, search" "/admin/users?q=person4242" "$admin_cookie" $c
done

{
  echo "# Benchmarks"
  echo
  echo "Made by \`make bench\` on $(date -u +%Y-%m-%d): release build, SQLite, $USERS seeded users, $COURSES published"
  echo "courses (5 lessons each), $((USERS * 5)) enrolments with progress; wrk on loopback"
  echo "(2 threads, $DURATION per row) on the same machine as the server."
  echo
  echo "Machine: $(nproc) cores ($(awk -F': ' '/model name/{print $2; exit}' /proc/cpuinfo)), $(free -g | awk '/Mem:/{print $2}') GiB RAM, $(uname -sr)."
  echo
  echo "| page | connections | requests/s | p50 | p99 | errors |"
  echo "|---|---|---|---|---|---|"
  cat "$out"
} > BENCHMARKS.md
kill $server 2>/dev/null || true

echo "Exam-day rush on SQLite and PostgreSQL…"
{
  echo
  echo "## Exam-day rush"
  echo
  echo "\`scripts/bench-exam.sh\` (part of \`make bench\`): on a fresh database, N learners enrolled in one course start its"
  echo "16-question quiz (shuffled, one-hour limit) within a window (60 s, or 5 s for a synchronized start), each from"
  echo "its own connection; each loads the attempt page and the attempt, saves answers ${RUSH_SAVES:-3} times with 20–40 s of"
  echo "think time between saves, and submits. Afterwards the script checks that every attempt is submitted and marked"
  echo "16/16. Times are per request, measured by the client (Python aiohttp with uvloop on the same 2 cores)."
}  >> BENCHMARKS.md
for run in ${RUSH_RUNS:-10000:60 20000:60 5000:5 10000:5}; do
  learners=${run%%:*}; window=${run##*:}
  rush=$(RUSH_LEARNERS=$learners RUSH_WINDOW=$window scripts/bench-exam.sh) || rush="$rush
(the run failed: see target/bench-exam)"
  {
    echo
    echo "### $learners learners, start window $window s"
    echo
    echo "| database | request | count | errors | p50 | p99 | max |"
    echo "|---|---|---|---|---|---|---|"
    echo "$rush"
  } >> BENCHMARKS.md
done

echo "Pages under concurrency on SQLite and PostgreSQL…"
pages=$(scripts/bench-pages.sh)
{
  echo
  echo "## Pages under concurrency"
  echo
  echo "\`scripts/bench-pages.sh\`: a learner's course page and player in courses of 64 and 307 lessons, and the"
  echo "sign-in page; wrk with 16 connections, $DURATION per row, access log on (as shipped)."
  echo
  echo "| database | page | connections | requests/s | p50 | p99 | errors |"
  echo "|---|---|---|---|---|---|---|"
  echo "$pages"
} >> BENCHMARKS.md

echo "Gradebook at scale on SQLite and PostgreSQL…"
gradebook=$(scripts/bench-gradebook.sh)
{
  echo
  echo "## Gradebook at scale"
  echo
  echo "\`scripts/bench-gradebook.sh\`: one course with N learners × M graded items (two weighted categories), every"
  echo "cell graded; wrk as the course's instructor, $DURATION per row. A page of the grader table is 50 learners × 12 items."
  echo
  echo "| database | request | connections | requests/s | p50 | p99 | errors |"
  echo "|---|---|---|---|---|---|---|"
  echo "$gradebook"
} >> BENCHMARKS.md

echo "Lighthouse…"
lighthouse=$(scripts/bench-lighthouse.sh)
{
  echo
  echo "## Lighthouse"
  echo
  echo "\`scripts/bench-lighthouse.sh\`: Lighthouse 12 with Debian's Chromium on the release build (mobile: simulated"
  echo "slow 4G and 4× slower CPU; desktop preset). LCP = largest contentful paint; transferred = every byte of the first visit."
  echo
  echo "| page | preset | performance | accessibility | best practices | LCP | transferred | console | failed checks |"
  echo "|---|---|---|---|---|---|---|---|---|"
  echo "$lighthouse"
} >> BENCHMARKS.md

echo "Certificates…"
certificates=$(scripts/bench-certificates.sh)
{
  echo
  echo "## Certificates"
  echo
  echo "\`scripts/bench-certificates.sh\`: release build, SQLite, wrk on loopback."
  echo
  echo "$certificates"
} >> BENCHMARKS.md
cat BENCHMARKS.md

echo "Learning record store…"
lrs_sqlite=$(scripts/bench-lrs.sh)
lrs_postgres=$(BENCH_DATABASE_URL=${BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres} scripts/bench-lrs.sh)
{
  echo
  echo "## Learning record store"
  echo
  echo "\`scripts/bench-lrs.sh\`: release build, wrk on loopback, 1,000,000 statements stored (10,000 people, 20 verbs,"
  echo "1,000 activities), a client with every scope."
  echo
  echo "$lrs_sqlite"
  echo
  echo "$lrs_postgres"
} >> BENCHMARKS.md
