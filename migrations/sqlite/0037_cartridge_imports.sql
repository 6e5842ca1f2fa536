-- Each Common Cartridge imported into a course: who, when, what it made, and what it could
-- not import with the reason (JSON), so that the instructor can read the report again.
CREATE TABLE cartridge_imports (
    id INTEGER PRIMARY KEY,
    course_id BIGINT NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    imported_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    file_name TEXT NOT NULL,
    title TEXT NOT NULL,
    version TEXT NOT NULL,
    sections BIGINT NOT NULL,
    items BIGINT NOT NULL,
    questions BIGINT NOT NULL,
    files BIGINT NOT NULL,
    skipped TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX cartridge_imports_course ON cartridge_imports (course_id, id);
