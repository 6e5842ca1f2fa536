-- Two-step verification. An authenticator app's secret, sealed with the site's key (`seal`);
-- confirmed once the person typed a code from it. `last_step` is the last time step a code was
-- accepted for, so that a code is never accepted twice.
CREATE TABLE mfa_totp (
    user_id BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    secret_sealed TEXT NOT NULL,
    confirmed_at BIGINT,
    last_step BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);

-- One-time recovery codes (hashed), for a lost phone.
CREATE TABLE mfa_recovery_codes (
    id INTEGER PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    used_at BIGINT
);
CREATE INDEX mfa_recovery_codes_user_idx ON mfa_recovery_codes (user_id);

-- A sign-in whose password was right, waiting for the second step (the hash of an HttpOnly
-- cookie's secret), five minutes at most.
CREATE TABLE mfa_challenges (
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL
);
CREATE INDEX mfa_challenges_created_idx ON mfa_challenges (created_at);

-- Wrong codes are throttled like passwords (`auth::throttle`, kind 'second_factor'); SQLite
-- changes a CHECK by copying the table.
CREATE TABLE auth_attempts_new (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('sign_in', 'password_change', 'reset_request', 'register', 'enrol_key', 'second_factor')),
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
