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

pub async fn of_user(c: &mut impl Conn, user_id: i64, limit: i64, offset: i64) -> StoreResult<Vec<Notification>> {
    const SQL: &str = "SELECT id, type, title, body, read, data, created_at FROM notifications WHERE user_id = $1 \
        ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3";
    Ok(run!(c, |db| sqlx::query_as::<_, Notification>(SQL).bind(user_id).bind(limit).bind(offset).fetch_all(db).await)?)
}
