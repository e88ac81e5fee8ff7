//! Memberships: a user's role in an owner.

use crate::{Conn, StoreResult, exec, run};

pub const STATUS_INVITED: i64 = 1;
pub const STATUS_ACTIVE: i64 = 2;
pub const STATUS_EXPIRED: i64 = 3;
pub const STATUS_DISABLED: i64 = 4;

/// A membership with the owner's name, as users see their memberships.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Membership {
    pub id: i64,
    pub user_id: i64,
    pub owner_id: i64,
    pub owner_name: String,
    pub owner_status: i64,
    pub role_id: i64,
    pub status_id: i64,
    pub expires_at: Option<i64>,
    pub created_at: i64,
}

const SELECT: &str = "SELECT m.id, m.user_id, m.owner_id, o.name AS owner_name, o.status AS owner_status, m.role_id, \
    m.status_id, m.expires_at, m.created_at FROM memberships m JOIN owners o ON o.id = m.owner_id";

pub async fn of_user(c: &mut impl Conn, user_id: i64) -> StoreResult<Vec<Membership>> {
    let sql = sqlx::AssertSqlSafe(format!("{SELECT} WHERE m.user_id = $1 ORDER BY m.created_at, m.id"));
    Ok(run!(c, |db| sqlx::query_as::<_, Membership>(sql).bind(user_id).fetch_all(db).await)?)
}

/// The membership of `user_id` in `owner_id`, in any status.
pub async fn find(c: &mut impl Conn, user_id: i64, owner_id: i64) -> StoreResult<Option<Membership>> {
    let sql = sqlx::AssertSqlSafe(format!("{SELECT} WHERE m.user_id = $1 AND m.owner_id = $2"));
    Ok(run!(c, |db| sqlx::query_as::<_, Membership>(sql).bind(user_id).bind(owner_id).fetch_optional(db).await)?)
}

pub async fn insert(
    c: &mut impl Conn,
    user_id: i64,
    owner_id: i64,
    role_id: i64,
    status_id: i64,
    now: i64,
) -> StoreResult<i64> {
    const SQL: &str = "INSERT INTO memberships (user_id, owner_id, role_id, status_id, created_at) \
        VALUES ($1, $2, $3, $4, $5) RETURNING id";
    let (id,): (i64,) = run!(c, |db| sqlx::query_as(SQL)
        .bind(user_id)
        .bind(owner_id)
        .bind(role_id)
        .bind(status_id)
        .bind(now)
        .fetch_one(db)
        .await)?;
    Ok(id)
}

pub async fn set_status(c: &mut impl Conn, id: i64, status_id: i64) -> StoreResult<()> {
    const SQL: &str = "UPDATE memberships SET status_id = $2, expires_at = NULL WHERE id = $1";
    exec!(c, sqlx::query(SQL).bind(id).bind(status_id))?;
    Ok(())
}

pub async fn touch_sign_in(c: &mut impl Conn, id: i64, now: i64) -> StoreResult<()> {
    const SQL: &str = "UPDATE memberships SET last_sign_in_at = $2 WHERE id = $1";
    exec!(c, sqlx::query(SQL).bind(id).bind(now))?;
    Ok(())
}
