//! Stored answers of requests made with an `Idempotency-Key` (§1.7).

use crate::{Conn, StoreResult, exec, run};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Entry {
    pub fingerprint: String,
    pub state: String,
    pub status: Option<i64>,
    pub content_type: Option<String>,
    pub body: Option<Vec<u8>>,
    pub created_at: i64,
}

/// Claims a key for a first execution. False when the key is already taken.
pub async fn claim(c: &mut impl Conn, principal: &str, key: &str, fingerprint: &str, now: i64) -> StoreResult<bool> {
    const SQL: &str = "INSERT INTO idempotency_keys (principal, idem_key, fingerprint, state, created_at) VALUES ($1, $2, $3, 'running', $4) \
        ON CONFLICT (principal, idem_key) DO NOTHING";
    Ok(exec!(c, sqlx::query(SQL).bind(principal).bind(key).bind(fingerprint).bind(now))? == 1)
}

pub async fn get(c: &mut impl Conn, principal: &str, key: &str) -> StoreResult<Option<Entry>> {
    const SQL: &str = "SELECT fingerprint, state, status, content_type, body, created_at FROM idempotency_keys WHERE principal = $1 AND idem_key = $2";
    Ok(run!(c, |db| sqlx::query_as::<_, Entry>(SQL).bind(principal).bind(key).fetch_optional(db).await)?)
}

pub async fn complete(
    c: &mut impl Conn,
    principal: &str,
    key: &str,
    status: i64,
    content_type: Option<&str>,
    body: &[u8],
) -> StoreResult<()> {
    const SQL: &str = "UPDATE idempotency_keys SET state = 'done', status = $3, content_type = $4, body = $5 WHERE principal = $1 AND idem_key = $2";
    exec!(c, sqlx::query(SQL).bind(principal).bind(key).bind(status).bind(content_type).bind(body))?;
    Ok(())
}

/// Forgets a key (an answer that is not kept, or an expired or abandoned entry).
pub async fn release(c: &mut impl Conn, principal: &str, key: &str) -> StoreResult<()> {
    exec!(
        c,
        sqlx::query("DELETE FROM idempotency_keys WHERE principal = $1 AND idem_key = $2").bind(principal).bind(key)
    )?;
    Ok(())
}

pub async fn purge_before(c: &mut impl Conn, before: i64) -> StoreResult<u64> {
    Ok(exec!(c, sqlx::query("DELETE FROM idempotency_keys WHERE created_at < $1").bind(before))?)
}
