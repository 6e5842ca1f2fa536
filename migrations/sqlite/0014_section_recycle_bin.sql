-- Deleting a section puts its items in the course's recycle bin and hides the section; restoring
-- one of its items brings the section back where it was. A deleted section goes for good with
-- the purge of its last item.
ALTER TABLE sections ADD COLUMN deleted_at BIGINT;
