-- Forwarding every statement the LRS stores to another LRS (src/xapi/forward.rs): one
-- destination at most, set by administrators. The password is kept as given, since Lyceum must
-- send it.
CREATE TABLE xapi_forwarding (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    endpoint TEXT NOT NULL,
    username TEXT NOT NULL,
    password TEXT NOT NULL,
    enabled BOOLEAN NOT NULL,
    updated_at BIGINT NOT NULL,
    last_sent_at BIGINT,
    last_error TEXT
);

-- Statements still to forward (stored while forwarding was on), sent in storing order.
CREATE TABLE xapi_forward_queue (
    seq BIGINT PRIMARY KEY REFERENCES xapi_statements (seq) ON DELETE CASCADE
);
