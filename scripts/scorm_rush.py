#!/usr/bin/env python3
"""SCORM at load (make bench, issue 13): N learners open the same SCORM 1.2 package within a
start window and commit what the SCO set every 10 s (location, 4,000 characters of
suspend_data, status, session time) for a given time, then finish with a score. Prints one
Markdown table row per request kind (count, errors, p50, p99, max) and checks in the database
that every learner's attempt holds its last commit and completed the item.

Usage: scorm_rush.py package <zip-path>
       scorm_rush.py seed <sqlite-file | postgres-url> <learners>
       scorm_rush.py item <sqlite-file | postgres-url>
       scorm_rush.py run <base-url> <learners> <start-window-s> <seconds> <backend-label> <item-id>
       scorm_rush.py check <sqlite-file | postgres-url> <learners> <item-id>
"""
import asyncio, json, random, sys, time, zipfile

from exam_rush import percentile, q, run_sql, token_hash

EMAIL = "scorm{}@bench.test"
SCO = "sco1"
EVERY = 10.0

MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="bench" version="1.0" xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
  <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
  <organizations default="org"><organization identifier="org"><title>Bench course</title>
    <item identifier="sco1" identifierref="res1"><title>The one SCO</title></item>
  </organization></organizations>
  <resources><resource identifier="res1" type="webcontent" adlcp:scormtype="sco" href="index.html">
    <file href="index.html"/></resource></resources>
</manifest>"""


def token(i):
    return f"scorm-session-token-{i:06d}-for-the-scorm-benchmark"


def package(path):
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("imsmanifest.xml", MANIFEST)
        z.writestr("index.html", "<!DOCTYPE html><title>SCO</title><p>The bench SCO.</p>")


def seed_sql(learners):
    now = int(time.time())
    admin = "(SELECT MIN(id) FROM users)"
    out = [f"""INSERT INTO users (email, name, password_hash, status, created_at, updated_at)
      WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < {learners})
      SELECT 'scorm' || i || '@bench.test', 'SCORM learner ' || i, (SELECT password_hash FROM users WHERE id = {admin}),
             'active', {now}, {now} FROM seq;""",
           "INSERT INTO user_roles (user_id, role) SELECT id, 'learner' FROM users WHERE email LIKE 'scorm%@bench.test';"]
    for i in range(1, learners + 1):
        out.append(f"INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, ip, user_agent) "
                   f"SELECT {q(token_hash(token(i)))}, id, {now}, {now}, '127.0.0.1', 'scorm-rush' FROM users WHERE email = {q(EMAIL.format(i))};")
    out.append(f"""INSERT INTO courses (code, title, summary, description, state, owner_id, self_enrol, created_by, created_at, updated_at)
      VALUES ('SCORM-1', 'Induction', 'The induction package.', '', 'published', {admin}, FALSE, {admin}, {now}, {now});""")
    course = "(SELECT id FROM courses WHERE code = 'SCORM-1')"
    out.append(f"INSERT INTO sections (course_id, title, position, created_at) VALUES ({course}, 'Package', 0, {now});")
    out.append(f"""INSERT INTO items (course_id, section_id, kind, title, position, required, hidden, completion, body, created_at, updated_at)
      VALUES ({course}, (SELECT id FROM sections WHERE course_id = {course}), 'scorm', 'Induction package', 0, TRUE, FALSE, 'manual', '', {now}, {now});""")
    out.append(f"""INSERT INTO enrolments (course_id, user_id, role, status, method, enrolled_at, updated_at)
      SELECT {course}, id, 'learner', 'active', 'manual', {now}, {now} FROM users WHERE email LIKE 'scorm%@bench.test';""")
    return "\n".join(out)


async def learner(session, base, i, window, seconds, stats, item_id):
    cookie = {"Cookie": f"lyceum_session={token(i)}"}
    await asyncio.sleep(random.uniform(0, window))

    async def call(kind, path, **kw):
        started = time.perf_counter()
        try:
            async with session.post(base + path, headers=cookie, **kw) as r:
                body = await r.read()
                ok = r.status == 200
        except Exception as e:  # counted, never fatal: the table reports it
            body, ok = str(e).encode(), False
        s = stats.setdefault(kind, {"ms": [], "errors": 0, "samples": []})
        s["ms"].append((time.perf_counter() - started) * 1000)
        if not ok:
            s["errors"] += 1
            if len(s["samples"]) < 3:
                s["samples"].append(body[:200])
        return ok

    if not await call("launch", "/api/scorm/launch", data={"item_id": str(item_id), "sco": SCO}):
        return
    sequence = 0
    end = time.monotonic() + seconds
    # Each learner's own phase within the 10 s, so the commits spread over time.
    await asyncio.sleep(random.uniform(0, EVERY))
    while time.monotonic() < end:
        sequence += 1
        changes = {
            "cmi.core.lesson_location": f"page-{sequence}",
            "cmi.suspend_data": f"learner {i} commit {sequence};" + "x" * 4000,
            "cmi.core.lesson_status": "incomplete",
            "cmi.core.session_time": "00:00:10",
        }
        await call("commit", "/api/scorm/commit", json={"item_id": item_id, "sco": SCO, "sequence": sequence, "changes": changes, "finish": False})
        await asyncio.sleep(EVERY)
    sequence += 1
    final = {
        "cmi.core.lesson_location": "last-page",
        "cmi.suspend_data": f"learner {i} finished",
        "cmi.core.lesson_status": "completed",
        "cmi.core.score.raw": "80",
        "cmi.core.session_time": "00:00:05",
    }
    await call("finish", "/api/scorm/commit", json={"item_id": item_id, "sco": SCO, "sequence": sequence, "changes": final, "finish": True})


async def run(base, learners, window, seconds, label, item_id):
    import aiohttp
    stats = {}
    connector = aiohttp.TCPConnector(limit=learners)
    timeout = aiohttp.ClientTimeout(total=120)
    started = time.time()
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        await asyncio.gather(*(learner(session, base, i, window, seconds, stats, item_id) for i in range(1, learners + 1)))
    took = time.time() - started
    for kind in ["launch", "commit", "finish"]:
        s = stats.get(kind, {"ms": [], "errors": 0, "samples": []})
        print(f"| {label} | {kind} | {len(s['ms'])} | {s['errors']} | {percentile(s['ms'], 50):.0f} ms | "
              f"{percentile(s['ms'], 99):.0f} ms | {max(s['ms'] or [0]):.0f} ms |")
        for sample in s["samples"]:
            print(f"<!-- {kind} error sample: {sample!r} -->")
    commits = len(stats.get("commit", {}).get("ms", []))
    print(f"<!-- {label}: {learners} learners, {commits / max(took, 1):.1f} commits/s, whole run {took:.0f} s -->")


def main():
    mode = sys.argv[1]
    if mode == "package":
        package(sys.argv[2])
    elif mode == "seed":
        run_sql(sys.argv[2], seed_sql(int(sys.argv[3])))
    elif mode == "item":
        print(run_sql(sys.argv[2], "SELECT id FROM items WHERE kind = 'scorm' AND title = 'Induction package'", fetch=True))
    elif mode == "run":
        base, learners, window, seconds, label, item_id = sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5]), sys.argv[6], int(sys.argv[7])
        try:
            import uvloop
            uvloop.install()
        except ImportError:
            pass
        asyncio.run(run(base, learners, window, seconds, label, item_id))
    elif mode == "check":
        target, learners, item_id = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
        row = run_sql(target, f"SELECT COUNT(*), SUM(CASE WHEN status = 'completed' AND cmi LIKE '%finished%' AND cmi LIKE '%last-page%' THEN 1 ELSE 0 END) "
                              f"FROM scorm_attempts WHERE item_id = {item_id}", fetch=True)
        attempts, kept = (int(v or 0) for v in row.split("|"))
        done = int(run_sql(target, f"SELECT COUNT(*) FROM item_progress WHERE item_id = {item_id} AND completed_at IS NOT NULL", fetch=True) or 0)
        print(f"<!-- check: {attempts} attempts, {kept} with the last commit kept, {done} items completed -->")
        if attempts != learners or kept != learners or done != learners:
            print(f"scorm rush check failed: {attempts} attempts, {kept} kept, {done} completed, expected {learners}", file=sys.stderr)
            sys.exit(1)


if __name__ == "__main__":
    main()
