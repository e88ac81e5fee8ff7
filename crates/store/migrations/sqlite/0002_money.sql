-- Money: the currency catalogue (seeded with stable ids), owner balances and house accounts,
-- the double-entry ledger, transfers and exchanges, rates and quotes, idempotency keys,
-- product favourites and subscriptions. Amounts are NUMERIC(78,18) here, decimal TEXT on SQLite.

CREATE TABLE coins (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    code      TEXT NOT NULL,
    name      TEXT NOT NULL,
    symbol    TEXT,
    decimals  BIGINT NOT NULL,
    is_fiat   BOOLEAN NOT NULL,
    enabled   BOOLEAN NOT NULL DEFAULT TRUE,
    CONSTRAINT coins_code_key UNIQUE (code)
);

CREATE TABLE chains (
    id                      INTEGER PRIMARY KEY AUTOINCREMENT,
    code                    TEXT NOT NULL,
    name                    TEXT NOT NULL,
    family                  TEXT NOT NULL,
    is_test                 BOOLEAN NOT NULL,
    evm_chain_id            BIGINT,
    native_coin_id          BIGINT NOT NULL REFERENCES coins (id),
    confirmations_required  BIGINT NOT NULL,
    explorer_tx_url         TEXT,
    enabled                 BOOLEAN NOT NULL DEFAULT FALSE,
    CONSTRAINT chains_code_key UNIQUE (code)
);

CREATE TABLE tokens (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    coin_id           BIGINT NOT NULL REFERENCES coins (id),
    chain_id          BIGINT NOT NULL REFERENCES chains (id),
    name              TEXT NOT NULL,
    standard          TEXT NOT NULL,
    contract_address  TEXT,
    decimals          BIGINT NOT NULL,
    min_amount        TEXT NOT NULL,
    enabled           BOOLEAN NOT NULL DEFAULT FALSE,
    CONSTRAINT tokens_chain_id_contract_address_key UNIQUE (chain_id, contract_address)
);
-- one native (or sandbox) token per chain and coin
CREATE UNIQUE INDEX tokens_chain_id_coin_id_standard_key ON tokens (chain_id, coin_id, standard) WHERE contract_address IS NULL;

INSERT INTO coins (id, code, name, symbol, decimals, is_fiat) VALUES
    (1, 'USD', 'US Dollar', '$', 2, TRUE),
    (2, 'EUR', 'Euro', '€', 2, TRUE),
    (3, 'BTC', 'Bitcoin', '₿', 8, FALSE),
    (4, 'ETH', 'Ether', 'Ξ', 18, FALSE),
    (5, 'TRX', 'TRON', NULL, 6, FALSE),
    (6, 'USDT', 'Tether USD', '₮', 6, FALSE);

INSERT INTO chains (id, code, name, family, is_test, evm_chain_id, native_coin_id, confirmations_required, explorer_tx_url, enabled) VALUES
    (1, 'bitcoin', 'Bitcoin', 'bitcoin', FALSE, NULL, 3, 2, 'https://mempool.space/tx/{tx}', TRUE),
    (2, 'bitcoin-testnet', 'Bitcoin Testnet', 'bitcoin', TRUE, NULL, 3, 1, 'https://mempool.space/testnet/tx/{tx}', TRUE),
    (3, 'bitcoin-regtest', 'Bitcoin Regtest', 'bitcoin', TRUE, NULL, 3, 1, NULL, TRUE),
    (4, 'ethereum', 'Ethereum', 'evm', FALSE, 1, 4, 12, 'https://etherscan.io/tx/{tx}', TRUE),
    (5, 'ethereum-sepolia', 'Ethereum Sepolia Testnet', 'evm', TRUE, 11155111, 4, 3, 'https://sepolia.etherscan.io/tx/{tx}', TRUE),
    (6, 'tron', 'Tron', 'tron', FALSE, NULL, 5, 19, 'https://tronscan.org/#/transaction/{tx}', TRUE),
    (7, 'tron-shasta', 'Tron Shasta Testnet', 'tron', TRUE, NULL, 5, 1, 'https://shasta.tronscan.org/#/transaction/{tx}', TRUE),
    (8, 'devnet', 'Local Development Chain', 'evm', TRUE, 31337, 4, 1, NULL, TRUE),
    (9, 'sandbox', 'Sandbox', 'sandbox', TRUE, NULL, 4, 1, NULL, TRUE);

INSERT INTO tokens (id, coin_id, chain_id, name, standard, contract_address, decimals, min_amount, enabled) VALUES
    (1, 3, 1, 'Bitcoin', 'native', NULL, 8, '0.00001', TRUE),
    (2, 3, 2, 'Bitcoin Testnet', 'native', NULL, 8, '0.00001', TRUE),
    (3, 3, 3, 'Bitcoin Regtest', 'native', NULL, 8, '0.00001', TRUE),
    (4, 4, 4, 'Ether', 'native', NULL, 18, '0.0001', TRUE),
    (5, 4, 5, 'Ether Sepolia', 'native', NULL, 18, '0.0001', TRUE),
    (6, 6, 4, 'USDT ERC-20', 'erc20', '0xdAC17F958D2ee523a2206206994597C13D831ec7', 6, '1', TRUE),
    (7, 5, 6, 'TRX', 'native', NULL, 6, '1', TRUE),
    (8, 5, 7, 'TRX Shasta', 'native', NULL, 6, '1', TRUE),
    (9, 6, 6, 'USDT TRC-20', 'trc20', 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t', 6, '1', TRUE),
    (10, 4, 8, 'Ether (devnet)', 'native', NULL, 18, '0.0001', TRUE),
    (11, 6, 8, 'USDT ERC-20 (devnet)', 'erc20', NULL, 6, '1', FALSE),
    (12, 3, 9, 'BTC (sandbox)', 'sandbox', NULL, 8, '0.00001', TRUE),
    (13, 4, 9, 'ETH (sandbox)', 'sandbox', NULL, 18, '0.0001', TRUE),
    (14, 6, 9, 'USDT (sandbox)', 'sandbox', NULL, 6, '1', TRUE);

-- operator-created rows get ids above the seed's
UPDATE sqlite_sequence SET seq = 100 WHERE name IN ('coins', 'chains', 'tokens');

-- Owner balances (owner_id set, kind 'balance') and per-coin house accounts (owner_id NULL):
-- deposits, fees, exchange, payouts, adjustments. A balance's id is its account id.
-- `posted` and `held` are derived from the postings and kept with them in the same unit of
-- work; `ledger check` recomputes them.
CREATE TABLE accounts (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    owner_id    BIGINT REFERENCES owners (id),
    kind        TEXT NOT NULL,
    coin_id     BIGINT NOT NULL REFERENCES coins (id),
    posted      TEXT NOT NULL DEFAULT '0',
    held        TEXT NOT NULL DEFAULT '0',
    incoming    TEXT NOT NULL DEFAULT '0',
    available   BOOLEAN NOT NULL DEFAULT TRUE,
    is_default  BOOLEAN NOT NULL DEFAULT FALSE,
    created_at  BIGINT NOT NULL,
    CONSTRAINT accounts_owner_id_coin_id_key UNIQUE (owner_id, coin_id)
);
CREATE UNIQUE INDEX accounts_house_key ON accounts (kind, coin_id) WHERE owner_id IS NULL;
CREATE UNIQUE INDEX accounts_one_default ON accounts (owner_id) WHERE is_default;

-- One row per money movement. `op_key` is derived from the cause (an order id, a chain payment)
-- and unique, so a movement is booked once however often its cause is replayed.
CREATE TABLE ledger_transactions (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    op_key          TEXT NOT NULL,
    operation_type  BIGINT NOT NULL,
    product_id      BIGINT NOT NULL,
    owner_id        BIGINT,
    user_id         BIGINT,
    order_id        TEXT,
    -- 'posted', 'pending' (a hold), 'voided'
    status          TEXT NOT NULL,
    memo            TEXT,
    created_at      BIGINT NOT NULL,
    CONSTRAINT ledger_transactions_op_key_key UNIQUE (op_key)
);
CREATE INDEX ledger_transactions_owner ON ledger_transactions (owner_id, created_at);

-- Append-only. Positive credits the account, negative debits it; every transaction sums to
-- zero per coin.
CREATE TABLE postings (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    tx_id           BIGINT NOT NULL REFERENCES ledger_transactions (id),
    account_id      BIGINT NOT NULL REFERENCES accounts (id),
    coin_id         BIGINT NOT NULL,
    amount          TEXT NOT NULL,
    operation_type  BIGINT NOT NULL,
    created_at      BIGINT NOT NULL
);
CREATE INDEX postings_account ON postings (account_id, id);
CREATE INDEX postings_tx ON postings (tx_id);

CREATE TABLE transfers (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    ledger_tx_id     BIGINT NOT NULL REFERENCES ledger_transactions (id),
    owner_id         BIGINT NOT NULL,
    order_id         TEXT NOT NULL,
    user_id          BIGINT,
    product_id       BIGINT NOT NULL,
    from_balance_id  BIGINT NOT NULL,
    to_owner_id      BIGINT NOT NULL,
    to_balance_id    BIGINT NOT NULL,
    coin_id          BIGINT NOT NULL,
    amount           TEXT NOT NULL,
    commission       TEXT NOT NULL,
    created_at       BIGINT NOT NULL,
    CONSTRAINT transfers_owner_id_order_id_key UNIQUE (owner_id, order_id)
);

CREATE TABLE exchanges (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    ledger_tx_id     BIGINT NOT NULL REFERENCES ledger_transactions (id),
    owner_id         BIGINT NOT NULL,
    order_id         TEXT NOT NULL,
    user_id          BIGINT,
    product_id       BIGINT NOT NULL,
    from_balance_id  BIGINT NOT NULL,
    to_balance_id    BIGINT NOT NULL,
    amount           TEXT NOT NULL,
    credited         TEXT NOT NULL,
    rate             TEXT NOT NULL,
    created_at       BIGINT NOT NULL,
    CONSTRAINT exchanges_owner_id_order_id_key UNIQUE (owner_id, order_id)
);

-- Operator rates; the provider's live rates are kept in memory with their age.
CREATE TABLE static_rates (
    from_coin_id  BIGINT NOT NULL,
    to_coin_id    BIGINT NOT NULL,
    rate          TEXT NOT NULL,
    updated_at    BIGINT NOT NULL,
    PRIMARY KEY (from_coin_id, to_coin_id)
);

CREATE TABLE exchange_quotes (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    owner_id      BIGINT NOT NULL,
    from_coin_id  BIGINT NOT NULL,
    to_coin_id    BIGINT NOT NULL,
    rate          TEXT NOT NULL,
    expires_at    BIGINT NOT NULL,
    created_at    BIGINT NOT NULL
);
CREATE INDEX exchange_quotes_owner ON exchange_quotes (owner_id, from_coin_id, to_coin_id, expires_at);

CREATE TABLE idempotency_keys (
    principal     TEXT NOT NULL,
    idem_key      TEXT NOT NULL,
    fingerprint   TEXT NOT NULL,
    -- 'running' or 'done'
    state         TEXT NOT NULL,
    status        BIGINT,
    content_type  TEXT,
    body          BLOB,
    created_at    BIGINT NOT NULL,
    PRIMARY KEY (principal, idem_key)
);

-- USD equivalent of each owner's outgoing movements per UTC day (the plan's daily limit),
-- kept with the movements so the check does not rescan the day's postings.
CREATE TABLE outgoing_totals (
    owner_id  BIGINT NOT NULL,
    day       BIGINT NOT NULL,
    usd       TEXT NOT NULL,
    PRIMARY KEY (owner_id, day)
);

CREATE TABLE product_favorites (
    user_id     BIGINT NOT NULL,
    product_id  BIGINT NOT NULL,
    PRIMARY KEY (user_id, product_id)
);

CREATE TABLE subscriptions (
    owner_id        BIGINT PRIMARY KEY REFERENCES owners (id),
    plan_id         BIGINT NOT NULL,
    -- 1 active, 2 cancelled, 3 past due
    status_id       BIGINT NOT NULL,
    balance_id      BIGINT,
    price           TEXT NOT NULL,
    coin_id         BIGINT NOT NULL,
    started_at      BIGINT NOT NULL,
    renews_at       BIGINT,
    past_due_since  BIGINT
);
