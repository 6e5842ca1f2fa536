-- What SCORM 2004 sequencing remembers for a learner beyond their SCOs' current attempts
-- (JSON, `scorm::sequencing::Memory`): the retries begun on each cluster, the clusters an exit
-- ended, and the global objectives as they stood when a retry set attempts aside.
-- An instructor's reset or a new certification cycle deletes the row with the attempts.
CREATE TABLE scorm_sequencing (
    item_id BIGINT NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    memory TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (item_id, user_id)
);
