//! Operator rates and exchange quotes (§2.7).

use crate::amount::DbAmount;
use crate::{Conn, StoreResult, exec, run};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StaticRate {
    pub from_coin_id: i64,
    pub to_coin_id: i64,
    pub rate: DbAmount,
    pub updated_at: i64,
}

pub async fn static_rates(c: &mut impl Conn) -> StoreResult<Vec<StaticRate>> {
    const SQL: &str =
        "SELECT from_coin_id, to_coin_id, rate, updated_at FROM static_rates ORDER BY from_coin_id, to_coin_id";
    Ok(run!(c, |db| sqlx::query_as::<_, StaticRate>(SQL).fetch_all(db).await)?)
}

pub async fn set_static(c: &mut impl Conn, from: i64, to: i64, rate: Option<&DbAmount>, now: i64) -> StoreResult<()> {
    match rate {
        Some(rate) => {
            const SQL: &str = "INSERT INTO static_rates (from_coin_id, to_coin_id, rate, updated_at) VALUES ($1, $2, $3, $4) \
                ON CONFLICT (from_coin_id, to_coin_id) DO UPDATE SET rate = EXCLUDED.rate, updated_at = EXCLUDED.updated_at";
            exec!(c, sqlx::query(SQL).bind(from).bind(to).bind(rate).bind(now))?;
        }
        None => {
            const SQL: &str = "DELETE FROM static_rates WHERE from_coin_id = $1 AND to_coin_id = $2";
            exec!(c, sqlx::query(SQL).bind(from).bind(to))?;
        }
    }
    Ok(())
}

/// Seeds a static rate only where none exists (sandbox defaults never overwrite an operator's).
pub async fn seed_static(c: &mut impl Conn, from: i64, to: i64, rate: &DbAmount, now: i64) -> StoreResult<()> {
    const SQL: &str = "INSERT INTO static_rates (from_coin_id, to_coin_id, rate, updated_at) VALUES ($1, $2, $3, $4) \
        ON CONFLICT (from_coin_id, to_coin_id) DO NOTHING";
    exec!(c, sqlx::query(SQL).bind(from).bind(to).bind(rate).bind(now))?;
    Ok(())
}

pub async fn insert_quote(
    c: &mut impl Conn,
    owner_id: i64,
    from: i64,
    to: i64,
    rate: &DbAmount,
    expires_at: i64,
    now: i64,
) -> StoreResult<i64> {
    const SQL: &str = "INSERT INTO exchange_quotes (owner_id, from_coin_id, to_coin_id, rate, expires_at, created_at) \
        VALUES ($1, $2, $3, $4, $5, $6) RETURNING id";
    let (id,): (i64,) = run!(c, |db| sqlx::query_as(SQL)
        .bind(owner_id)
        .bind(from)
        .bind(to)
        .bind(rate)
        .bind(expires_at)
        .bind(now)
        .fetch_one(db)
        .await)?;
    Ok(id)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Quote {
    pub id: i64,
    pub rate: DbAmount,
    pub expires_at: i64,
}

/// The owner's quotes for a pair, newest first (the caller compares rates exactly).
pub async fn quotes(c: &mut impl Conn, owner_id: i64, from: i64, to: i64, since: i64) -> StoreResult<Vec<Quote>> {
    const SQL: &str = "SELECT id, rate, expires_at FROM exchange_quotes WHERE owner_id = $1 AND from_coin_id = $2 AND to_coin_id = $3 \
        AND expires_at > $4 ORDER BY id DESC LIMIT 50";
    Ok(run!(c, |db| sqlx::query_as::<_, Quote>(SQL)
        .bind(owner_id)
        .bind(from)
        .bind(to)
        .bind(since)
        .fetch_all(db)
        .await)?)
}
