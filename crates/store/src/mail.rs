//! The e-mail outbox: messages are written in the unit of work that causes them and sent later
//! by the mail job, so no SMTP call ever runs inside a transaction.

use crate::{Conn, StoreResult, exec, run};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OutgoingMail {
    pub id: i64,
    pub to_addr: String,
    pub subject: String,
    pub body: String,
    pub attempts: i64,
}

pub async fn enqueue(c: &mut impl Conn, to: &str, subject: &str, body: &str, now: i64) -> StoreResult<()> {
    const SQL: &str =
        "INSERT INTO mail_outbox (to_addr, subject, body, next_attempt_at, created_at) VALUES ($1, $2, $3, $4, $4)";
    exec!(c, sqlx::query(SQL).bind(to).bind(subject).bind(body).bind(now))?;
    Ok(())
}

/// Leases up to `limit` due messages until `lease_until`, oldest first. PostgreSQL skips rows
/// another node is leasing right now; SQLite has one writer anyway.
pub async fn claim_due(c: &mut impl Conn, now: i64, lease_until: i64, limit: i64) -> StoreResult<Vec<OutgoingMail>> {
    let lock = match c.raw() {
        crate::Raw::Postgres(_) => "FOR UPDATE SKIP LOCKED",
        crate::Raw::Sqlite(_) => "",
    };
    let sql = sqlx::AssertSqlSafe(format!(
        "UPDATE mail_outbox SET next_attempt_at = $2 WHERE id IN (SELECT id FROM mail_outbox \
         WHERE sent_at IS NULL AND next_attempt_at <= $1 ORDER BY id LIMIT $3 {lock}) \
         RETURNING id, to_addr, subject, body, attempts"
    ));
    let mut rows = run!(c, |db| sqlx::query_as::<_, OutgoingMail>(sql)
        .bind(now)
        .bind(lease_until)
        .bind(limit)
        .fetch_all(db)
        .await)?;
    rows.sort_by_key(|m| m.id);
    Ok(rows)
}

pub async fn mark_sent(c: &mut impl Conn, id: i64, now: i64) -> StoreResult<()> {
    const SQL: &str = "UPDATE mail_outbox SET sent_at = $2, attempts = attempts + 1 WHERE id = $1";
    exec!(c, sqlx::query(SQL).bind(id).bind(now))?;
    Ok(())
}

pub async fn mark_failed(c: &mut impl Conn, id: i64, error: &str, next_attempt_at: i64) -> StoreResult<()> {
    const SQL: &str =
        "UPDATE mail_outbox SET attempts = attempts + 1, last_error = $2, next_attempt_at = $3 WHERE id = $1";
    exec!(c, sqlx::query(SQL).bind(id).bind(error).bind(next_attempt_at))?;
    Ok(())
}

/// Messages not sent yet (tests assert the outbox drains).
pub async fn pending_count(c: &mut impl Conn) -> StoreResult<i64> {
    let (n,): (i64,) =
        run!(c, |db| sqlx::query_as("SELECT COUNT(*) FROM mail_outbox WHERE sent_at IS NULL").fetch_one(db).await)?;
    Ok(n)
}
