-- Recertification: when a certification's renewal window opens, the learner's course is reset
-- for the new cycle (by a job) so that they can do it again. What they did before is kept, not
-- deleted: their quiz attempts are archived (no longer counted against the attempt limit), and
-- their acknowledgements move to a history (the course shows them as not yet confirmed).
ALTER TABLE quiz_attempts ADD COLUMN archived_at BIGINT;

CREATE TABLE acknowledgement_history (
    id INTEGER PRIMARY KEY,
    item_id BIGINT NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    course_id BIGINT NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    statement TEXT NOT NULL,
    confirmed_at BIGINT NOT NULL,
    archived_at BIGINT NOT NULL
);
CREATE INDEX acknowledgement_history_item_idx ON acknowledgement_history (item_id, user_id);
