-- Getting paid: operators' extended public keys and the addresses derived from them, pay links,
-- invoices and the on-chain payments to their addresses, chain cursors with the remembered
-- block hashes (reorganisation detection), and the built-in sandbox chain.

CREATE TABLE xpubs (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    chain_id         BIGINT NOT NULL REFERENCES chains (id),
    xpub             TEXT NOT NULL,
    fingerprint      TEXT NOT NULL,
    derivation_path  TEXT NOT NULL,
    next_index       BIGINT NOT NULL DEFAULT 0,
    -- 1 active, 2 retired
    status_id        BIGINT NOT NULL,
    created_at       BIGINT NOT NULL,
    CONSTRAINT xpubs_chain_id_xpub_key UNIQUE (chain_id, xpub)
);
CREATE UNIQUE INDEX xpubs_one_active ON xpubs (chain_id) WHERE status_id = 1;

-- Every address ever handed out. The unique constraints are what guarantees an index is never
-- reused and an address never given twice.
CREATE TABLE addresses (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    chain_id          BIGINT NOT NULL,
    address           TEXT NOT NULL,
    xpub_id           BIGINT NOT NULL REFERENCES xpubs (id),
    derivation_index  BIGINT NOT NULL,
    owner_id          BIGINT NOT NULL REFERENCES owners (id),
    -- 'invoice' or 'wallet'
    purpose           TEXT NOT NULL,
    invoice_id        BIGINT,
    label             TEXT,
    created_at        BIGINT NOT NULL,
    CONSTRAINT addresses_xpub_id_derivation_index_key UNIQUE (xpub_id, derivation_index),
    CONSTRAINT addresses_chain_id_address_key UNIQUE (chain_id, address)
);
CREATE INDEX addresses_owner ON addresses (owner_id, purpose);

CREATE TABLE pay_links (
    id           BIGINT PRIMARY KEY,
    public_id    TEXT NOT NULL,
    owner_id     BIGINT NOT NULL REFERENCES owners (id),
    kind_id      BIGINT NOT NULL,
    name         TEXT NOT NULL,
    description  TEXT,
    amount       TEXT,
    amount_min   TEXT,
    amount_max   TEXT,
    coin_id      BIGINT NOT NULL,
    -- JSON array of token ids; [] = every token the owner accepts
    token_ids    TEXT NOT NULL,
    single_use   BOOLEAN NOT NULL DEFAULT FALSE,
    expires_at   BIGINT,
    success_url  TEXT,
    fail_url     TEXT,
    status_id    BIGINT NOT NULL,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    CONSTRAINT pay_links_public_id_key UNIQUE (public_id)
);
CREATE INDEX pay_links_owner ON pay_links (owner_id, created_at);

CREATE TABLE invoices (
    id                  BIGINT PRIMARY KEY,
    owner_id            BIGINT NOT NULL REFERENCES owners (id),
    product_id          BIGINT NOT NULL,
    object_id           BIGINT,
    order_id            TEXT,
    description         TEXT,
    amount              TEXT NOT NULL,
    coin_id             BIGINT NOT NULL,
    token_id            BIGINT,
    address_id          BIGINT,
    rate                TEXT,
    amount_due          TEXT,
    -- 1 new … 6 invalid (§2.9)
    status              BIGINT NOT NULL,
    exception           TEXT NOT NULL DEFAULT 'none',
    -- JSON array narrowing the payable tokens; [] = no narrowing
    token_ids           TEXT NOT NULL,
    metadata            TEXT,
    success_url         TEXT,
    fail_url            TEXT,
    expiry_minutes      BIGINT NOT NULL,
    expires_at          BIGINT NOT NULL,
    processing_since    BIGINT,
    paid_at             BIGINT,
    created_by_user_id  BIGINT,
    api_key_id          BIGINT,
    created_at          BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL,
    CONSTRAINT invoices_owner_id_order_id_key UNIQUE (owner_id, order_id)
);
CREATE INDEX invoices_owner ON invoices (owner_id, created_at);
CREATE INDEX invoices_open ON invoices (status, expires_at);

-- One row per output or token-transfer log: (chain, tx, index) is booked once.
CREATE TABLE payments (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    chain_id       BIGINT NOT NULL,
    tx_hash        TEXT NOT NULL,
    log_index      BIGINT NOT NULL,
    address_id     BIGINT NOT NULL REFERENCES addresses (id),
    owner_id       BIGINT NOT NULL,
    -- the invoice the payment counts for; NULL = a deposit
    invoice_id     BIGINT,
    token_id       BIGINT NOT NULL,
    amount         TEXT NOT NULL,
    block_height   BIGINT,
    block_hash     TEXT,
    -- 'seen', 'confirmed', 'replaced'
    status         TEXT NOT NULL,
    ledger_tx_id   BIGINT,
    seen_at        BIGINT NOT NULL,
    confirmed_at   BIGINT,
    CONSTRAINT payments_chain_id_tx_hash_log_index_key UNIQUE (chain_id, tx_hash, log_index)
);
CREATE INDEX payments_invoice ON payments (invoice_id);
CREATE INDEX payments_open ON payments (chain_id, status);

CREATE TABLE chain_cursors (
    chain_id    BIGINT PRIMARY KEY,
    height      BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);

-- Hashes of recently processed blocks, to detect a reorganisation by a parent-hash mismatch.
CREATE TABLE chain_blocks (
    chain_id     BIGINT NOT NULL,
    height       BIGINT NOT NULL,
    hash         TEXT NOT NULL,
    parent_hash  TEXT NOT NULL,
    PRIMARY KEY (chain_id, height)
);

-- The sandbox chain (§5.6): its blocks and the simulated transfers they carry.
CREATE TABLE sandbox_blocks (
    height       BIGINT PRIMARY KEY,
    hash         TEXT NOT NULL,
    parent_hash  TEXT NOT NULL,
    created_at   BIGINT NOT NULL
);

CREATE TABLE sandbox_transfers (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    tx_hash       TEXT NOT NULL,
    to_address    TEXT NOT NULL,
    token_id      BIGINT NOT NULL,
    amount        TEXT NOT NULL,
    block_height  BIGINT,
    dropped       BOOLEAN NOT NULL DEFAULT FALSE,
    created_at    BIGINT NOT NULL,
    CONSTRAINT sandbox_transfers_tx_hash_key UNIQUE (tx_hash)
);
CREATE INDEX sandbox_transfers_block ON sandbox_transfers (block_height);
