-- Assessments: the per-course question bank, quiz settings and slots, attempts with a frozen copy of
-- every question they show, and the answers as learners save them.

CREATE TABLE question_categories (
    id INTEGER PRIMARY KEY,
    course_id BIGINT NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    -- A path such as "Week 1/Cells"; slashes show the nesting.
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX question_categories_name_idx ON question_categories (course_id, LOWER(name));

CREATE TABLE questions (
    id INTEGER PRIMARY KEY,
    course_id BIGINT NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    category_id BIGINT NOT NULL REFERENCES question_categories (id) ON DELETE RESTRICT,
    qtype TEXT NOT NULL,
    name TEXT NOT NULL,
    -- The whole question as JSON (assessments::question::Question).
    data TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    created_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX questions_category_idx ON questions (category_id, id);
CREATE INDEX questions_course_idx ON questions (course_id, id);

CREATE TABLE quizzes (
    item_id BIGINT PRIMARY KEY REFERENCES items (id) ON DELETE CASCADE,
    course_id BIGINT NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    opens_at BIGINT,
    closes_at BIGINT,
    time_limit_secs BIGINT,
    -- 0 means unlimited.
    attempts_allowed INTEGER NOT NULL DEFAULT 1,
    grading_method TEXT NOT NULL DEFAULT 'highest' CHECK (grading_method IN ('highest', 'last', 'average')),
    -- 0 means every question on one page.
    questions_per_page INTEGER NOT NULL DEFAULT 0,
    shuffle_questions BOOLEAN NOT NULL DEFAULT FALSE,
    shuffle_answers BOOLEAN NOT NULL DEFAULT TRUE,
    pass_percent DOUBLE PRECISION,
    review_answers TEXT NOT NULL DEFAULT 'after_submit',
    review_correct TEXT NOT NULL DEFAULT 'after_close',
    review_feedback TEXT NOT NULL DEFAULT 'after_submit',
    -- JSON list of {min_percent, text}, highest band first.
    feedback_bands TEXT NOT NULL DEFAULT '[]',
    updated_at BIGINT NOT NULL
);

-- A quiz's questions in order: one fixed question, or a random draw of N from a category.
CREATE TABLE quiz_slots (
    id INTEGER PRIMARY KEY,
    item_id BIGINT NOT NULL REFERENCES quizzes (item_id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    question_id BIGINT REFERENCES questions (id) ON DELETE CASCADE,
    category_id BIGINT REFERENCES question_categories (id) ON DELETE CASCADE,
    draw_count INTEGER NOT NULL DEFAULT 1,
    mark DOUBLE PRECISION NOT NULL DEFAULT 1,
    CHECK ((question_id IS NULL) <> (category_id IS NULL))
);
CREATE INDEX quiz_slots_item_idx ON quiz_slots (item_id, position);

CREATE TABLE quiz_attempts (
    id INTEGER PRIMARY KEY,
    item_id BIGINT NOT NULL REFERENCES quizzes (item_id) ON DELETE CASCADE,
    course_id BIGINT NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    number INTEGER NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('in_progress', 'submitted')),
    started_at BIGINT NOT NULL,
    -- When the server stops taking answers (time limit or closing time); NULL means no limit.
    deadline_at BIGINT,
    submitted_at BIGINT,
    auto_submitted BOOLEAN NOT NULL DEFAULT FALSE,
    score DOUBLE PRECISION,
    max_score DOUBLE PRECISION NOT NULL,
    needs_grading BOOLEAN NOT NULL DEFAULT FALSE,
    UNIQUE (item_id, user_id, number)
);
CREATE UNIQUE INDEX quiz_attempts_open_idx ON quiz_attempts (item_id, user_id) WHERE state = 'in_progress';
CREATE INDEX quiz_attempts_deadline_idx ON quiz_attempts (deadline_at) WHERE state = 'in_progress';
CREATE INDEX quiz_attempts_grading_idx ON quiz_attempts (course_id, needs_grading) WHERE needs_grading;

-- The questions one attempt shows, frozen when it starts (later bank edits do not change it).
CREATE TABLE attempt_questions (
    attempt_id BIGINT NOT NULL REFERENCES quiz_attempts (id) ON DELETE CASCADE,
    slot INTEGER NOT NULL,
    question_id BIGINT REFERENCES questions (id) ON DELETE SET NULL,
    question TEXT NOT NULL,
    -- JSON list: the order the learner sees the choices / items in.
    display_order TEXT NOT NULL,
    max_mark DOUBLE PRECISION NOT NULL,
    response TEXT,
    -- The browser's counter for this answer; an older save never overwrites a newer one.
    response_seq BIGINT NOT NULL DEFAULT 0,
    saved_at BIGINT,
    fraction DOUBLE PRECISION,
    mark DOUBLE PRECISION,
    grader_comment TEXT,
    graded_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    graded_at BIGINT,
    PRIMARY KEY (attempt_id, slot)
);
