-- The durable job queue: work that must not run inside a request (sending mail, and later
-- reminders, renewals, digests). A worker claims a due job (on PostgreSQL with SKIP LOCKED, so
-- that with several instances each job runs once), and a failed one is tried again with back-off
-- until it is dead. A claim that outlives its lease (a crashed instance) is taken up again.
CREATE TABLE jobs (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'queued'
        CHECK (state IN ('queued', 'running', 'done', 'dead', 'cancelled')),
    run_at BIGINT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL,
    locked_until BIGINT,
    last_error TEXT,
    created_at BIGINT NOT NULL,
    finished_at BIGINT
);
CREATE INDEX jobs_due_idx ON jobs (state, run_at);
