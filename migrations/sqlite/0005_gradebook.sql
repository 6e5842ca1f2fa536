-- The gradebook: categories with weights and drops, grade items (manual, or fed by a quiz), one
-- grade per learner per item (with an optional override and a version for conflict checks), the
-- history of every change, and each learner's course total kept up to date as grades change.

CREATE TABLE grade_categories (
    id INTEGER PRIMARY KEY,
    course_id BIGINT NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    -- Percent of the course total; all zero means the total is points-based.
    weight DOUBLE PRECISION NOT NULL DEFAULT 0,
    drop_lowest INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX grade_categories_name_idx ON grade_categories (course_id, LOWER(name));

CREATE TABLE grade_items (
    id INTEGER PRIMARY KEY,
    course_id BIGINT NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    category_id BIGINT REFERENCES grade_categories (id) ON DELETE SET NULL,
    name TEXT NOT NULL,
    max_points DOUBLE PRECISION NOT NULL,
    extra_credit BOOLEAN NOT NULL DEFAULT FALSE,
    source TEXT NOT NULL CHECK (source IN ('manual', 'quiz')),
    -- The course item that feeds this grade (a quiz), if any.
    source_item_id BIGINT REFERENCES items (id) ON DELETE CASCADE,
    position INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);
CREATE INDEX grade_items_course_idx ON grade_items (course_id, position, id);
CREATE UNIQUE INDEX grade_items_source_idx ON grade_items (source_item_id) WHERE source_item_id IS NOT NULL;

CREATE TABLE grades (
    grade_item_id BIGINT NOT NULL REFERENCES grade_items (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    course_id BIGINT NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    -- From the source (a quiz) or typed by a grader (manual items).
    points DOUBLE PRECISION,
    -- Replaces `points` when set; changing it needs a reason (kept in grade_history).
    override_points DOUBLE PRECISION,
    excused BOOLEAN NOT NULL DEFAULT FALSE,
    feedback TEXT NOT NULL DEFAULT '',
    -- Grows with every change; an edit made from an older version is refused as a conflict.
    version INTEGER NOT NULL DEFAULT 1,
    updated_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (grade_item_id, user_id)
);
CREATE INDEX grades_course_user_idx ON grades (course_id, user_id);

CREATE TABLE grade_history (
    id INTEGER PRIMARY KEY,
    grade_item_id BIGINT NOT NULL REFERENCES grade_items (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    points DOUBLE PRECISION,
    override_points DOUBLE PRECISION,
    excused BOOLEAN NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    changed_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    changed_at BIGINT NOT NULL
);
CREATE INDEX grade_history_cell_idx ON grade_history (grade_item_id, user_id, id);

CREATE TABLE course_totals (
    course_id BIGINT NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    percent DOUBLE PRECISION,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (course_id, user_id)
);
