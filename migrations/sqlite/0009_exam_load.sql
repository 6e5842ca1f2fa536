-- A learner's attempts at one quiz are read on every start, submit and completion: an index for
-- them (the existing one covers open attempts only).
CREATE INDEX quiz_attempts_learner_idx ON quiz_attempts (item_id, user_id, number);
