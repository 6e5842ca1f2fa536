-- What a learner's SCOs reported: one row per SCO and attempt, with the CMI values the SCO set
-- (JSON, element -> value), the status after the LMS's rules, the score and the time spent.
-- `sequence` is the number of the last commit kept: a late or repeated one changes nothing.
-- A new certification cycle archives the rows (kept on record) and the next launch starts anew.
CREATE TABLE scorm_attempts (
    id INTEGER PRIMARY KEY,
    item_id BIGINT NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    sco TEXT NOT NULL,
    number INTEGER NOT NULL,
    cmi TEXT NOT NULL,
    status TEXT NOT NULL,
    score REAL,
    total_time TEXT NOT NULL,
    suspended BOOLEAN NOT NULL,
    sequence BIGINT NOT NULL,
    started_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    archived_at BIGINT,
    UNIQUE (item_id, user_id, sco, number)
);
