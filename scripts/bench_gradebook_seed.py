#!/usr/bin/env python3
"""Seeds a gradebook for make bench: LEARNERS learners × ITEMS manual grade items in one course,
every cell graded, totals filled, and a session for the course's instructor.
Usage: bench_gradebook_seed.py <sqlite-file | postgres-url> <learners> <items> <session-token>"""
import base64, hashlib, subprocess, sys, time

target, learners, items, token = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
now = int(time.time())
token_hash = base64.urlsafe_b64encode(hashlib.sha256(token.encode()).digest()).rstrip(b"=").decode()
admin = "(SELECT MIN(id) FROM users)"
course = "(SELECT id FROM courses WHERE code = 'GRADES-1')"
sql = f"""
INSERT INTO users (email, name, password_hash, status, created_at, updated_at)
  WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < {learners})
  SELECT 'gb' || i || '@bench.test', 'Learner ' || i, (SELECT password_hash FROM users WHERE id = {admin}), 'active', {now}, {now} FROM seq;
INSERT INTO user_roles (user_id, role) SELECT id, 'learner' FROM users WHERE email LIKE 'gb%@bench.test';
INSERT INTO courses (code, title, summary, description, state, owner_id, self_enrol, created_by, created_at, updated_at)
  VALUES ('GRADES-1', 'Big class', '', '', 'published', {admin}, FALSE, {admin}, {now}, {now});
INSERT INTO enrolments (course_id, user_id, role, status, method, enrolled_at, updated_at)
  SELECT {course}, id, 'learner', 'active', 'manual', {now}, {now} FROM users WHERE email LIKE 'gb%@bench.test';
INSERT INTO enrolments (course_id, user_id, role, status, method, enrolled_at, updated_at)
  VALUES ({course}, {admin}, 'instructor', 'active', 'creator', {now}, {now});
INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, ip, user_agent)
  VALUES ('{token_hash}', {admin}, {now}, {now}, '127.0.0.1', 'bench');
INSERT INTO grade_categories (course_id, name, weight, drop_lowest, created_at) VALUES ({course}, 'Homework', 40, 2, {now});
INSERT INTO grade_categories (course_id, name, weight, drop_lowest, created_at) VALUES ({course}, 'Exams', 60, 0, {now});
INSERT INTO grade_items (course_id, category_id, name, max_points, source, position, created_at)
  WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < {items})
  SELECT {course}, (SELECT id FROM grade_categories WHERE course_id = {course} AND name = CASE WHEN i % 5 = 0 THEN 'Exams' ELSE 'Homework' END),
         'Item ' || i, 20, 'manual', i, {now} FROM seq;
INSERT INTO grades (grade_item_id, user_id, course_id, points, updated_at)
  SELECT gi.id, e.user_id, e.course_id, (e.user_id * 7 + gi.id * 3) % 21, {now}
  FROM grade_items gi JOIN enrolments e ON e.course_id = gi.course_id AND e.role = 'learner'
  WHERE gi.course_id = {course};
INSERT INTO course_totals (course_id, user_id, percent, updated_at)
  SELECT e.course_id, e.user_id, 50 + (e.user_id % 50), {now} FROM enrolments e WHERE e.course_id = {course} AND e.role = 'learner';
"""
if target.startswith("postgres"):
    subprocess.run(["psql", target, "-v", "ON_ERROR_STOP=1", "-q"], input=sql, text=True, check=True)
    print(subprocess.run(["psql", target, "-qAt", "-c", f"SELECT id FROM courses WHERE code = 'GRADES-1'"], capture_output=True, text=True, check=True).stdout.strip())
else:
    import sqlite3
    db = sqlite3.connect(target)
    db.executescript(sql)
    db.commit()
    print(db.execute("SELECT id FROM courses WHERE code = 'GRADES-1'").fetchone()[0])
