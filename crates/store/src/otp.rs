//! E-mailed one-time codes, stored as keyed hashes with their wrong-try counter.

use crate::{Conn, StoreResult, exec, run};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OtpCode {
    pub id: i64,
    pub code_hash: String,
    pub attempts: i64,
    pub expires_at: i64,
    pub payload: Option<String>,
}

/// Opens a code, closing every earlier open code of the same purpose and subject.
pub async fn replace(
    c: &mut impl Conn,
    purpose: &str,
    subject: &str,
    code_hash: &str,
    payload: Option<&str>,
    expires_at: i64,
    now: i64,
) -> StoreResult<()> {
    close_open(c, purpose, subject, now).await?;
    const SQL: &str = "INSERT INTO otp_codes (purpose, subject, code_hash, payload, expires_at, created_at) VALUES ($1, $2, $3, $4, $5, $6)";
    exec!(c, sqlx::query(SQL).bind(purpose).bind(subject).bind(code_hash).bind(payload).bind(expires_at).bind(now))?;
    Ok(())
}

/// The open (unexpired, unused, unburnt) code of a purpose and subject.
pub async fn open(c: &mut impl Conn, purpose: &str, subject: &str, now: i64) -> StoreResult<Option<OtpCode>> {
    const SQL: &str = "SELECT id, code_hash, attempts, expires_at, payload FROM otp_codes \
        WHERE purpose = $1 AND subject = $2 AND closed_at IS NULL AND expires_at > $3 ORDER BY id DESC LIMIT 1";
    Ok(run!(c, |db| sqlx::query_as::<_, OtpCode>(SQL).bind(purpose).bind(subject).bind(now).fetch_optional(db).await)?)
}

/// Counts a wrong try; closes (burns) the code when it reaches `max`. Returns the new count.
pub async fn record_failure(c: &mut impl Conn, id: i64, max: i64, now: i64) -> StoreResult<i64> {
    const SQL: &str = "UPDATE otp_codes SET attempts = attempts + 1, \
        closed_at = CASE WHEN attempts + 1 >= $2 THEN $3 ELSE closed_at END WHERE id = $1 RETURNING attempts";
    let (n,): (i64,) = run!(c, |db| sqlx::query_as(SQL).bind(id).bind(max).bind(now).fetch_one(db).await)?;
    Ok(n)
}

/// Uses a code up. False when a concurrent request closed it first.
pub async fn consume(c: &mut impl Conn, id: i64, now: i64) -> StoreResult<bool> {
    const SQL: &str = "UPDATE otp_codes SET closed_at = $2 WHERE id = $1 AND closed_at IS NULL";
    let n = exec!(c, sqlx::query(SQL).bind(id).bind(now))?;
    Ok(n == 1)
}

pub async fn close_open(c: &mut impl Conn, purpose: &str, subject: &str, now: i64) -> StoreResult<()> {
    const SQL: &str = "UPDATE otp_codes SET closed_at = $3 WHERE purpose = $1 AND subject = $2 AND closed_at IS NULL";
    exec!(c, sqlx::query(SQL).bind(purpose).bind(subject).bind(now))?;
    Ok(())
}
