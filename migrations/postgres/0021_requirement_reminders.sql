-- How each requirement chases people (JSON: days before the due date, on overdue, repeated,
-- copied to the manager after some days; NULL for none), and when each person was last reminded.
ALTER TABLE requirements ADD COLUMN reminders TEXT;
ALTER TABLE requirement_people ADD COLUMN reminded_on TEXT;
