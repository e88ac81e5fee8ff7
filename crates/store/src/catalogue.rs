//! The currency catalogue: coins, chains, tokens (§2.4).

use crate::amount::DbAmount;
use crate::{Conn, StoreResult, exec, run};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Coin {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub symbol: Option<String>,
    pub decimals: i64,
    pub is_fiat: bool,
    pub enabled: bool,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Chain {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub family: String,
    pub is_test: bool,
    pub evm_chain_id: Option<i64>,
    pub native_coin_id: i64,
    pub confirmations_required: i64,
    pub explorer_tx_url: Option<String>,
    pub enabled: bool,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Token {
    pub id: i64,
    pub coin_id: i64,
    pub chain_id: i64,
    pub code: String,
    pub name: String,
    pub standard: String,
    pub contract_address: Option<String>,
    pub decimals: i64,
    pub min_amount: DbAmount,
    pub enabled: bool,
}

const COIN: &str = "SELECT id, code, name, symbol, decimals, is_fiat, enabled FROM coins";
const CHAIN: &str = "SELECT id, code, name, family, is_test, evm_chain_id, native_coin_id, confirmations_required, explorer_tx_url, enabled FROM chains";
const TOKEN: &str = "SELECT t.id, t.coin_id, t.chain_id, c.code, t.name, t.standard, t.contract_address, t.decimals, t.min_amount, t.enabled \
    FROM tokens t JOIN coins c ON c.id = t.coin_id";

pub async fn coins(c: &mut impl Conn) -> StoreResult<Vec<Coin>> {
    let sql = sqlx::AssertSqlSafe(format!("{COIN} ORDER BY id"));
    Ok(run!(c, |db| sqlx::query_as::<_, Coin>(sql).fetch_all(db).await)?)
}

pub async fn coin(c: &mut impl Conn, id: i64) -> StoreResult<Option<Coin>> {
    let sql = sqlx::AssertSqlSafe(format!("{COIN} WHERE id = $1"));
    Ok(run!(c, |db| sqlx::query_as::<_, Coin>(sql).bind(id).fetch_optional(db).await)?)
}

pub async fn chains(c: &mut impl Conn) -> StoreResult<Vec<Chain>> {
    let sql = sqlx::AssertSqlSafe(format!("{CHAIN} ORDER BY id"));
    Ok(run!(c, |db| sqlx::query_as::<_, Chain>(sql).fetch_all(db).await)?)
}

pub async fn chain(c: &mut impl Conn, id: i64) -> StoreResult<Option<Chain>> {
    let sql = sqlx::AssertSqlSafe(format!("{CHAIN} WHERE id = $1"));
    Ok(run!(c, |db| sqlx::query_as::<_, Chain>(sql).bind(id).fetch_optional(db).await)?)
}

pub async fn tokens(c: &mut impl Conn) -> StoreResult<Vec<Token>> {
    let sql = sqlx::AssertSqlSafe(format!("{TOKEN} ORDER BY t.id"));
    Ok(run!(c, |db| sqlx::query_as::<_, Token>(sql).fetch_all(db).await)?)
}

pub async fn token(c: &mut impl Conn, id: i64) -> StoreResult<Option<Token>> {
    let sql = sqlx::AssertSqlSafe(format!("{TOKEN} WHERE t.id = $1"));
    Ok(run!(c, |db| sqlx::query_as::<_, Token>(sql).bind(id).fetch_optional(db).await)?)
}

pub struct NewCoin<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub symbol: Option<&'a str>,
    pub decimals: i64,
    pub is_fiat: bool,
    pub enabled: bool,
}

pub async fn insert_coin(c: &mut impl Conn, n: NewCoin<'_>) -> StoreResult<i64> {
    const SQL: &str = "INSERT INTO coins (code, name, symbol, decimals, is_fiat, enabled) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id";
    let (id,): (i64,) = run!(c, |db| sqlx::query_as(SQL)
        .bind(n.code)
        .bind(n.name)
        .bind(n.symbol)
        .bind(n.decimals)
        .bind(n.is_fiat)
        .bind(n.enabled)
        .fetch_one(db)
        .await)?;
    Ok(id)
}

pub async fn update_coin(c: &mut impl Conn, coin: &Coin) -> StoreResult<()> {
    const SQL: &str = "UPDATE coins SET name = $2, symbol = $3, decimals = $4, enabled = $5 WHERE id = $1";
    exec!(
        c,
        sqlx::query(SQL).bind(coin.id).bind(&coin.name).bind(&coin.symbol).bind(coin.decimals).bind(coin.enabled)
    )?;
    Ok(())
}

/// Whether any balance or token uses the coin (its decimals are then fixed).
pub async fn coin_in_use(c: &mut impl Conn, id: i64) -> StoreResult<bool> {
    const SQL: &str =
        "SELECT (SELECT COUNT(*) FROM accounts WHERE coin_id = $1) + (SELECT COUNT(*) FROM tokens WHERE coin_id = $1)";
    let (n,): (i64,) = run!(c, |db| sqlx::query_as(SQL).bind(id).fetch_one(db).await)?;
    Ok(n > 0)
}

pub async fn insert_chain(c: &mut impl Conn, ch: &Chain) -> StoreResult<i64> {
    const SQL: &str = "INSERT INTO chains (code, name, family, is_test, evm_chain_id, native_coin_id, confirmations_required, explorer_tx_url, enabled) \
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id";
    let (id,): (i64,) = run!(c, |db| sqlx::query_as(SQL)
        .bind(&ch.code)
        .bind(&ch.name)
        .bind(&ch.family)
        .bind(ch.is_test)
        .bind(ch.evm_chain_id)
        .bind(ch.native_coin_id)
        .bind(ch.confirmations_required)
        .bind(&ch.explorer_tx_url)
        .bind(ch.enabled)
        .fetch_one(db)
        .await)?;
    Ok(id)
}

pub async fn update_chain(c: &mut impl Conn, ch: &Chain) -> StoreResult<()> {
    const SQL: &str =
        "UPDATE chains SET name = $2, confirmations_required = $3, explorer_tx_url = $4, enabled = $5 WHERE id = $1";
    exec!(
        c,
        sqlx::query(SQL)
            .bind(ch.id)
            .bind(&ch.name)
            .bind(ch.confirmations_required)
            .bind(&ch.explorer_tx_url)
            .bind(ch.enabled)
    )?;
    Ok(())
}

pub async fn insert_token(c: &mut impl Conn, t: &Token) -> StoreResult<i64> {
    const SQL: &str = "INSERT INTO tokens (coin_id, chain_id, name, standard, contract_address, decimals, min_amount, enabled) \
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id";
    let (id,): (i64,) = run!(c, |db| sqlx::query_as(SQL)
        .bind(t.coin_id)
        .bind(t.chain_id)
        .bind(&t.name)
        .bind(&t.standard)
        .bind(&t.contract_address)
        .bind(t.decimals)
        .bind(&t.min_amount)
        .bind(t.enabled)
        .fetch_one(db)
        .await)?;
    Ok(id)
}

pub async fn update_token(c: &mut impl Conn, t: &Token) -> StoreResult<()> {
    const SQL: &str = "UPDATE tokens SET name = $2, min_amount = $3, enabled = $4, contract_address = $5 WHERE id = $1";
    exec!(c, sqlx::query(SQL).bind(t.id).bind(&t.name).bind(&t.min_amount).bind(t.enabled).bind(&t.contract_address))?;
    Ok(())
}
