-- OpenID Connect sign-in. Each provider is shown as a button on the sign-in page; its client
-- secret is sealed with the site's key (`seal`), never kept as plain text.
CREATE TABLE sso_providers (
    id BIGSERIAL PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    issuer_url TEXT NOT NULL,
    client_id TEXT NOT NULL,
    client_secret_sealed TEXT NOT NULL,
    scopes TEXT NOT NULL,
    email_claim TEXT NOT NULL,
    name_claim TEXT NOT NULL,
    -- Empty: any domain.
    allowed_domains TEXT NOT NULL,
    create_accounts BOOLEAN NOT NULL,
    link_by_email BOOLEAN NOT NULL,
    -- The provider vouches for every address (a directory that sends no email_verified).
    trust_email BOOLEAN NOT NULL,
    enabled BOOLEAN NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- Who a provider's subject is here. Unlinking or a deleted provider ends the link, not the account.
CREATE TABLE sso_identities (
    id BIGSERIAL PRIMARY KEY,
    provider_id BIGINT NOT NULL REFERENCES sso_providers (id) ON DELETE CASCADE,
    subject TEXT NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT NOT NULL,
    UNIQUE (provider_id, subject)
);
CREATE INDEX sso_identities_user_idx ON sso_identities (user_id);

-- A sign-in on its way through a provider: found by its state's hash, used once, bound to the
-- browser that started it (the hash of a cookie's secret), kept at most ten minutes.
CREATE TABLE sso_logins (
    state_hash TEXT PRIMARY KEY,
    provider_id BIGINT NOT NULL REFERENCES sso_providers (id) ON DELETE CASCADE,
    browser_hash TEXT NOT NULL,
    nonce TEXT NOT NULL,
    pkce_verifier TEXT NOT NULL,
    next_path TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX sso_logins_created_idx ON sso_logins (created_at);
