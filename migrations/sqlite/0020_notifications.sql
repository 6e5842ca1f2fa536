-- The notification centre: what Lyceum tells a person (a training reminder, an approved
-- enrolment, a released grade), kept until they read it. Each person chooses per kind how they
-- hear of it: in Lyceum only, an email now, the daily digest email, or not at all. An email is
-- sent by the job queue; a notification waiting for the digest is marked until the digest runs.
CREATE TABLE notifications (
    id INTEGER PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    -- A path inside Lyceum ("/courses/3"), or empty.
    link TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    read_at BIGINT,
    digest_pending BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX notifications_user_idx ON notifications (user_id, id);
CREATE INDEX notifications_unread_idx ON notifications (user_id) WHERE read_at IS NULL;
CREATE INDEX notifications_digest_idx ON notifications (user_id) WHERE digest_pending;

-- A person's choice for one kind; no row means the kind's default.
CREATE TABLE notification_preferences (
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    channel TEXT NOT NULL CHECK (channel IN ('in_app', 'email', 'digest', 'off')),
    PRIMARY KEY (user_id, kind)
);
