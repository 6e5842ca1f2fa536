-- The acknowledgement item kind: a policy text (the item's body) and a statement the learner
-- confirms. A confirmation keeps the statement as it read when confirmed, for auditors.
CREATE TABLE acknowledgements (
    item_id BIGINT PRIMARY KEY REFERENCES items (id) ON DELETE CASCADE,
    statement TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE acknowledgement_confirmations (
    item_id BIGINT NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    course_id BIGINT NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    statement TEXT NOT NULL,
    confirmed_at BIGINT NOT NULL,
    PRIMARY KEY (item_id, user_id)
);
