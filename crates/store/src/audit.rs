//! The operator audit log (§5.5): who changed what, with the state before and after.

use crate::{Conn, StoreResult, exec, run};

pub struct Entry<'a> {
    pub operator_id: i64,
    pub request_id: Option<&'a str>,
    pub action: &'a str,
    pub object_type: &'a str,
    pub object_id: Option<i64>,
    pub before: Option<&'a str>,
    pub after: Option<&'a str>,
    pub now: i64,
}

pub async fn record(c: &mut impl Conn, e: Entry<'_>) -> StoreResult<()> {
    const SQL: &str = "INSERT INTO audit_log (operator_id, request_id, action, object_type, object_id, before, after, created_at) \
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
    exec!(
        c,
        sqlx::query(SQL)
            .bind(e.operator_id)
            .bind(e.request_id)
            .bind(e.action)
            .bind(e.object_type)
            .bind(e.object_id)
            .bind(e.before)
            .bind(e.after)
            .bind(e.now)
    )?;
    Ok(())
}

pub async fn count_for(c: &mut impl Conn, object_type: &str, object_id: i64) -> StoreResult<i64> {
    const SQL: &str = "SELECT COUNT(*) FROM audit_log WHERE object_type = $1 AND object_id = $2";
    let (n,): (i64,) = run!(c, |db| sqlx::query_as(SQL).bind(object_type).bind(object_id).fetch_one(db).await)?;
    Ok(n)
}
