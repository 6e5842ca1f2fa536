-- Starting a sign-in through an identity provider is throttled per client address
-- (`auth::throttle`, kind 'sso_start'); SQLite changes a CHECK by copying the table.
CREATE TABLE auth_attempts_new (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('sign_in', 'password_change', 'reset_request', 'register', 'enrol_key', 'second_factor', 'sso_start')),
    account TEXT NOT NULL,
    ip TEXT NOT NULL,
    device TEXT NOT NULL DEFAULT '',
    at BIGINT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('pending', 'failed', 'succeeded', 'refused'))
);
INSERT INTO auth_attempts_new (id, kind, account, ip, device, at, outcome)
    SELECT id, kind, account, ip, device, at, outcome FROM auth_attempts;
DROP TABLE auth_attempts;
ALTER TABLE auth_attempts_new RENAME TO auth_attempts;
CREATE INDEX auth_attempts_account_idx ON auth_attempts (kind, account, at);
CREATE INDEX auth_attempts_ip_idx ON auth_attempts (kind, ip, at);
