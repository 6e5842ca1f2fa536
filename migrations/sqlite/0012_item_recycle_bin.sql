-- Deleting a course item puts it in the course's recycle bin: it disappears for everyone (player,
-- outline, gradebook, lists) but keeps its own rows (submissions, attempts, grades, confirmations)
-- so staff can restore it as it was. Items deleted more than 30 days ago are purged for good.
ALTER TABLE items ADD COLUMN deleted_at BIGINT;
ALTER TABLE items ADD COLUMN deleted_by BIGINT REFERENCES users (id) ON DELETE SET NULL;
CREATE INDEX items_deleted_idx ON items (deleted_at) WHERE deleted_at IS NOT NULL;
