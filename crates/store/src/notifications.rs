//! In-app notifications of users.

use crate::{Conn, StoreResult, exec, run};

pub struct NewNotification<'a> {
    pub user_id: i64,
    pub owner_id: Option<i64>,
    pub kind: &'a str,
    pub title: &'a str,
    pub body: &'a str,
    pub data: &'a str,
    pub now: i64,
}

pub async fn insert(c: &mut impl Conn, n: NewNotification<'_>) -> StoreResult<()> {
    const SQL: &str = "INSERT INTO notifications (user_id, owner_id, type, title, body, data, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)";
    exec!(
        c,
        sqlx::query(SQL)
            .bind(n.user_id)
            .bind(n.owner_id)
            .bind(n.kind)
            .bind(n.title)
            .bind(n.body)
            .bind(n.data)
            .bind(n.now)
    )?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Notification {
    pub id: i64,
    #[sqlx(rename = "type")]
    pub kind: String,
    pub title: String,
    pub body: String,
    pub read: bool,
    pub data: String,
    pub created_at: i64,
}

/// What a user sees in an owner: the owner's notifications and the user's own security notices.
const SCOPE: &str =
    "user_id = $1 AND (owner_id = $2 OR owner_id IS NULL) AND ($3 = 0 OR ($3 = 1 AND read) OR ($3 = 2 AND NOT read))";

/// `read_filter`: 0 all, 1 read only, 2 unread only. Returns the page and the total.
pub async fn list(
    c: &mut impl Conn,
    user_id: i64,
    owner_id: i64,
    read_filter: i64,
    limit: i64,
    offset: i64,
) -> StoreResult<(Vec<Notification>, i64)> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT id, type, title, body, read, data, created_at FROM notifications WHERE {SCOPE} ORDER BY created_at DESC, id DESC LIMIT $4 OFFSET $5"
    ));
    let rows = run!(c, |db| sqlx::query_as::<_, Notification>(sql)
        .bind(user_id)
        .bind(owner_id)
        .bind(read_filter)
        .bind(limit)
        .bind(offset)
        .fetch_all(db)
        .await)?;
    let count = sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM notifications WHERE {SCOPE}"));
    let (total,): (i64,) =
        run!(c, |db| sqlx::query_as(count).bind(user_id).bind(owner_id).bind(read_filter).fetch_one(db).await)?;
    Ok((rows, total))
}

/// Sets the read flag of the given (or, with `None`, all) notifications the user sees in the
/// owner; foreign ids are ignored.
pub async fn mark(c: &mut impl Conn, user_id: i64, owner_id: i64, ids: Option<&[i64]>, read: bool) -> StoreResult<u64> {
    let id_filter = match ids {
        Some(ids) => format!("AND id IN ({})", ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")),
        None => String::new(),
    };
    let sql = sqlx::AssertSqlSafe(format!(
        "UPDATE notifications SET read = $3 WHERE user_id = $1 AND (owner_id = $2 OR owner_id IS NULL) {id_filter}"
    ));
    Ok(exec!(c, sqlx::query(sql).bind(user_id).bind(owner_id).bind(read))?)
}

/// Active members of an owner with a role in `roles`, who receive its notifications.
pub async fn recipients(c: &mut impl Conn, owner_id: i64, roles: &[i64]) -> StoreResult<Vec<i64>> {
    let list = roles.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT user_id FROM memberships WHERE owner_id = $1 AND status_id = 2 AND role_id IN ({list}) ORDER BY user_id"
    ));
    let rows: Vec<(i64,)> = run!(c, |db| sqlx::query_as(sql).bind(owner_id).fetch_all(db).await)?;
    Ok(rows.into_iter().map(|(u,)| u).collect())
}
