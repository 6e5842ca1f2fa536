-- The built-in xAPI learning record store (src/xapi).

-- Who may call /xapi: credentials administrators create (HTTP Basic, key and secret; only the
-- secret's hash is kept) with scopes as xAPI names them ("all", "all/read", "statements/write",
-- "statements/read", "state", "profile", "define"), space-separated.
CREATE TABLE xapi_clients (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    key TEXT NOT NULL UNIQUE,
    secret_hash TEXT NOT NULL,
    scopes TEXT NOT NULL,
    created_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);

-- Statements as stored (JSON text), with the columns the filters of GET /statements read.
-- `seq` is the order of storing: lists are ordered and paged (`more`) by it. `stored` is in
-- microseconds since the epoch (since/until). A voided statement stays, flagged.
CREATE TABLE xapi_statements (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    actor TEXT NOT NULL,
    verb TEXT NOT NULL,
    object_activity TEXT,
    object_agent TEXT,
    object_statement TEXT,
    registration TEXT,
    stored BIGINT NOT NULL,
    voided BOOLEAN NOT NULL DEFAULT FALSE,
    client_id BIGINT REFERENCES xapi_clients (id) ON DELETE SET NULL,
    statement TEXT NOT NULL
);
CREATE INDEX xapi_statements_actor ON xapi_statements (actor, seq);
CREATE INDEX xapi_statements_verb ON xapi_statements (verb, seq);
CREATE INDEX xapi_statements_activity ON xapi_statements (object_activity, seq);
CREATE INDEX xapi_statements_object_agent ON xapi_statements (object_agent, seq);
CREATE INDEX xapi_statements_registration ON xapi_statements (registration, seq);
-- Only statements that target another (voiding ones, mostly): filters follow them.
CREATE INDEX xapi_statements_refs ON xapi_statements (object_statement)
    WHERE object_statement IS NOT NULL;
CREATE INDEX xapi_statements_stored ON xapi_statements (stored);

-- Every activity and agent a statement names anywhere (related_activities, related_agents).
CREATE TABLE xapi_statement_activities (
    activity TEXT NOT NULL,
    seq BIGINT NOT NULL REFERENCES xapi_statements (seq) ON DELETE CASCADE,
    PRIMARY KEY (activity, seq)
);
CREATE TABLE xapi_statement_agents (
    agent TEXT NOT NULL,
    seq BIGINT NOT NULL REFERENCES xapi_statements (seq) ON DELETE CASCADE,
    PRIMARY KEY (agent, seq)
);

-- Attachments' content, by SHA-256 (a statement names its attachments by hash).
CREATE TABLE xapi_attachments (
    sha2 TEXT PRIMARY KEY,
    content_type TEXT NOT NULL,
    content BLOB NOT NULL
);

-- The activities the LRS has been told of, with the definition it last accepted (GET /activities).
CREATE TABLE xapi_activities (
    id TEXT PRIMARY KEY,
    definition TEXT NOT NULL
);

-- Documents: state (activity + agent + registration), activity profiles (activity) and agent
-- profiles (agent); what does not apply is ''. `updated` in microseconds (since, Last-Modified).
CREATE TABLE xapi_documents (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('state', 'activity_profile', 'agent_profile')),
    activity TEXT NOT NULL,
    agent TEXT NOT NULL,
    registration TEXT NOT NULL,
    doc_id TEXT NOT NULL,
    content_type TEXT NOT NULL,
    content BLOB NOT NULL,
    etag TEXT NOT NULL,
    updated BIGINT NOT NULL,
    UNIQUE (kind, activity, agent, registration, doc_id)
);
