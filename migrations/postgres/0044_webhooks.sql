-- Webhooks: URLs administrators subscribe to events. The signing secret is sealed with the
-- site's key (`seal`), never kept as plain text.
CREATE TABLE webhook_subscriptions (
    id BIGSERIAL PRIMARY KEY,
    url TEXT NOT NULL,
    description TEXT NOT NULL,
    secret_sealed TEXT NOT NULL,
    -- An administrator allowed private and loopback addresses for this one.
    allow_private BOOLEAN NOT NULL,
    enabled BOOLEAN NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE webhook_subscription_events (
    subscription_id BIGINT NOT NULL REFERENCES webhook_subscriptions (id) ON DELETE CASCADE,
    event TEXT NOT NULL,
    PRIMARY KEY (subscription_id, event)
);
-- `outbox::emit` looks up the subscribers of one event.
CREATE INDEX webhook_subscription_events_event_idx ON webhook_subscription_events (event);

-- One event for one subscription: the body as sent (the same at every try) and the last try's
-- outcome. The job `webhooks.deliver` sends it.
CREATE TABLE webhook_deliveries (
    id BIGSERIAL PRIMARY KEY,
    subscription_id BIGINT NOT NULL REFERENCES webhook_subscriptions (id) ON DELETE CASCADE,
    event TEXT NOT NULL,
    event_id TEXT NOT NULL,
    payload TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('queued', 'delivered', 'retrying', 'failed', 'cancelled')),
    attempts INTEGER NOT NULL,
    response_status INTEGER,
    response_body TEXT,
    error TEXT,
    duration_ms BIGINT,
    created_at BIGINT NOT NULL,
    last_attempt_at BIGINT,
    delivered_at BIGINT
);
CREATE INDEX webhook_deliveries_subscription_idx ON webhook_deliveries (subscription_id, id);
