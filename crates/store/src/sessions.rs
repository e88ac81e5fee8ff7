//! Sign-in sessions and their rotating refresh tokens (§1.3.1–1.3.2).

use crate::{Conn, StoreResult, exec, run};

pub const SCOPE_FULL: &str = "full";
pub const SCOPE_SIGNUP: &str = "signup";

pub struct NewSession<'a> {
    pub user_id: i64,
    pub scope: &'a str,
    pub owner_id: Option<i64>,
    pub ip: Option<&'a str>,
    pub user_agent: Option<&'a str>,
    pub now: i64,
    pub expires_at: i64,
}

pub async fn insert(c: &mut impl Conn, s: NewSession<'_>) -> StoreResult<i64> {
    const SQL: &str = "INSERT INTO sessions (user_id, scope, owner_id, ip, user_agent, created_at, expires_at) \
        VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id";
    let (id,): (i64,) = run!(c, |db| sqlx::query_as(SQL)
        .bind(s.user_id)
        .bind(s.scope)
        .bind(s.owner_id)
        .bind(s.ip)
        .bind(s.user_agent)
        .bind(s.now)
        .bind(s.expires_at)
        .fetch_one(db)
        .await)?;
    Ok(id)
}

/// What every authenticated request checks: the session, its user, and the user's membership in
/// the token's owner, read in one query.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionCheck {
    pub user_id: i64,
    pub scope: String,
    pub closed_at: Option<i64>,
    pub expires_at: i64,
    pub user_status: i64,
    pub is_operator: bool,
    pub role_id: Option<i64>,
    pub membership_status: Option<i64>,
    pub owner_status: Option<i64>,
}

pub async fn check(c: &mut impl Conn, session_id: i64, owner_id: Option<i64>) -> StoreResult<Option<SessionCheck>> {
    const SQL: &str = "SELECT s.user_id, s.scope, s.closed_at, s.expires_at, u.status AS user_status, u.is_operator, \
        m.role_id, m.status_id AS membership_status, o.status AS owner_status \
        FROM sessions s JOIN users u ON u.id = s.user_id \
        LEFT JOIN memberships m ON m.user_id = s.user_id AND m.owner_id = $2 \
        LEFT JOIN owners o ON o.id = m.owner_id \
        WHERE s.id = $1";
    Ok(run!(c, |db| sqlx::query_as::<_, SessionCheck>(SQL).bind(session_id).bind(owner_id).fetch_optional(db).await)?)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Session {
    pub id: i64,
    pub user_id: i64,
    pub scope: String,
    pub owner_id: Option<i64>,
    pub expires_at: i64,
    pub closed_at: Option<i64>,
}

pub async fn by_id(c: &mut impl Conn, id: i64) -> StoreResult<Option<Session>> {
    const SQL: &str = "SELECT id, user_id, scope, owner_id, expires_at, closed_at FROM sessions WHERE id = $1";
    Ok(run!(c, |db| sqlx::query_as::<_, Session>(SQL).bind(id).fetch_optional(db).await)?)
}

pub async fn set_owner(c: &mut impl Conn, id: i64, owner_id: Option<i64>) -> StoreResult<()> {
    const SQL: &str = "UPDATE sessions SET owner_id = $2 WHERE id = $1";
    exec!(c, sqlx::query(SQL).bind(id).bind(owner_id))?;
    Ok(())
}

pub async fn close(c: &mut impl Conn, id: i64, reason: &str, now: i64) -> StoreResult<()> {
    const SQL: &str = "UPDATE sessions SET closed_at = $2, close_reason = $3 WHERE id = $1 AND closed_at IS NULL";
    exec!(c, sqlx::query(SQL).bind(id).bind(now).bind(reason))?;
    Ok(())
}

/// Closes every open session of a user except `keep`.
pub async fn close_all_of_user(
    c: &mut impl Conn,
    user_id: i64,
    keep: Option<i64>,
    reason: &str,
    now: i64,
) -> StoreResult<u64> {
    const SQL: &str = "UPDATE sessions SET closed_at = $2, close_reason = $3 \
        WHERE user_id = $1 AND closed_at IS NULL AND id <> $4";
    let n = exec!(c, sqlx::query(SQL).bind(user_id).bind(now).bind(reason).bind(keep.unwrap_or(0)))?;
    Ok(n)
}

/// Whether the user ever opened a session from this address (new-IP sign-in notices).
pub async fn seen_ip(c: &mut impl Conn, user_id: i64, ip: &str) -> StoreResult<bool> {
    const SQL: &str = "SELECT COUNT(*) FROM sessions WHERE user_id = $1 AND ip = $2";
    let (n,): (i64,) = run!(c, |db| sqlx::query_as(SQL).bind(user_id).bind(ip).fetch_one(db).await)?;
    Ok(n > 0)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RefreshToken {
    pub id: i64,
    pub session_id: i64,
    pub expires_at: i64,
    pub consumed_at: Option<i64>,
}

pub async fn insert_refresh(
    c: &mut impl Conn,
    session_id: i64,
    token_hash: &str,
    expires_at: i64,
    now: i64,
) -> StoreResult<()> {
    const SQL: &str =
        "INSERT INTO refresh_tokens (session_id, token_hash, expires_at, created_at) VALUES ($1, $2, $3, $4)";
    exec!(c, sqlx::query(SQL).bind(session_id).bind(token_hash).bind(expires_at).bind(now))?;
    Ok(())
}

pub async fn refresh_by_hash(c: &mut impl Conn, token_hash: &str) -> StoreResult<Option<RefreshToken>> {
    const SQL: &str = "SELECT id, session_id, expires_at, consumed_at FROM refresh_tokens WHERE token_hash = $1";
    Ok(run!(c, |db| sqlx::query_as::<_, RefreshToken>(SQL).bind(token_hash).fetch_optional(db).await)?)
}

/// Consumes a refresh token. False when another request consumed it first.
pub async fn consume_refresh(c: &mut impl Conn, id: i64, now: i64) -> StoreResult<bool> {
    const SQL: &str = "UPDATE refresh_tokens SET consumed_at = $2 WHERE id = $1 AND consumed_at IS NULL";
    let n = exec!(c, sqlx::query(SQL).bind(id).bind(now))?;
    Ok(n == 1)
}

/// Whether the user ever had a session (the first sign-in is not "from a new address").
pub async fn seen_any(c: &mut impl Conn, user_id: i64) -> StoreResult<bool> {
    const SQL: &str = "SELECT COUNT(*) FROM sessions WHERE user_id = $1 AND scope = 'full'";
    let (n,): (i64,) = run!(c, |db| sqlx::query_as(SQL).bind(user_id).fetch_one(db).await)?;
    Ok(n > 0)
}
