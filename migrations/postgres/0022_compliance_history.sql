-- Compliance over time: each night, per requirement, how many people it applied to, how many
-- were compliant (completed and valid, or exempt) and how many overdue or expired. The chart on
-- the compliance page reads it; nothing else is kept per day.
CREATE TABLE compliance_snapshots (
    day TEXT NOT NULL,
    requirement_id BIGINT NOT NULL REFERENCES requirements (id) ON DELETE CASCADE,
    assigned BIGINT NOT NULL,
    compliant BIGINT NOT NULL,
    overdue BIGINT NOT NULL,
    PRIMARY KEY (day, requirement_id)
);
