-- The site's signing keys, made at first need and kept here so that every instance signs with
-- the same one: `credentials` signs Open Badges 3.0 credentials (an Ed25519 seed, base64).
CREATE TABLE site_keys (
    name TEXT PRIMARY KEY,
    secret TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
