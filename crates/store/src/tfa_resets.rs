//! Requests to reset a lost second factor, decided by operators (§4.27, §5.5).

use crate::{Conn, StoreResult, exec, run};

pub const PENDING: i64 = 1;
pub const APPROVED: i64 = 2;
pub const REJECTED: i64 = 3;
pub const COMPLETED: i64 = 4;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TfaReset {
    pub id: i64,
    pub user_id: i64,
    pub email: String,
    pub reason: String,
    pub status_id: i64,
    pub comment: Option<String>,
    pub decided_at: Option<i64>,
    pub decided_by: Option<i64>,
    pub created_at: i64,
}

const SELECT: &str = "SELECT r.id, r.user_id, u.email, r.reason, r.status_id, r.comment, r.decided_at, r.decided_by, \
    r.created_at FROM tfa_resets r JOIN users u ON u.id = r.user_id";

pub async fn insert(c: &mut impl Conn, user_id: i64, reason: &str, now: i64) -> StoreResult<i64> {
    const SQL: &str =
        "INSERT INTO tfa_resets (user_id, reason, status_id, created_at) VALUES ($1, $2, 1, $3) RETURNING id";
    let (id,): (i64,) = run!(c, |db| sqlx::query_as(SQL).bind(user_id).bind(reason).bind(now).fetch_one(db).await)?;
    Ok(id)
}

pub async fn by_id(c: &mut impl Conn, id: i64) -> StoreResult<Option<TfaReset>> {
    let sql = sqlx::AssertSqlSafe(format!("{SELECT} WHERE r.id = $1"));
    Ok(run!(c, |db| sqlx::query_as::<_, TfaReset>(sql).bind(id).fetch_optional(db).await)?)
}

/// The user's request that is still open (pending or approved and not used).
pub async fn open_of_user(c: &mut impl Conn, user_id: i64) -> StoreResult<Option<TfaReset>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE r.user_id = $1 AND r.status_id IN (1, 2) ORDER BY r.id DESC LIMIT 1"
    ));
    Ok(run!(c, |db| sqlx::query_as::<_, TfaReset>(sql).bind(user_id).fetch_optional(db).await)?)
}

/// The user's latest request, whatever its status.
pub async fn latest_of_user(c: &mut impl Conn, user_id: i64) -> StoreResult<Option<TfaReset>> {
    let sql = sqlx::AssertSqlSafe(format!("{SELECT} WHERE r.user_id = $1 ORDER BY r.id DESC LIMIT 1"));
    Ok(run!(c, |db| sqlx::query_as::<_, TfaReset>(sql).bind(user_id).fetch_optional(db).await)?)
}

/// Moves a request from `from` to `to`; false when it was not in `from`.
pub async fn transition(
    c: &mut impl Conn,
    id: i64,
    from: i64,
    to: i64,
    decided_by: Option<i64>,
    comment: Option<&str>,
    now: i64,
) -> StoreResult<bool> {
    const SQL: &str = "UPDATE tfa_resets SET status_id = $3, decided_by = COALESCE($4, decided_by), \
        comment = COALESCE($5, comment), decided_at = CASE WHEN $4 IS NULL THEN decided_at ELSE $6 END \
        WHERE id = $1 AND status_id = $2";
    let n = exec!(c, sqlx::query(SQL).bind(id).bind(from).bind(to).bind(decided_by).bind(comment).bind(now))?;
    Ok(n == 1)
}

/// Operator list: statuses, e-mail substring, paging; newest first. Returns rows and the total.
pub async fn list(
    c: &mut impl Conn,
    statuses: &[i64],
    search: Option<&str>,
    limit: i64,
    offset: i64,
) -> StoreResult<(Vec<TfaReset>, i64)> {
    let status_list = statuses.iter().map(|s| s.to_string()).collect::<Vec<_>>().join(",");
    let filter =
        format!("WHERE r.status_id IN ({status_list}) AND ($1 = '' OR LOWER(u.email) LIKE '%' || LOWER($1) || '%')");
    let search = search.unwrap_or_default();
    let rows_sql =
        sqlx::AssertSqlSafe(format!("{SELECT} {filter} ORDER BY r.created_at DESC, r.id DESC LIMIT $2 OFFSET $3"));
    let count_sql =
        sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM tfa_resets r JOIN users u ON u.id = r.user_id {filter}"));
    let rows = run!(c, |db| sqlx::query_as::<_, TfaReset>(rows_sql)
        .bind(search)
        .bind(limit)
        .bind(offset)
        .fetch_all(db)
        .await)?;
    let (total,): (i64,) = run!(c, |db| sqlx::query_as(count_sql).bind(search).fetch_one(db).await)?;
    Ok((rows, total))
}
