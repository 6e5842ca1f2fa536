#!/usr/bin/env python3
"""The exam-day rush (make bench): N learners start the same 16-question quiz within a window,
save answers every ~30 s with think time, and submit. Prints one Markdown table row per request
kind (count, errors, p50, p99, max) and checks in the database that every attempt was submitted
and marked in full.

Usage: exam_rush.py seed <sqlite-file | postgres-url> <learners>
       exam_rush.py run <base-url> <learners> <start-window-s> <saves> <backend-label>
       exam_rush.py check <sqlite-file | postgres-url> <learners>
"""
import asyncio, base64, hashlib, json, random, subprocess, sys, time

QUESTIONS = 16
EMAIL = "rush{}@bench.test"


def token(i):
    return f"rush-session-token-{i:06d}-for-the-exam-benchmark"


def token_hash(t):
    return base64.urlsafe_b64encode(hashlib.sha256(t.encode()).digest()).rstrip(b"=").decode()


def question(n):
    """Question n: 10 single choice, 3 short answer, 3 numeric."""
    text = lambda t: {"format": "plain", "text": t}
    if n < 10:
        body = {"type": "single_choice", "choices": [
            {"text": text(f"Right {n}"), "fraction": 1.0, "feedback": None},
            {"text": text(f"Wrong {n}a"), "fraction": 0.0, "feedback": None},
            {"text": text(f"Wrong {n}b"), "fraction": 0.0, "feedback": None},
            {"text": text(f"Wrong {n}c"), "fraction": 0.0, "feedback": None}]}
    elif n < 13:
        body = {"type": "short_answer", "case_sensitive": False,
                "answers": [{"text": f"answer{n}*", "fraction": 1.0, "feedback": None}]}
    else:
        body = {"type": "numeric", "answers": [{"value": float(n), "tolerance": 0.5, "fraction": 1.0, "feedback": None}]}
    return {"name": f"Q{n}", "stem": text(f"Question {n}: pick the right one."), "general_feedback": None,
            "body": body, "default_mark": 1.0, "tags": [], "id_number": None}


def right_answer(n, qv):
    if n < 10:
        # Choices are numbered by the place the page shows them in, not by the question's order.
        place = next(p for p, html in qv["input"]["Single"] if f"Right {n}" in html)
        return {"type": "single", "value": place}
    if n < 13:
        return {"type": "text", "value": f"Answer{n} indeed"}
    return {"type": "text", "value": str(n + 0.25)}


def q(s):
    return "'" + s.replace("'", "''") + "'"


def seed_sql(learners):
    now = int(time.time())
    out = []
    admin = "(SELECT MIN(id) FROM users)"
    out.append(f"""INSERT INTO users (email, name, password_hash, status, created_at, updated_at)
      WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < {learners})
      SELECT 'rush' || i || '@bench.test', 'Rush learner ' || i, (SELECT password_hash FROM users WHERE id = {admin}),
             'active', {now}, {now} FROM seq;""")
    out.append("INSERT INTO user_roles (user_id, role) SELECT id, 'learner' FROM users WHERE email LIKE 'rush%@bench.test';")
    for i in range(1, learners + 1):
        out.append(f"INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, ip, user_agent) "
                   f"SELECT {q(token_hash(token(i)))}, id, {now}, {now}, '127.0.0.1', 'exam-rush' FROM users WHERE email = {q(EMAIL.format(i))};")
    out.append(f"""INSERT INTO courses (code, title, summary, description, state, owner_id, self_enrol, created_by, created_at, updated_at)
      VALUES ('RUSH-1', 'Exam day', 'The final exam.', '', 'published', {admin}, FALSE, {admin}, {now}, {now});""")
    course = "(SELECT id FROM courses WHERE code = 'RUSH-1')"
    out.append(f"INSERT INTO sections (course_id, title, position, created_at) VALUES ({course}, 'Exam', 0, {now});")
    out.append(f"""INSERT INTO items (course_id, section_id, kind, title, position, required, hidden, completion, body, created_at, updated_at)
      VALUES ({course}, (SELECT id FROM sections WHERE course_id = {course}), 'quiz', 'Final exam', 0, TRUE, FALSE, 'manual', '', {now}, {now});""")
    item = f"(SELECT id FROM items WHERE course_id = {course} AND kind = 'quiz')"
    out.append(f"INSERT INTO quizzes (item_id, course_id, time_limit_secs, attempts_allowed, shuffle_questions, updated_at) VALUES ({item}, {course}, 3600, 1, TRUE, {now});")
    out.append(f"INSERT INTO question_categories (course_id, name, created_at) VALUES ({course}, 'Exam', {now});")
    category = f"(SELECT id FROM question_categories WHERE course_id = {course})"
    for n in range(QUESTIONS):
        data = question(n)
        out.append(f"INSERT INTO questions (course_id, category_id, qtype, name, data, created_at, updated_at) "
                   f"VALUES ({course}, {category}, {q(data['body']['type'])}, {q(data['name'])}, {q(json.dumps(data))}, {now}, {now});")
        out.append(f"INSERT INTO quiz_slots (item_id, position, question_id, mark) "
                   f"VALUES ({item}, {n + 1}, (SELECT id FROM questions WHERE course_id = {course} AND name = {q(data['name'])}), 1);")
    out.append(f"""INSERT INTO enrolments (course_id, user_id, role, status, method, enrolled_at, updated_at)
      SELECT {course}, id, 'learner', 'active', 'manual', {now}, {now} FROM users WHERE email LIKE 'rush%@bench.test';""")
    return "\n".join(out)


def run_sql(target, sql, fetch=False):
    if target.startswith("postgres"):
        args = ["psql", target, "-v", "ON_ERROR_STOP=1", "-qAt"]
        result = subprocess.run(args, input=sql, capture_output=True, text=True, check=True)
        return result.stdout.strip()
    import sqlite3
    db = sqlite3.connect(target)
    if fetch:
        row = db.execute(sql).fetchone()
        return "|".join("" if v is None else str(v) for v in row)
    db.executescript(sql)
    db.commit()
    return ""


def percentile(values, p):
    if not values:
        return 0.0
    values = sorted(values)
    k = min(len(values) - 1, max(0, int(round(p / 100 * (len(values) - 1)))))
    return values[k]


async def learner(session, base, i, window, saves, stats, item_id):
    cookie = {"Cookie": f"lyceum_session={token(i)}"}
    await asyncio.sleep(random.uniform(0, window))

    async def call(kind, method, path, **kw):
        started = time.perf_counter()
        try:
            async with session.request(method, base + path, headers=cookie, **kw) as r:
                body = await r.read()
                ok = r.status == 200
        except Exception as e:  # counted, never fatal: the table reports it
            body, ok = str(e).encode(), False
        stats.setdefault(kind, {"ms": [], "errors": 0, "samples": []})
        stats[kind]["ms"].append((time.perf_counter() - started) * 1000)
        if not ok:
            stats[kind]["errors"] += 1
            if len(stats[kind]["samples"]) < 3:
                stats[kind]["samples"].append(body[:200])
        return ok, body

    ok, body = await call("start attempt", "POST", "/api/quizzes/start", data={"item_id": str(item_id)})
    if not ok:
        return
    attempt = int(body)
    ok, _ = await call("attempt page (SSR)", "GET", f"/attempts/{attempt}")
    ok, body = await call("load attempt (server fn)", "POST", "/api/attempts/load", data={"attempt_id": str(attempt)})
    if not ok:
        return
    # Slot order is shuffled per attempt; find each slot's question from its stem.
    view = json.loads(body)
    slots = {}
    for qv in view["questions"]:
        n = int(qv["stem_html"].split("Question ", 1)[1].split(":", 1)[0])
        slots[qv["slot"]] = (n, qv)
    order = list(slots.items())
    random.shuffle(order)
    per_save = max(1, len(order) // saves)
    seq = 0
    for s in range(saves):
        await asyncio.sleep(random.uniform(20, 40))  # think time: ~30 s between saves
        chunk = order[s * per_save:] if s == saves - 1 else order[s * per_save:(s + 1) * per_save]
        answers = []
        for slot, (n, qv) in chunk:
            seq += 1
            answers.append({"slot": slot, "seq": seq, "response": right_answer(n, qv)})
        ok, body = await call("save answers", "POST", "/api/attempts/save", json={"attempt_id": attempt, "answers": answers})
    await asyncio.sleep(random.uniform(5, 15))
    await call("submit", "POST", "/api/attempts/submit", json={"attempt_id": attempt, "answers": []})


async def run(base, learners, window, saves, label, item_id):
    import aiohttp
    stats = {}
    connector = aiohttp.TCPConnector(limit=learners, force_close=False)
    timeout = aiohttp.ClientTimeout(total=120)
    started = time.time()
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        await asyncio.gather(*(learner(session, base, i, window, saves, stats, item_id) for i in range(1, learners + 1)))
    took = time.time() - started
    for kind in ["start attempt", "attempt page (SSR)", "load attempt (server fn)", "save answers", "submit"]:
        s = stats.get(kind, {"ms": [], "errors": 0, "samples": []})
        print(f"| {label} | {kind} | {len(s['ms'])} | {s['errors']} | {percentile(s['ms'], 50):.0f} ms | "
              f"{percentile(s['ms'], 99):.0f} ms | {max(s['ms'] or [0]):.0f} ms |")
        for sample in s["samples"]:
            print(f"<!-- {kind} error sample: {sample!r} -->")
    print(f"<!-- {label}: {learners} learners, whole run {took:.0f} s -->")


def main():
    mode = sys.argv[1]
    if mode == "seed":
        run_sql(sys.argv[2], seed_sql(int(sys.argv[3])))
    elif mode == "item":
        print(run_sql(sys.argv[2], "SELECT id FROM items WHERE kind = 'quiz' AND title = 'Final exam'", fetch=True))
    elif mode == "run":
        base, learners, window, saves, label, item_id = sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5]), sys.argv[6], int(sys.argv[7])
        # The client shares the machine with the server: a faster event loop leaves it more CPU.
        try:
            import uvloop
            uvloop.install()
        except ImportError:
            pass
        asyncio.run(run(base, learners, window, saves, label, item_id))
    elif mode == "check":
        target, learners = sys.argv[2], int(sys.argv[3])
        row = run_sql(target, "SELECT COUNT(*), SUM(CASE WHEN state = 'submitted' AND score = 16 THEN 1 ELSE 0 END) FROM quiz_attempts", fetch=True)
        total, full = (int(v or 0) for v in row.split("|"))
        print(f"<!-- check: {total} attempts, {full} submitted with 16/16 -->")
        if total != learners or full != learners:
            print(f"exam rush check failed: {total} attempts, {full} fully marked, expected {learners}", file=sys.stderr)
            sys.exit(1)


if __name__ == "__main__":
    main()
