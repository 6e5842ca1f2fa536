-- Grades that content reports (a SCORM package's score, later cmi5 and LTI): a grade item's
-- source is 'manual' or the kind of the course item that feeds it (`items.kind`), so a new kind
-- that reports grades needs no change here. SCORM attempts keep their score as a percentage
-- (from raw, min and max in 1.2, from scaled in 2004) from now on.
ALTER TABLE grade_items DROP CONSTRAINT grade_items_source_check;
ALTER TABLE grade_items ADD CONSTRAINT grade_items_source_check CHECK (source <> '');
