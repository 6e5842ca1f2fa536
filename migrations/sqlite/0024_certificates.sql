-- Certificates: the designs administrators draw (templates), which course issues which design,
-- and every certificate issued. A certificate keeps the name and title it was issued with (what
-- the verification page shows) and is never deleted: a revoked one says so, a renewed one stays
-- in the history beside the next.
CREATE TABLE certificate_templates (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    -- JSON: orientation, texts with placeholders, colours, image files (certificates::model::Design).
    design TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX certificate_templates_name_idx ON certificate_templates (LOWER(name));

CREATE TABLE course_certificates (
    course_id BIGINT PRIMARY KEY REFERENCES courses (id) ON DELETE CASCADE,
    template_id BIGINT NOT NULL REFERENCES certificate_templates (id)
);

CREATE TABLE certificates (
    id INTEGER PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    course_id BIGINT REFERENCES courses (id) ON DELETE SET NULL,
    template_id BIGINT NOT NULL REFERENCES certificate_templates (id),
    recipient_name TEXT NOT NULL,
    title TEXT NOT NULL,
    grade TEXT,
    completed_on TEXT NOT NULL,
    expires_on TEXT,
    issued_at BIGINT NOT NULL,
    -- Empty when issued on completion.
    issued_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    revoked_at BIGINT,
    revoked_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    revoke_reason TEXT,
    -- When its holder was told it expires soon (once per certificate).
    expiry_notified_at BIGINT
);
CREATE INDEX certificates_user_idx ON certificates (user_id, issued_at);
CREATE INDEX certificates_course_idx ON certificates (course_id, user_id, completed_on);
CREATE INDEX certificates_issued_idx ON certificates (issued_at);
CREATE INDEX certificates_expiring_idx ON certificates (expires_on) WHERE revoked_at IS NULL AND expiry_notified_at IS NULL;
