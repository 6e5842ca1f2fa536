-- no-transaction
-- Assignments: settings, submissions (drafts and submitted work), their files and grading; grade
-- items fed by assignments and hidden until released; files private to one learner.
--
-- SQLite cannot change a CHECK constraint in place, so grade_items is rebuilt (the documented
-- twelve-step way: foreign keys off, copy, drop, rename, all in one transaction).
PRAGMA foreign_keys = OFF;
BEGIN;

CREATE TABLE grade_items_new (
    id INTEGER PRIMARY KEY,
    course_id BIGINT NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    category_id BIGINT REFERENCES grade_categories (id) ON DELETE SET NULL,
    name TEXT NOT NULL,
    max_points DOUBLE PRECISION NOT NULL,
    extra_credit BOOLEAN NOT NULL DEFAULT FALSE,
    source TEXT NOT NULL CHECK (source IN ('manual', 'quiz', 'assignment')),
    -- The course item that feeds this grade (a quiz or an assignment), if any.
    source_item_id BIGINT REFERENCES items (id) ON DELETE CASCADE,
    position INTEGER NOT NULL DEFAULT 0,
    -- Learners do not see hidden items (an assignment's grades until they are released).
    hidden BOOLEAN NOT NULL DEFAULT FALSE,
    created_at BIGINT NOT NULL
);
INSERT INTO grade_items_new (id, course_id, category_id, name, max_points, extra_credit, source, source_item_id, position, created_at)
    SELECT id, course_id, category_id, name, max_points, extra_credit, source, source_item_id, position, created_at FROM grade_items;
DROP TABLE grade_items;
ALTER TABLE grade_items_new RENAME TO grade_items;
CREATE INDEX grade_items_course_idx ON grade_items (course_id, position, id);
CREATE UNIQUE INDEX grade_items_source_idx ON grade_items (source_item_id) WHERE source_item_id IS NOT NULL;

-- Files a course's members must not all see: a learner's submitted work and the feedback files
-- written for them. Only that learner and the course's staff may open them.
ALTER TABLE files ADD COLUMN private_to BIGINT REFERENCES users (id) ON DELETE CASCADE;

-- An assignment's settings (its instructions are the item's body).
CREATE TABLE assignments (
    item_id BIGINT PRIMARY KEY REFERENCES items (id) ON DELETE CASCADE,
    course_id BIGINT NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    due_at BIGINT,
    -- No submissions after this; work handed in between due and cut-off is late.
    cutoff_at BIGINT,
    late_percent_per_day DOUBLE PRECISION NOT NULL DEFAULT 0,
    late_max_percent DOUBLE PRECISION NOT NULL DEFAULT 100,
    accept_text BOOLEAN NOT NULL DEFAULT TRUE,
    accept_files BOOLEAN NOT NULL DEFAULT TRUE,
    max_files INTEGER NOT NULL DEFAULT 5,
    resubmit BOOLEAN NOT NULL DEFAULT FALSE,
    max_points DOUBLE PRECISION NOT NULL DEFAULT 100,
    -- JSON list of criteria with their levels; '[]' means graded with points.
    rubric TEXT NOT NULL DEFAULT '[]',
    updated_at BIGINT NOT NULL
);

-- One learner's work on one assignment: the draft or the submitted version, and its grading.
CREATE TABLE submissions (
    id INTEGER PRIMARY KEY,
    item_id BIGINT NOT NULL REFERENCES assignments (item_id) ON DELETE CASCADE,
    course_id BIGINT NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'submitted')),
    body TEXT NOT NULL DEFAULT '',
    -- Grows with every change the learner makes; a save from an older version is refused.
    version INTEGER NOT NULL DEFAULT 1,
    submit_count INTEGER NOT NULL DEFAULT 0,
    submitted_at BIGINT,
    updated_at BIGINT NOT NULL,
    -- Before any late penalty; the gradebook gets the points after it.
    raw_points DOUBLE PRECISION,
    -- JSON list of the rubric level chosen per criterion.
    rubric_marks TEXT,
    feedback TEXT NOT NULL DEFAULT '',
    graded_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    graded_at BIGINT,
    -- The submit_count graded: work handed in again since then needs grading again.
    graded_submission INTEGER,
    -- Grows with every grading change, so two graders never overwrite each other unseen.
    grade_version INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX submissions_learner_idx ON submissions (item_id, user_id);
CREATE INDEX submissions_course_idx ON submissions (course_id, status, submitted_at);

CREATE TABLE submission_files (
    submission_id BIGINT NOT NULL REFERENCES submissions (id) ON DELETE CASCADE,
    file_id BIGINT NOT NULL REFERENCES files (id) ON DELETE CASCADE,
    purpose TEXT NOT NULL CHECK (purpose IN ('work', 'feedback')),
    PRIMARY KEY (submission_id, file_id)
);

COMMIT;
PRAGMA foreign_keys = ON;
