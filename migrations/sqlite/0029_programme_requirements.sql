-- no-transaction
-- A requirement asks for a course or a programme (exactly one of the two).
--
-- SQLite cannot drop NOT NULL or add a CHECK in place, so requirements is rebuilt (the
-- documented twelve-step way: foreign keys off, copy, drop, rename, all in one transaction).
PRAGMA foreign_keys = OFF;
BEGIN;

CREATE TABLE requirements_new (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    course_id BIGINT REFERENCES courses (id) ON DELETE CASCADE,
    programme_id BIGINT REFERENCES programmes (id) ON DELETE CASCADE,
    timing TEXT NOT NULL,
    created_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    reminders TEXT,
    CHECK ((course_id IS NULL) <> (programme_id IS NULL))
);
INSERT INTO requirements_new (id, name, course_id, timing, created_by, created_at, updated_at, reminders)
    SELECT id, name, course_id, timing, created_by, created_at, updated_at, reminders FROM requirements;
DROP TABLE requirements;
ALTER TABLE requirements_new RENAME TO requirements;
CREATE UNIQUE INDEX requirements_name_idx ON requirements (LOWER(name));
CREATE INDEX requirements_course_idx ON requirements (course_id);
CREATE INDEX requirements_programme_idx ON requirements (programme_id);

COMMIT;
PRAGMA foreign_keys = ON;
