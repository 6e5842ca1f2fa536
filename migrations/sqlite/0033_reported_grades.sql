-- no-transaction
-- Grades that content reports (a SCORM package's score, later cmi5 and LTI): a grade item's
-- source is 'manual' or the kind of the course item that feeds it (`items.kind`), so a new kind
-- that reports grades needs no change here. SCORM attempts keep their score as a percentage
-- (from raw, min and max in 1.2, from scaled in 2004) from now on.
--
-- SQLite cannot change a CHECK constraint in place, so grade_items is rebuilt (the documented
-- twelve-step way, as in 0007).
PRAGMA foreign_keys = OFF;
BEGIN;

CREATE TABLE grade_items_new (
    id INTEGER PRIMARY KEY,
    course_id BIGINT NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    category_id BIGINT REFERENCES grade_categories (id) ON DELETE SET NULL,
    name TEXT NOT NULL,
    max_points DOUBLE PRECISION NOT NULL,
    extra_credit BOOLEAN NOT NULL DEFAULT FALSE,
    source TEXT NOT NULL CHECK (source <> ''),
    -- The course item that feeds this grade (a quiz, an assignment, a package), if any.
    source_item_id BIGINT REFERENCES items (id) ON DELETE CASCADE,
    position INTEGER NOT NULL DEFAULT 0,
    -- Learners do not see hidden items (an assignment's grades until they are released).
    hidden BOOLEAN NOT NULL DEFAULT FALSE,
    created_at BIGINT NOT NULL
);
INSERT INTO grade_items_new (id, course_id, category_id, name, max_points, extra_credit, source, source_item_id, position, hidden, created_at)
    SELECT id, course_id, category_id, name, max_points, extra_credit, source, source_item_id, position, hidden, created_at FROM grade_items;
DROP TABLE grade_items;
ALTER TABLE grade_items_new RENAME TO grade_items;
CREATE INDEX grade_items_course_idx ON grade_items (course_id, position, id);
CREATE UNIQUE INDEX grade_items_source_idx ON grade_items (source_item_id) WHERE source_item_id IS NOT NULL;

COMMIT;
PRAGMA foreign_keys = ON;
