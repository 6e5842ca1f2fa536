-- Courses, their structure and content, files, enrolments, cohorts and progress.
CREATE TABLE categories (
    id INTEGER PRIMARY KEY,
    parent_id BIGINT REFERENCES categories (id) ON DELETE RESTRICT,
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX categories_sibling_name_idx ON categories (COALESCE(parent_id, 0), LOWER(name));

CREATE TABLE courses (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL,
    title TEXT NOT NULL,
    summary TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    category_id BIGINT REFERENCES categories (id) ON DELETE SET NULL,
    cover_file_id BIGINT,
    starts_at BIGINT,
    ends_at BIGINT,
    state TEXT NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'published', 'archived')),
    owner_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    review_by BIGINT,
    self_enrol BOOLEAN NOT NULL DEFAULT FALSE,
    enrol_key TEXT,
    needs_approval BOOLEAN NOT NULL DEFAULT FALSE,
    capacity INTEGER,
    created_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX courses_code_idx ON courses (LOWER(code));
CREATE INDEX courses_state_title_idx ON courses (state, title, id);
CREATE INDEX courses_category_idx ON courses (category_id, state);
CREATE INDEX courses_review_idx ON courses (review_by) WHERE review_by IS NOT NULL;

CREATE TABLE course_tags (
    course_id BIGINT NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    tag TEXT NOT NULL,
    PRIMARY KEY (course_id, tag)
);
CREATE INDEX course_tags_tag_idx ON course_tags (tag, course_id);

CREATE TABLE course_prerequisites (
    course_id BIGINT NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    required_course_id BIGINT NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    PRIMARY KEY (course_id, required_course_id),
    CHECK (course_id <> required_course_id)
);

CREATE TABLE files (
    id INTEGER PRIMARY KEY,
    course_id BIGINT NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    -- Shared by the copies a course copy makes; the blob goes when its last row does.
    storage_key TEXT NOT NULL,
    name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    uploaded_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX files_course_idx ON files (course_id, id);
CREATE INDEX files_storage_key_idx ON files (storage_key);

CREATE TABLE sections (
    id INTEGER PRIMARY KEY,
    course_id BIGINT NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    position INTEGER NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX sections_course_idx ON sections (course_id, position);

CREATE TABLE items (
    id INTEGER PRIMARY KEY,
    course_id BIGINT NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    section_id BIGINT NOT NULL REFERENCES sections (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    position INTEGER NOT NULL,
    required BOOLEAN NOT NULL DEFAULT TRUE,
    hidden BOOLEAN NOT NULL DEFAULT FALSE,
    completion TEXT NOT NULL DEFAULT 'view' CHECK (completion IN ('view', 'manual')),
    body TEXT NOT NULL DEFAULT '',
    url TEXT,
    file_id BIGINT REFERENCES files (id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX items_section_idx ON items (section_id, position);
CREATE INDEX items_course_idx ON items (course_id, required, hidden);

CREATE TABLE item_revisions (
    id INTEGER PRIMARY KEY,
    item_id BIGINT NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    author_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX item_revisions_item_idx ON item_revisions (item_id, id);

CREATE TABLE cohorts (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX cohorts_name_idx ON cohorts (LOWER(name));

CREATE TABLE cohort_members (
    cohort_id BIGINT NOT NULL REFERENCES cohorts (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (cohort_id, user_id)
);
CREATE INDEX cohort_members_user_idx ON cohort_members (user_id);

CREATE TABLE course_cohorts (
    course_id BIGINT NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    cohort_id BIGINT NOT NULL REFERENCES cohorts (id) ON DELETE CASCADE,
    PRIMARY KEY (course_id, cohort_id)
);
CREATE INDEX course_cohorts_cohort_idx ON course_cohorts (cohort_id);

-- One row per person per course, kept after unenrolment (status 'withdrawn') so history survives.
CREATE TABLE enrolments (
    id INTEGER PRIMARY KEY,
    course_id BIGINT NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('instructor', 'assistant', 'learner')),
    status TEXT NOT NULL CHECK (status IN ('active', 'pending', 'waitlisted', 'withdrawn')),
    method TEXT NOT NULL CHECK (method IN ('manual', 'self', 'csv', 'cohort', 'creator')),
    cohort_id BIGINT REFERENCES cohorts (id) ON DELETE SET NULL,
    starts_at BIGINT,
    ends_at BIGINT,
    enrolled_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    completed_at BIGINT,
    last_item_id BIGINT REFERENCES items (id) ON DELETE SET NULL,
    last_activity_at BIGINT,
    UNIQUE (course_id, user_id)
);
CREATE INDEX enrolments_user_idx ON enrolments (user_id, status, course_id);
CREATE INDEX enrolments_course_idx ON enrolments (course_id, status, role, user_id);
CREATE INDEX enrolments_waitlist_idx ON enrolments (course_id, status, enrolled_at, id);

CREATE TABLE item_progress (
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    item_id BIGINT NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    course_id BIGINT NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    first_viewed_at BIGINT NOT NULL,
    completed_at BIGINT,
    PRIMARY KEY (user_id, item_id)
);
CREATE INDEX item_progress_course_user_idx ON item_progress (course_id, user_id);

-- Substring search over course titles and codes (PostgreSQL uses pg_trgm indexes instead).
CREATE VIRTUAL TABLE courses_search USING fts5(title, code, content = 'courses', content_rowid = 'id', tokenize = 'trigram');
CREATE TRIGGER courses_search_insert AFTER INSERT ON courses BEGIN
    INSERT INTO courses_search (rowid, title, code) VALUES (new.id, new.title, new.code);
END;
CREATE TRIGGER courses_search_delete AFTER DELETE ON courses BEGIN
    INSERT INTO courses_search (courses_search, rowid, title, code) VALUES ('delete', old.id, old.title, old.code);
END;
CREATE TRIGGER courses_search_update AFTER UPDATE OF title, code ON courses BEGIN
    INSERT INTO courses_search (courses_search, rowid, title, code) VALUES ('delete', old.id, old.title, old.code);
    INSERT INTO courses_search (rowid, title, code) VALUES (new.id, new.title, new.code);
END;
