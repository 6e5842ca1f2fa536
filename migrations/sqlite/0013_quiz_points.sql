-- A quiz's grade is worth the quiz's total marks in the gradebook (it was out of 100), so the
-- review, the gradebook and My grades all read "3 / 4 points (75 %)". Each grade keeps its
-- percentage; quizzes without marks stay as they were. The totals of the courses concerned are
-- computed again once, by the server after it starts (`gradebook_stale`).
UPDATE grades
SET points = points * (SELECT SUM(s.mark * CASE WHEN s.draw_count > 1 THEN s.draw_count ELSE 1 END)
                       FROM quiz_slots s JOIN grade_items gi ON gi.source_item_id = s.item_id
                       WHERE gi.id = grades.grade_item_id) / 100,
    override_points = override_points * (SELECT SUM(s.mark * CASE WHEN s.draw_count > 1 THEN s.draw_count ELSE 1 END)
                       FROM quiz_slots s JOIN grade_items gi ON gi.source_item_id = s.item_id
                       WHERE gi.id = grades.grade_item_id) / 100
WHERE grade_item_id IN (SELECT gi.id FROM grade_items gi WHERE gi.source = 'quiz'
    AND (SELECT SUM(s.mark) FROM quiz_slots s WHERE s.item_id = gi.source_item_id) > 0);

UPDATE grade_items
SET max_points = (SELECT SUM(s.mark * CASE WHEN s.draw_count > 1 THEN s.draw_count ELSE 1 END)
                  FROM quiz_slots s WHERE s.item_id = grade_items.source_item_id)
WHERE source = 'quiz'
  AND (SELECT SUM(s.mark) FROM quiz_slots s WHERE s.item_id = grade_items.source_item_id) > 0;

CREATE TABLE gradebook_stale (
    course_id BIGINT PRIMARY KEY REFERENCES courses (id) ON DELETE CASCADE
);
INSERT INTO gradebook_stale (course_id) SELECT DISTINCT course_id FROM grade_items WHERE source = 'quiz';
