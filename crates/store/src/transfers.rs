//! Transfer and exchange records beside their ledger transactions (§2.13).

use crate::amount::DbAmount;
use crate::{Conn, StoreResult, exec, run};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Transfer {
    pub id: i64,
    pub ledger_tx_id: i64,
    pub owner_id: i64,
    pub order_id: String,
    pub user_id: Option<i64>,
    pub product_id: i64,
    pub from_balance_id: i64,
    pub to_owner_id: i64,
    pub to_balance_id: i64,
    pub coin_id: i64,
    pub amount: DbAmount,
    pub commission: DbAmount,
    pub created_at: i64,
}

pub async fn insert_transfer(c: &mut impl Conn, t: &Transfer) -> StoreResult<()> {
    const SQL: &str = "INSERT INTO transfers (ledger_tx_id, owner_id, order_id, user_id, product_id, from_balance_id, to_owner_id, \
        to_balance_id, coin_id, amount, commission, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)";
    exec!(
        c,
        sqlx::query(SQL)
            .bind(t.ledger_tx_id)
            .bind(t.owner_id)
            .bind(&t.order_id)
            .bind(t.user_id)
            .bind(t.product_id)
            .bind(t.from_balance_id)
            .bind(t.to_owner_id)
            .bind(t.to_balance_id)
            .bind(t.coin_id)
            .bind(&t.amount)
            .bind(&t.commission)
            .bind(t.created_at)
    )?;
    Ok(())
}

/// The owner's outgoing transfer with this order id.
pub async fn transfer_by_order(c: &mut impl Conn, owner_id: i64, order_id: &str) -> StoreResult<Option<Transfer>> {
    const SQL: &str = "SELECT id, ledger_tx_id, owner_id, order_id, user_id, product_id, from_balance_id, to_owner_id, to_balance_id, \
        coin_id, amount, commission, created_at FROM transfers WHERE owner_id = $1 AND order_id = $2";
    Ok(run!(c, |db| sqlx::query_as::<_, Transfer>(SQL).bind(owner_id).bind(order_id).fetch_optional(db).await)?)
}

pub async fn order_exists(c: &mut impl Conn, table: OrderFamily, owner_id: i64, order_id: &str) -> StoreResult<bool> {
    let sql = match table {
        OrderFamily::Transfer => "SELECT COUNT(*) FROM transfers WHERE owner_id = $1 AND order_id = $2",
        OrderFamily::Exchange => "SELECT COUNT(*) FROM exchanges WHERE owner_id = $1 AND order_id = $2",
    };
    let (n,): (i64,) = run!(c, |db| sqlx::query_as(sql).bind(owner_id).bind(order_id).fetch_one(db).await)?;
    Ok(n > 0)
}

#[derive(Debug, Clone, Copy)]
pub enum OrderFamily {
    Transfer,
    Exchange,
}

pub struct NewExchange<'a> {
    pub ledger_tx_id: i64,
    pub owner_id: i64,
    pub order_id: &'a str,
    pub user_id: Option<i64>,
    pub product_id: i64,
    pub from_balance_id: i64,
    pub to_balance_id: i64,
    pub amount: DbAmount,
    pub credited: DbAmount,
    pub rate: DbAmount,
    pub now: i64,
}

pub async fn insert_exchange(c: &mut impl Conn, e: NewExchange<'_>) -> StoreResult<()> {
    const SQL: &str = "INSERT INTO exchanges (ledger_tx_id, owner_id, order_id, user_id, product_id, from_balance_id, to_balance_id, \
        amount, credited, rate, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";
    exec!(
        c,
        sqlx::query(SQL)
            .bind(e.ledger_tx_id)
            .bind(e.owner_id)
            .bind(e.order_id)
            .bind(e.user_id)
            .bind(e.product_id)
            .bind(e.from_balance_id)
            .bind(e.to_balance_id)
            .bind(&e.amount)
            .bind(&e.credited)
            .bind(&e.rate)
            .bind(e.now)
    )?;
    Ok(())
}
