-- Integration API keys (§5.2): only a keyed hash and a display prefix are kept.
CREATE TABLE api_keys (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    owner_id            BIGINT NOT NULL REFERENCES owners (id),
    name                TEXT NOT NULL,
    prefix              TEXT NOT NULL,
    key_hash            TEXT NOT NULL,
    -- JSON array: "invoice", "payout"
    scopes              TEXT NOT NULL,
    -- 1 active, 2 revoked (3 expired is derived from expires_at)
    status_id           BIGINT NOT NULL,
    expires_at          BIGINT,
    last_used_at        BIGINT,
    created_by_user_id  BIGINT NOT NULL,
    created_at          BIGINT NOT NULL,
    CONSTRAINT api_keys_key_hash_key UNIQUE (key_hash)
);
CREATE INDEX api_keys_owner ON api_keys (owner_id, status_id);
