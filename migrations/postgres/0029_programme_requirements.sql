-- A requirement asks for a course or a programme (exactly one of the two).
ALTER TABLE requirements ALTER COLUMN course_id DROP NOT NULL;
ALTER TABLE requirements ADD COLUMN programme_id BIGINT REFERENCES programmes (id) ON DELETE CASCADE;
ALTER TABLE requirements ADD CONSTRAINT requirements_training_check
    CHECK ((course_id IS NULL) <> (programme_id IS NULL));
CREATE INDEX requirements_course_idx ON requirements (course_id);
CREATE INDEX requirements_programme_idx ON requirements (programme_id);
