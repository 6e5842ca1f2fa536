-- Mandatory training: a course people must complete by a date, optionally again on a cycle
-- (certification). Assigned to audiences, cohorts or people. Each person's standing is kept per
-- requirement (refreshed when asked and by the nightly run), with every cycle's completion and
-- expiry kept for auditors. Dates are YYYY-MM-DD in the site's time zone.
CREATE TABLE requirements (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    course_id BIGINT NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    timing TEXT NOT NULL,
    created_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX requirements_name_idx ON requirements (LOWER(name));

CREATE TABLE requirement_targets (
    requirement_id BIGINT NOT NULL REFERENCES requirements (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('audience', 'cohort', 'user')),
    target_id BIGINT NOT NULL,
    PRIMARY KEY (requirement_id, kind, target_id)
);

CREATE TABLE requirement_people (
    requirement_id BIGINT NOT NULL REFERENCES requirements (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    assigned_on TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('not_started', 'in_progress', 'due_soon', 'overdue', 'completed', 'expired', 'exempt')),
    due_on TEXT,
    expires_on TEXT,
    completed_on TEXT,
    extended_to TEXT,
    extension_reason TEXT,
    exempt_reason TEXT,
    exempt_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    -- No longer in any target: kept for the record, no longer chased.
    removed_on TEXT,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (requirement_id, user_id)
);
CREATE INDEX requirement_people_user_idx ON requirement_people (user_id, requirement_id);
CREATE INDEX requirement_people_state_idx ON requirement_people (requirement_id, state);

CREATE TABLE requirement_cycles (
    id INTEGER PRIMARY KEY,
    requirement_id BIGINT NOT NULL REFERENCES requirements (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    completed_on TEXT NOT NULL,
    expired_on TEXT,
    UNIQUE (requirement_id, user_id, completed_on)
);
