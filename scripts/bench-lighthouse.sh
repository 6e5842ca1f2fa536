#!/usr/bin/env bash
# Lighthouse (part of make bench) on the release build with Debian's Chromium: sign-in, catalogue,
# course, player (a lesson) and a quiz attempt, with the mobile preset (simulated slow 4G and a
# slow CPU) and the desktop one. Prints Markdown table rows on stdout: scores, largest contentful
# paint, bytes transferred and whether the console had errors.
set -euo pipefail
cd "$(dirname "$0")/.."
ADDR=127.0.0.1:3102
BASE=http://$ADDR
DATA=$PWD/target/bench-lighthouse
OUT=$DATA/reports
PASS='bench passphrase 2026'
[ -x /usr/bin/chromium ] || { echo "Lighthouse needs Debian's chromium (scripts/setup.sh --test)" >&2; exit 1; }
# Lighthouse 12: version 13 needs Node.js 22, and this machine has 20.
if [ ! -x scripts/lighthouse/node_modules/.bin/lighthouse ]; then
  (cd scripts/lighthouse && npm install --no-audit --no-fund >&2)
fi
rm -rf "$DATA" && mkdir -p "$OUT"

LYCEUM_DATA_DIR=$DATA LYCEUM_ADDR=$ADDR LYCEUM_ADMIN_EMAIL=admin@bench.test LYCEUM_ADMIN_PASSWORD=$PASS \
  RUST_LOG=warn LEPTOS_SITE_ROOT=target/site ./target/release/lyceum serve > "$DATA/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do curl -sf "$BASE/readyz" >/dev/null && break; sleep 0.5; done

# A published course with a quiz (the exam-rush seed, five learners with known sessions) and a lesson.
python3 scripts/exam_rush.py seed "$DATA/lyceum.db" 5
python3 - "$DATA/lyceum.db" <<'PY'
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1]); now = int(time.time())
course, section = db.execute("SELECT course_id, id FROM sections LIMIT 1").fetchone()
body = "# Fire safety\n\nKnow where the exits are. " + "Read each step, then try it in the practice area. " * 30
db.execute("""INSERT INTO items (course_id, section_id, kind, title, position, required, hidden, completion, body,
  created_at, updated_at) VALUES (?, ?, 'lesson', 'Before the exam', 1, TRUE, FALSE, 'view', ?, ?, ?)""",
  (course, section, body, now, now))
db.commit()
PY
read -r course lesson quiz < <(python3 -c "
import sqlite3; db = sqlite3.connect('$DATA/lyceum.db')
print(*db.execute(\"SELECT course_id, (SELECT id FROM items WHERE kind = 'lesson'), (SELECT id FROM items WHERE kind = 'quiz') FROM sections LIMIT 1\").fetchone())")
cookie="lyceum_session=rush-session-token-000001-for-the-exam-benchmark"
attempt=$(curl -sf -X POST -H "Cookie: $cookie" --data "item_id=$quiz" "$BASE/api/quizzes/start")
[ -n "$attempt" ] || { echo "could not start an attempt" >&2; exit 1; }

lighthouse() { # name path preset signed-in
  local report="$OUT/$(tr ' ' '-' <<<"$1")-$3.json"
  local args=(--quiet --output=json --output-path="$report" --only-categories=performance,accessibility,best-practices
    --chrome-flags="--headless=new --no-sandbox --disable-gpu")
  [ "$3" = desktop ] && args+=(--preset=desktop)
  [ "$4" = yes ] && args+=(--extra-headers="{\"Cookie\": \"$cookie\"}")
  CHROME_PATH=/usr/bin/chromium scripts/lighthouse/node_modules/.bin/lighthouse "$BASE$2" "${args[@]}" >/dev/null 2>>"$DATA/lighthouse.log"
  node -e '
    const r = require(process.argv[1]);
    const score = (c) => Math.round(r.categories[c].score * 100);
    const a = r.audits;
    const failed = Object.values(r.categories).flatMap((c) => c.auditRefs)
      .map((ref) => a[ref.id]).filter((x) => x && x.score !== null && x.score < 1 && x.scoreDisplayMode === "binary")
      .map((x) => x.id);
    const kb = Math.round(a["total-byte-weight"].numericValue / 1024);
    console.log(`| ${process.argv[2]} | ${process.argv[3]} | ${score("performance")} | ${score("accessibility")} | ` +
      `${score("best-practices")} | ${(a["largest-contentful-paint"].numericValue / 1000).toFixed(1)} s | ` +
      `${kb} KB | ${a["errors-in-console"].score === 1 ? "none" : "errors"} | ${failed.join(", ") || "—"} |`);
  ' "$report" "$1" "$3"
}

for preset in mobile desktop; do
  lighthouse "Sign-in" /sign-in $preset no
  lighthouse "Catalogue" /courses $preset yes
  lighthouse "Course" "/courses/$course" $preset yes
  lighthouse "Player (lesson)" "/courses/$course/learn/$lesson" $preset yes
  lighthouse "Quiz attempt" "/attempts/$attempt" $preset yes
done
