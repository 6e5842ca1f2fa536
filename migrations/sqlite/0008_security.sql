-- Guessing limits for sign-in, the password form, "forgot password", registration and enrolment keys. Each attempt
-- is recorded as 'pending' before the password is checked, so simultaneous guesses see each other.
CREATE TABLE auth_attempts (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('sign_in', 'password_change', 'reset_request', 'register', 'enrol_key')),
    -- The email address typed (normalised), whether or not such an account exists; '' for
    -- registration; 'course:{id}:user:{id}' for enrolment keys.
    account TEXT NOT NULL,
    ip TEXT NOT NULL,
    -- Hash of the browser's device cookie, '' without one.
    device TEXT NOT NULL DEFAULT '',
    at BIGINT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('pending', 'failed', 'succeeded', 'refused'))
);
CREATE INDEX auth_attempts_account_idx ON auth_attempts (kind, account, at);
CREATE INDEX auth_attempts_ip_idx ON auth_attempts (kind, ip, at);

DROP TABLE sign_in_attempts;

-- Issuing or using a reset link ends every earlier one of the account.
CREATE INDEX password_resets_user_idx ON password_resets (user_id, used_at);

-- Downloads look up the items that use a file (see files::store).
CREATE INDEX items_file_idx ON items (file_id) WHERE file_id IS NOT NULL;

-- The course files an attempt page shows with each question (" 12 15 "): its learner may download
-- them while taking the quiz; files only feedback or answers use wait for the review.
ALTER TABLE attempt_questions ADD COLUMN shown_files TEXT NOT NULL DEFAULT '';
