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
    id BIGSERIAL PRIMARY KEY,
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

-- Wrong codes are throttled like passwords (`auth::throttle`, kind 'second_factor').
ALTER TABLE auth_attempts DROP CONSTRAINT auth_attempts_kind_check;
ALTER TABLE auth_attempts ADD CONSTRAINT auth_attempts_kind_check
    CHECK (kind IN ('sign_in', 'password_change', 'reset_request', 'register', 'enrol_key', 'second_factor'));
