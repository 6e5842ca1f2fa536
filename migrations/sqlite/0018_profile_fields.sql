-- Profile fields that administrators define (text, choice list, date, yes/no) and each person's
-- values, one row per value that is not empty. The name is the CSV column and the REST key.
CREATE TABLE profile_fields (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    label TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('text', 'choice', 'date', 'yes_no')),
    choices TEXT NOT NULL DEFAULT '[]',
    required BOOLEAN NOT NULL DEFAULT FALSE,
    visible_to_user BOOLEAN NOT NULL DEFAULT TRUE,
    created_at BIGINT NOT NULL
);

CREATE TABLE profile_field_values (
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    field_id BIGINT NOT NULL REFERENCES profile_fields (id) ON DELETE CASCADE,
    value TEXT NOT NULL,
    PRIMARY KEY (user_id, field_id)
);
CREATE INDEX profile_field_values_field_idx ON profile_field_values (field_id, value);
