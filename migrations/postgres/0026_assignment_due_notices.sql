-- Learners told that an assignment is due soon: once per due date (a new date tells them again).
CREATE TABLE assignment_due_notices (
    item_id BIGINT NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    due_at BIGINT NOT NULL,
    sent_at BIGINT NOT NULL,
    PRIMARY KEY (item_id, user_id, due_at)
);
