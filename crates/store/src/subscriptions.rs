//! Owners' plan subscriptions (§2.16).

use crate::amount::DbAmount;
use crate::{Conn, StoreResult, exec, run};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Subscription {
    pub owner_id: i64,
    pub plan_id: i64,
    pub status_id: i64,
    pub balance_id: Option<i64>,
    pub price: DbAmount,
    pub coin_id: i64,
    pub started_at: i64,
    pub renews_at: Option<i64>,
    pub past_due_since: Option<i64>,
}

const SELECT: &str = "SELECT owner_id, plan_id, status_id, balance_id, price, coin_id, started_at, renews_at, past_due_since FROM subscriptions";

pub async fn get(c: &mut impl Conn, owner_id: i64) -> StoreResult<Option<Subscription>> {
    let sql = sqlx::AssertSqlSafe(format!("{SELECT} WHERE owner_id = $1"));
    Ok(run!(c, |db| sqlx::query_as::<_, Subscription>(sql).bind(owner_id).fetch_optional(db).await)?)
}

pub async fn upsert(c: &mut impl Conn, s: &Subscription) -> StoreResult<()> {
    const SQL: &str = "INSERT INTO subscriptions (owner_id, plan_id, status_id, balance_id, price, coin_id, started_at, renews_at, past_due_since) \
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (owner_id) DO UPDATE SET plan_id = EXCLUDED.plan_id, \
        status_id = EXCLUDED.status_id, balance_id = EXCLUDED.balance_id, price = EXCLUDED.price, coin_id = EXCLUDED.coin_id, \
        started_at = EXCLUDED.started_at, renews_at = EXCLUDED.renews_at, past_due_since = EXCLUDED.past_due_since";
    exec!(
        c,
        sqlx::query(SQL)
            .bind(s.owner_id)
            .bind(s.plan_id)
            .bind(s.status_id)
            .bind(s.balance_id)
            .bind(&s.price)
            .bind(s.coin_id)
            .bind(s.started_at)
            .bind(s.renews_at)
            .bind(s.past_due_since)
    )?;
    exec!(c, sqlx::query("UPDATE owners SET plan_id = $2 WHERE id = $1").bind(s.owner_id).bind(s.plan_id))?;
    Ok(())
}

/// Paid subscriptions whose renewal is due.
pub async fn due(c: &mut impl Conn, now: i64) -> StoreResult<Vec<Subscription>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE renews_at IS NOT NULL AND renews_at <= $1 ORDER BY owner_id LIMIT 100"
    ));
    Ok(run!(c, |db| sqlx::query_as::<_, Subscription>(sql).bind(now).fetch_all(db).await)?)
}
