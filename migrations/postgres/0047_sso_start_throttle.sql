-- Starting a sign-in through an identity provider is throttled per client address
-- (`auth::throttle`, kind 'sso_start').
ALTER TABLE auth_attempts DROP CONSTRAINT auth_attempts_kind_check;
ALTER TABLE auth_attempts ADD CONSTRAINT auth_attempts_kind_check
    CHECK (kind IN ('sign_in', 'password_change', 'reset_request', 'register', 'enrol_key', 'second_factor', 'sso_start'));
