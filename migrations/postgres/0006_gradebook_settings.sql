-- Per-course gradebook settings: a pass grade that completing the course requires, and the
-- letter scheme.
CREATE TABLE gradebook_settings (
    course_id BIGINT PRIMARY KEY REFERENCES courses (id) ON DELETE CASCADE,
    -- The course total needed, besides every required item, to complete the course; NULL: none.
    pass_percent DOUBLE PRECISION,
    -- JSON list of {min_percent, letter}; NULL: the default scheme.
    letters TEXT,
    updated_at BIGINT NOT NULL
);
