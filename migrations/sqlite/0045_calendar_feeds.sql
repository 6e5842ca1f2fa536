-- Each person's private calendar feed address: found by the hash of its token; the token itself
-- sealed with the site's key (`seal`) so that the person's page can show the address again.
-- A new address replaces the row, and the old one stops working.
CREATE TABLE calendar_feeds (
    user_id BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    token_sealed TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_read_at BIGINT
);
