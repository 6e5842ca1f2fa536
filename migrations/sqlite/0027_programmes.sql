-- Programmes: an ordered set of courses with a completion rule (all of them, or any N), the
-- people on each, and when each completed it (from their course completions).
CREATE TABLE programmes (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    -- How many of its courses complete it; empty: all of them.
    required_count INTEGER,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX programmes_name_idx ON programmes (LOWER(name));

CREATE TABLE programme_courses (
    programme_id BIGINT NOT NULL REFERENCES programmes (id) ON DELETE CASCADE,
    course_id BIGINT NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    PRIMARY KEY (programme_id, course_id)
);
CREATE INDEX programme_courses_course_idx ON programme_courses (course_id);

CREATE TABLE programme_members (
    programme_id BIGINT NOT NULL REFERENCES programmes (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    added_at BIGINT NOT NULL,
    completed_at BIGINT,
    PRIMARY KEY (programme_id, user_id)
);
CREATE INDEX programme_members_user_idx ON programme_members (user_id, programme_id);

-- A programme may issue a certificate when completed, as a course may.
CREATE TABLE programme_certificates (
    programme_id BIGINT PRIMARY KEY REFERENCES programmes (id) ON DELETE CASCADE,
    template_id BIGINT NOT NULL REFERENCES certificate_templates (id)
);
ALTER TABLE certificates ADD COLUMN programme_id BIGINT REFERENCES programmes (id) ON DELETE SET NULL;
CREATE INDEX certificates_programme_idx ON certificates (programme_id, user_id, completed_on);
