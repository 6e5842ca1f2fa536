#!/usr/bin/env python3
"""Seeds the pages benchmark: two published courses, of 64 lessons (8 sections) and of 307
lessons (20 sections), a learner enrolled in both who has done a third of each, and a session
for that learner. Prints: small course id, one of its lessons, big course id, one of its lessons.
Usage: bench_pages_seed.py <sqlite-file | postgres-url> <session-token>"""
import base64, hashlib, subprocess, sys, time

target, token = sys.argv[1], sys.argv[2]
now = int(time.time())
token_hash = base64.urlsafe_b64encode(hashlib.sha256(token.encode()).digest()).rstrip(b"=").decode()
admin = "(SELECT MIN(id) FROM users)"
learner = "(SELECT id FROM users WHERE email = 'pages@bench.test')"
body = "# A lesson\n\nSome *text* with a [link](https://example.com).\n\n" + "A paragraph of text. " * 60
sql = [f"""
INSERT INTO users (email, name, password_hash, status, created_at, updated_at)
  VALUES ('pages@bench.test', 'Page Reader', (SELECT password_hash FROM users WHERE id = {admin}), 'active', {now}, {now});
INSERT INTO user_roles (user_id, role) VALUES ({learner}, 'learner');
INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, ip, user_agent)
  VALUES ('{token_hash}', {learner}, {now}, {now}, '127.0.0.1', 'bench');"""]
for code, items, sections in (("PAGES-64", 64, 8), ("PAGES-307", 307, 20)):
    course = f"(SELECT id FROM courses WHERE code = '{code}')"
    sql.append(f"""
INSERT INTO courses (code, title, summary, description, state, owner_id, self_enrol, created_by, created_at, updated_at)
  VALUES ('{code}', 'A course of {items} items', 'For the benchmark.', '# About', 'published', {admin}, FALSE, {admin}, {now}, {now});
INSERT INTO sections (course_id, title, position, created_at)
  WITH RECURSIVE seq(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM seq WHERE i < {sections - 1})
  SELECT {course}, 'Week ' || (i + 1), i, {now} FROM seq;
INSERT INTO items (course_id, section_id, kind, title, position, required, hidden, completion, body, created_at, updated_at)
  WITH RECURSIVE seq(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM seq WHERE i < {items - 1})
  SELECT {course}, (SELECT id FROM sections s WHERE s.course_id = {course} AND s.position = seq.i % {sections}),
         'lesson', 'Lesson ' || (i + 1), i, TRUE, FALSE, 'view', '{body}', {now}, {now} FROM seq;
INSERT INTO enrolments (course_id, user_id, role, status, method, enrolled_at, updated_at, last_activity_at)
  VALUES ({course}, {learner}, 'learner', 'active', 'manual', {now}, {now}, {now});
INSERT INTO item_progress (user_id, item_id, course_id, first_viewed_at, completed_at)
  SELECT {learner}, id, course_id, {now}, {now} FROM items WHERE course_id = {course} AND position % 3 = 0;""")
query = ("SELECT (SELECT id FROM courses WHERE code = 'PAGES-64'), (SELECT MIN(i.id) + 5 FROM items i JOIN courses c ON c.id = i.course_id WHERE c.code = 'PAGES-64'), "
         "(SELECT id FROM courses WHERE code = 'PAGES-307'), (SELECT MIN(i.id) + 150 FROM items i JOIN courses c ON c.id = i.course_id WHERE c.code = 'PAGES-307')")
if target.startswith("postgres"):
    subprocess.run(["psql", target, "-v", "ON_ERROR_STOP=1", "-q"], input="\n".join(sql), text=True, check=True)
    out = subprocess.run(["psql", target, "-qAt", "-F", " ", "-c", query], capture_output=True, text=True, check=True).stdout.strip()
    print(out)
else:
    import sqlite3
    db = sqlite3.connect(target)
    db.executescript("\n".join(sql))
    db.commit()
    print(*db.execute(query).fetchone())
