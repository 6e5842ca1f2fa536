-- What a password sign-in asks of people with each site role (`auth::rules`): no password at
-- all (they sign in through an identity provider), or two-step verification, set up at their
-- next sign-in if they have none. A role without a row has neither. Administrators may always
-- sign in with a password.
CREATE TABLE sign_in_rules (
    role TEXT PRIMARY KEY,
    password_off BOOLEAN NOT NULL,
    mfa_required BOOLEAN NOT NULL,
    updated_at BIGINT NOT NULL
);
