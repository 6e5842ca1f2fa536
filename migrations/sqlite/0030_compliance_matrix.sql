-- The compliance matrix as last computed (each night, and soon after an administrator changes a
-- requirement or asks): per group of people (a department, an audience, everyone) and
-- requirement, the counts its page shows. Computing it reads every requirement row; the page
-- reads only this, a page of groups at a time (`position` orders the groups of a grouping).
CREATE TABLE compliance_matrix (
    grouping TEXT NOT NULL CHECK (grouping IN ('department', 'audience', 'everyone')),
    group_key TEXT NOT NULL,
    label TEXT NOT NULL,
    position INTEGER NOT NULL,
    requirement_id BIGINT NOT NULL REFERENCES requirements (id) ON DELETE CASCADE,
    assigned BIGINT NOT NULL,
    compliant BIGINT NOT NULL,
    overdue BIGINT NOT NULL,
    expiring BIGINT NOT NULL,
    computed_at BIGINT NOT NULL,
    PRIMARY KEY (grouping, group_key, requirement_id)
);
CREATE INDEX compliance_matrix_position_idx ON compliance_matrix (grouping, position);
