-- Merchant webhooks (§5.1): endpoints, a transactional outbox of events, one delivery row per
-- event and endpoint (a redelivery is a new row).
CREATE TABLE webhook_endpoints (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    owner_id            BIGINT NOT NULL REFERENCES owners (id),
    url                 TEXT NOT NULL,
    description         TEXT,
    -- JSON array of event types; [] = all
    event_types         TEXT NOT NULL,
    enabled             BOOLEAN NOT NULL,
    -- sealed with the instance encryption key: it must be recoverable to sign
    secret_sealed       TEXT NOT NULL,
    secret_prefix       TEXT NOT NULL,
    last_delivery_at    BIGINT,
    failing_since       BIGINT,
    deleted_at          BIGINT,
    created_at          BIGINT NOT NULL
);
CREATE INDEX webhook_endpoints_owner ON webhook_endpoints (owner_id);

-- Written in the same transaction as the state change it reports.
CREATE TABLE webhook_events (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    owner_id            BIGINT NOT NULL REFERENCES owners (id),
    event_type          TEXT NOT NULL,
    body                TEXT NOT NULL,
    created_at          BIGINT NOT NULL
);

CREATE TABLE webhook_deliveries (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    webhook_id          BIGINT NOT NULL REFERENCES webhook_endpoints (id),
    event_id            BIGINT NOT NULL REFERENCES webhook_events (id),
    owner_id            BIGINT NOT NULL,
    event_type          TEXT NOT NULL,
    attempt             BIGINT NOT NULL,
    -- pending, retrying, succeeded, failed
    status              TEXT NOT NULL,
    http_status         BIGINT,
    error               TEXT,
    duration_ms         BIGINT,
    response_excerpt    TEXT,
    next_attempt_at     BIGINT,
    -- a worker holds the row until then while it attempts it
    locked_until        BIGINT,
    created_at          BIGINT NOT NULL
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at);
CREATE INDEX webhook_deliveries_owner ON webhook_deliveries (owner_id, id);
