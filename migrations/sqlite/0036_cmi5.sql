-- The cmi5 course kind. An item's course structure (cmi5.xml) as last uploaded, as JSON; its
-- files are package_files rows like any package's.
CREATE TABLE cmi5_packages (
    item_id BIGINT PRIMARY KEY REFERENCES items (id) ON DELETE CASCADE,
    revision BIGINT NOT NULL,
    structure TEXT NOT NULL,
    file_name TEXT NOT NULL,
    file_count BIGINT NOT NULL,
    total_bytes BIGINT NOT NULL,
    uploaded_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    uploaded_at BIGINT NOT NULL
);

-- A learner's registration in an item's cmi5 course (cmi5 §5.2): every session and statement
-- names it. A new certification cycle archives it and the next launch starts another.
CREATE TABLE cmi5_registrations (
    id TEXT PRIMARY KEY,
    item_id BIGINT NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    archived_at BIGINT
);
CREATE UNIQUE INDEX cmi5_registrations_current ON cmi5_registrations (item_id, user_id)
    WHERE archived_at IS NULL;

-- What each AU reached in a registration, over all its sessions (the moveOn criteria read it).
CREATE TABLE cmi5_au_records (
    registration TEXT NOT NULL REFERENCES cmi5_registrations (id) ON DELETE CASCADE,
    au_id TEXT NOT NULL,
    completed BOOLEAN NOT NULL,
    passed BOOLEAN NOT NULL,
    failed BOOLEAN NOT NULL,
    waived BOOLEAN NOT NULL,
    satisfied BOOLEAN NOT NULL,
    score REAL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (registration, au_id)
);

-- One launch of an AU. The fetch URL's token works once and hands out the session's xAPI
-- credentials; only hashes are kept. Its state follows the statements the LRS accepted.
CREATE TABLE cmi5_sessions (
    id TEXT PRIMARY KEY,
    registration TEXT NOT NULL REFERENCES cmi5_registrations (id) ON DELETE CASCADE,
    au_id TEXT NOT NULL,
    launch_mode TEXT NOT NULL,
    fetch_hash TEXT NOT NULL UNIQUE,
    secret_hash TEXT,
    initialized BOOLEAN NOT NULL,
    terminated BOOLEAN NOT NULL,
    abandoned BOOLEAN NOT NULL,
    failed_in_session BOOLEAN NOT NULL,
    launched_at BIGINT NOT NULL,
    last_at BIGINT NOT NULL
);
CREATE INDEX cmi5_sessions_registration ON cmi5_sessions (registration, au_id);
-- The sessions left open, for the job that abandons them.
CREATE INDEX cmi5_sessions_open ON cmi5_sessions (last_at) WHERE NOT terminated AND NOT abandoned;
