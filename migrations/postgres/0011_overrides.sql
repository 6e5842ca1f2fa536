-- Dates one learner has instead of an item's (an extension, a later close, extra time, extra
-- attempts). Per learner and never copied with a course; NULL keeps the item's own value.
CREATE TABLE item_overrides (
    item_id BIGINT NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    course_id BIGINT NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    due_at BIGINT,
    cutoff_at BIGINT,
    opens_at BIGINT,
    closes_at BIGINT,
    time_limit_secs BIGINT,
    extra_attempts INTEGER NOT NULL DEFAULT 0,
    reason TEXT NOT NULL DEFAULT '',
    set_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    set_at BIGINT NOT NULL,
    PRIMARY KEY (item_id, user_id)
);
CREATE INDEX item_overrides_user_idx ON item_overrides (user_id);
