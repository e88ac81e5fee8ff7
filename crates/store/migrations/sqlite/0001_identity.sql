-- Identity and access: users, owners (merchants), memberships, sessions, one-time codes,
-- 2FA resets, mail outbox, notifications, media, audit log, time zones.
-- Every timestamp is whole Unix seconds (BIGINT); every integer is BIGINT so one Rust type
-- (i64) reads both backends.

CREATE TABLE timezones (
    id   BIGINT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);

CREATE TABLE users (
    id                       INTEGER PRIMARY KEY AUTOINCREMENT,
    email                    TEXT NOT NULL,
    password_hash            TEXT,
    name                     TEXT NOT NULL DEFAULT '',
    surname                  TEXT NOT NULL DEFAULT '',
    phone                    TEXT,
    language                 TEXT NOT NULL DEFAULT 'en',
    timezone_id              BIGINT NOT NULL,
    avatar                   TEXT,
    -- 1 registering, 2 active, 3 blocked
    status                   BIGINT NOT NULL,
    is_operator              BOOLEAN NOT NULL DEFAULT FALSE,
    tfa_enabled              BOOLEAN NOT NULL DEFAULT FALSE,
    tfa_type                 BIGINT NOT NULL DEFAULT 1,
    totp_secret              TEXT,
    totp_pending             TEXT,
    totp_last_step           BIGINT NOT NULL DEFAULT 0,
    last_owner_id            BIGINT,
    pending_email            TEXT,
    password_verified_at     BIGINT,
    sign_in_challenge_until  BIGINT,
    sign_in_locked_until     BIGINT,
    created_at               BIGINT NOT NULL,
    CONSTRAINT users_email_key UNIQUE (email)
);

-- Draft of a registration between e-mail proof and POST /auth/sign-up.
CREATE TABLE signups (
    user_id                 BIGINT PRIMARY KEY REFERENCES users (id),
    user_filled             BOOLEAN NOT NULL DEFAULT FALSE,
    owner_draft             TEXT,
    referral_code           TEXT,
    invited_membership_id   BIGINT,
    created_at              BIGINT NOT NULL
);

CREATE TABLE owners (
    id                              INTEGER PRIMARY KEY AUTOINCREMENT,
    owner_type                      BIGINT NOT NULL,
    owner_sub_type                  BIGINT NOT NULL,
    name                            TEXT NOT NULL,
    registration_number             TEXT,
    vat_number                      TEXT,
    country_id                      BIGINT NOT NULL,
    address                         TEXT,
    phone                           TEXT,
    email                           TEXT,
    site_url                        TEXT,
    avatar                          TEXT,
    kyc_status                      BIGINT NOT NULL DEFAULT 0,
    identification_status           BIGINT NOT NULL DEFAULT 0,
    referral_code                   TEXT NOT NULL,
    referrer_owner_id               BIGINT REFERENCES owners (id),
    plan_id                         BIGINT NOT NULL DEFAULT 1,
    invoice_expiry_minutes          BIGINT NOT NULL DEFAULT 15,
    -- hundredths of a percent: 250 = 2.5 %
    underpayment_tolerance_bp       BIGINT NOT NULL DEFAULT 0,
    show_network_fee                BOOLEAN NOT NULL DEFAULT TRUE,
    -- 1 active, 2 suspended
    status                          BIGINT NOT NULL DEFAULT 1,
    created_at                      BIGINT NOT NULL,
    CONSTRAINT owners_referral_code_key UNIQUE (referral_code)
);

CREATE TABLE memberships (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id             BIGINT NOT NULL REFERENCES users (id),
    owner_id            BIGINT NOT NULL REFERENCES owners (id),
    role_id             BIGINT NOT NULL,
    -- 1 invited, 2 active, 3 invitation expired, 4 disabled
    status_id           BIGINT NOT NULL,
    invited_by_user_id  BIGINT,
    expires_at          BIGINT,
    last_sign_in_at     BIGINT,
    created_at          BIGINT NOT NULL,
    CONSTRAINT memberships_user_id_owner_id_key UNIQUE (user_id, owner_id)
);
CREATE INDEX memberships_owner ON memberships (owner_id);

CREATE TABLE sessions (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id       BIGINT NOT NULL REFERENCES users (id),
    -- 'full' or 'signup'
    scope         TEXT NOT NULL,
    owner_id      BIGINT,
    ip            TEXT,
    user_agent    TEXT,
    created_at    BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL,
    closed_at     BIGINT,
    close_reason  TEXT
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE refresh_tokens (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id   BIGINT NOT NULL REFERENCES sessions (id),
    token_hash   TEXT NOT NULL,
    expires_at   BIGINT NOT NULL,
    consumed_at  BIGINT,
    created_at   BIGINT NOT NULL,
    CONSTRAINT refresh_tokens_token_hash_key UNIQUE (token_hash)
);
CREATE INDEX refresh_tokens_session ON refresh_tokens (session_id);

-- E-mailed one-time codes, stored as keyed hashes. `subject` is what the code is bound to
-- (a user id, an e-mail address, a reset request id).
CREATE TABLE otp_codes (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    purpose      TEXT NOT NULL,
    subject      TEXT NOT NULL,
    code_hash    TEXT NOT NULL,
    attempts     BIGINT NOT NULL DEFAULT 0,
    expires_at   BIGINT NOT NULL,
    closed_at    BIGINT,
    -- what the code carries to its check (JSON): sign-up language and referral code
    payload      TEXT,
    created_at   BIGINT NOT NULL
);
CREATE INDEX otp_codes_open ON otp_codes (purpose, subject);

CREATE TABLE tfa_resets (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id      BIGINT NOT NULL REFERENCES users (id),
    reason       TEXT NOT NULL,
    -- 1 pending, 2 approved, 3 rejected, 4 completed
    status_id    BIGINT NOT NULL,
    comment      TEXT,
    decided_at   BIGINT,
    decided_by   BIGINT,
    created_at   BIGINT NOT NULL
);
CREATE INDEX tfa_resets_user ON tfa_resets (user_id);

-- Transactional outbox for e-mail: written with the change that causes it, sent by a job.
CREATE TABLE mail_outbox (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    to_addr          TEXT NOT NULL,
    subject          TEXT NOT NULL,
    body             TEXT NOT NULL,
    attempts         BIGINT NOT NULL DEFAULT 0,
    next_attempt_at  BIGINT NOT NULL,
    sent_at          BIGINT,
    last_error       TEXT,
    created_at       BIGINT NOT NULL
);
CREATE INDEX mail_outbox_due ON mail_outbox (sent_at, next_attempt_at);

CREATE TABLE notifications (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id     BIGINT NOT NULL REFERENCES users (id),
    owner_id    BIGINT,
    type        TEXT NOT NULL,
    title       TEXT NOT NULL,
    body        TEXT NOT NULL,
    data        TEXT NOT NULL DEFAULT '{}',
    read        BOOLEAN NOT NULL DEFAULT FALSE,
    created_at  BIGINT NOT NULL
);
CREATE INDEX notifications_user ON notifications (user_id, read);

CREATE TABLE media (
    name        TEXT PRIMARY KEY,
    content     BLOB NOT NULL,
    created_at  BIGINT NOT NULL
);

CREATE TABLE audit_log (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    operator_id   BIGINT NOT NULL,
    request_id    TEXT,
    action        TEXT NOT NULL,
    object_type   TEXT NOT NULL,
    object_id     BIGINT,
    before        TEXT,
    after         TEXT,
    created_at    BIGINT NOT NULL
);
