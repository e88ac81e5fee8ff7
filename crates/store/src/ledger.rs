//! Accounts (owner balances and house accounts) and the double-entry ledger (§2.5).
//!
//! Every posting goes through [`post`], which writes the transaction row, its postings and the
//! affected accounts' derived figures in the caller's unit of work. Callers lock the accounts
//! first ([`lock`]) and check spendable amounts under that lock.

use paygate_core::Amount;

use crate::amount::DbAmount;
use crate::{Conn, Raw, StoreResult, exec, run};

pub const KIND_BALANCE: &str = "balance";
pub const HOUSE_DEPOSITS: &str = "deposits";
pub const HOUSE_FEES: &str = "fees";
pub const HOUSE_EXCHANGE: &str = "exchange";
pub const HOUSE_PAYOUTS: &str = "payouts";
pub const HOUSE_ADJUSTMENTS: &str = "adjustments";

pub const POSTED: &str = "posted";
pub const PENDING: &str = "pending";
pub const VOIDED: &str = "voided";

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Account {
    pub id: i64,
    pub owner_id: Option<i64>,
    pub kind: String,
    pub coin_id: i64,
    pub code: String,
    pub is_fiat: bool,
    pub decimals: i64,
    pub posted: DbAmount,
    pub held: DbAmount,
    pub incoming: DbAmount,
    pub available: bool,
    pub is_default: bool,
    pub created_at: i64,
}

impl Account {
    /// What may be spent: posted minus held (§2.5).
    pub fn spendable(&self) -> Amount {
        &self.posted.0 - &self.held.0
    }
}

const SELECT: &str = "SELECT a.id, a.owner_id, a.kind, a.coin_id, c.code, c.is_fiat, c.decimals, a.posted, a.held, a.incoming, \
    a.available, a.is_default, a.created_at FROM accounts a JOIN coins c ON c.id = a.coin_id";

/// The owner's balances, by coin.
pub async fn balances(c: &mut impl Conn, owner_id: i64) -> StoreResult<Vec<Account>> {
    let sql = sqlx::AssertSqlSafe(format!("{SELECT} WHERE a.owner_id = $1 ORDER BY a.coin_id"));
    Ok(run!(c, |db| sqlx::query_as::<_, Account>(sql).bind(owner_id).fetch_all(db).await)?)
}

/// One balance of the owner; another owner's balance is simply not found.
pub async fn balance(c: &mut impl Conn, owner_id: i64, id: i64) -> StoreResult<Option<Account>> {
    let sql = sqlx::AssertSqlSafe(format!("{SELECT} WHERE a.owner_id = $1 AND a.id = $2"));
    Ok(run!(c, |db| sqlx::query_as::<_, Account>(sql).bind(owner_id).bind(id).fetch_optional(db).await)?)
}

pub async fn balance_of_coin(c: &mut impl Conn, owner_id: i64, coin_id: i64) -> StoreResult<Option<Account>> {
    let sql = sqlx::AssertSqlSafe(format!("{SELECT} WHERE a.owner_id = $1 AND a.coin_id = $2"));
    Ok(run!(c, |db| sqlx::query_as::<_, Account>(sql).bind(owner_id).bind(coin_id).fetch_optional(db).await)?)
}

pub async fn by_id(c: &mut impl Conn, id: i64) -> StoreResult<Option<Account>> {
    let sql = sqlx::AssertSqlSafe(format!("{SELECT} WHERE a.id = $1"));
    Ok(run!(c, |db| sqlx::query_as::<_, Account>(sql).bind(id).fetch_optional(db).await)?)
}

/// Opens a balance; it becomes the default when the owner has none.
pub async fn open_balance(c: &mut impl Conn, owner_id: i64, coin_id: i64, now: i64) -> StoreResult<i64> {
    const SQL: &str = "INSERT INTO accounts (owner_id, kind, coin_id, is_default, created_at) \
        VALUES ($1, 'balance', $2, NOT EXISTS (SELECT 1 FROM accounts WHERE owner_id = $1 AND is_default), $3) RETURNING id";
    let (id,): (i64,) = run!(c, |db| sqlx::query_as(SQL).bind(owner_id).bind(coin_id).bind(now).fetch_one(db).await)?;
    Ok(id)
}

/// The owner's balance of a coin, opened when missing (credits open balances, §2.5). Safe
/// when several units of work open the same balance at once: the losers find the winner's row.
pub async fn ensure_balance(c: &mut impl Conn, owner_id: i64, coin_id: i64, now: i64) -> StoreResult<i64> {
    if let Some(a) = balance_of_coin(c, owner_id, coin_id).await? {
        return Ok(a.id);
    }
    const AS_DEFAULT_IF_NONE: &str = "INSERT INTO accounts (owner_id, kind, coin_id, is_default, created_at) \
        VALUES ($1, 'balance', $2, NOT EXISTS (SELECT 1 FROM accounts WHERE owner_id = $1 AND is_default), $3) ON CONFLICT DO NOTHING";
    const NOT_DEFAULT: &str = "INSERT INTO accounts (owner_id, kind, coin_id, is_default, created_at) \
        VALUES ($1, 'balance', $2, FALSE, $3) ON CONFLICT DO NOTHING";
    for sql in [AS_DEFAULT_IF_NONE, NOT_DEFAULT] {
        exec!(c, sqlx::query(sql).bind(owner_id).bind(coin_id).bind(now))?;
        if let Some(a) = balance_of_coin(c, owner_id, coin_id).await? {
            return Ok(a.id);
        }
    }
    Err(crate::StoreError::Retryable(format!("balance of owner {owner_id} in coin {coin_id} is being opened")))
}

/// The house account of a kind and coin, created on first use.
pub async fn house(c: &mut impl Conn, kind: &str, coin_id: i64, now: i64) -> StoreResult<i64> {
    const FIND: &str = "SELECT id FROM accounts WHERE owner_id IS NULL AND kind = $1 AND coin_id = $2";
    if let Some((id,)) =
        run!(c, |db| sqlx::query_as::<_, (i64,)>(FIND).bind(kind).bind(coin_id).fetch_optional(db).await)?
    {
        return Ok(id);
    }
    const INSERT: &str = "INSERT INTO accounts (owner_id, kind, coin_id, available, created_at) VALUES (NULL, $1, $2, TRUE, $3) \
        ON CONFLICT DO NOTHING";
    exec!(c, sqlx::query(INSERT).bind(kind).bind(coin_id).bind(now))?;
    let (id,): (i64,) = run!(c, |db| sqlx::query_as(FIND).bind(kind).bind(coin_id).fetch_one(db).await)?;
    Ok(id)
}

/// Locks accounts for the rest of the unit of work, in id order so two movements over the same
/// accounts cannot deadlock. SQLite's unit of work holds the database write lock already.
pub async fn lock(c: &mut impl Conn, ids: &[i64]) -> StoreResult<()> {
    if !matches!(c.raw(), Raw::Postgres(_)) {
        return Ok(());
    }
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    let sql = sqlx::AssertSqlSafe(format!("SELECT id FROM accounts WHERE id IN ({list}) ORDER BY id FOR UPDATE"));
    run!(c, |db| sqlx::query_as::<_, (i64,)>(sql).fetch_all(db).await)?;
    Ok(())
}

pub async fn set_available(c: &mut impl Conn, id: i64, available: bool) -> StoreResult<()> {
    exec!(c, sqlx::query("UPDATE accounts SET available = $2 WHERE id = $1").bind(id).bind(available))?;
    Ok(())
}

/// Makes `id` the owner's only default balance (or clears the owner's default with `None`).
pub async fn set_default(c: &mut impl Conn, owner_id: i64, id: Option<i64>) -> StoreResult<()> {
    exec!(c, sqlx::query("UPDATE accounts SET is_default = FALSE WHERE owner_id = $1 AND is_default").bind(owner_id))?;
    if let Some(id) = id {
        exec!(
            c,
            sqlx::query("UPDATE accounts SET is_default = TRUE WHERE owner_id = $1 AND id = $2")
                .bind(owner_id)
                .bind(id)
        )?;
    }
    Ok(())
}

/// One leg of a ledger transaction.
#[derive(Debug, Clone)]
pub struct Leg {
    pub account_id: i64,
    pub coin_id: i64,
    /// Positive credits, negative debits.
    pub amount: Amount,
    /// Operation type as the account's owner sees it (transfer out for the sender, in for the
    /// recipient).
    pub operation_type: i64,
}

pub struct NewTransaction<'a> {
    pub op_key: &'a str,
    pub operation_type: i64,
    pub product_id: i64,
    pub owner_id: Option<i64>,
    pub user_id: Option<i64>,
    pub order_id: Option<&'a str>,
    /// `posted` or `pending` (a hold).
    pub status: &'a str,
    pub memo: Option<&'a str>,
    pub legs: Vec<Leg>,
    pub now: i64,
}

/// Books one balanced transaction and updates the accounts' derived figures. Fails with the
/// `ledger_transactions_op_key_key` conflict when its cause was booked before. Panics in debug
/// builds on an unbalanced transaction: that is a programming error, never an input error.
pub async fn post(c: &mut impl Conn, t: NewTransaction<'_>) -> StoreResult<i64> {
    let mut per_coin: std::collections::BTreeMap<i64, Amount> = Default::default();
    for l in &t.legs {
        let e = per_coin.entry(l.coin_id).or_default();
        *e = &*e + &l.amount;
    }
    if per_coin.values().any(|s| !s.is_zero()) {
        return Err(crate::StoreError::Other(format!("unbalanced ledger transaction {}: {per_coin:?}", t.op_key)));
    }
    const TX: &str = "INSERT INTO ledger_transactions (op_key, operation_type, product_id, owner_id, user_id, order_id, status, memo, created_at) \
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id";
    let (tx_id,): (i64,) = run!(c, |db| sqlx::query_as(TX)
        .bind(t.op_key)
        .bind(t.operation_type)
        .bind(t.product_id)
        .bind(t.owner_id)
        .bind(t.user_id)
        .bind(t.order_id)
        .bind(t.status)
        .bind(t.memo)
        .bind(t.now)
        .fetch_one(db)
        .await)?;
    const POSTING: &str = "INSERT INTO postings (tx_id, account_id, coin_id, amount, operation_type, created_at) VALUES ($1, $2, $3, $4, $5, $6)";
    for l in &t.legs {
        let amount = DbAmount::from(&l.amount);
        exec!(
            c,
            sqlx::query(POSTING)
                .bind(tx_id)
                .bind(l.account_id)
                .bind(l.coin_id)
                .bind(&amount)
                .bind(l.operation_type)
                .bind(t.now)
        )?;
        apply(c, l.account_id, &l.amount, t.status).await?;
    }
    Ok(tx_id)
}

/// Adds a leg to an account's derived figures: posted legs to `posted`, pending debits to `held`.
async fn apply(c: &mut impl Conn, account_id: i64, amount: &Amount, status: &str) -> StoreResult<()> {
    let a = by_id(c, account_id).await?.ok_or(crate::StoreError::NotFound)?;
    let (posted, held) = match status {
        POSTED => (&a.posted.0 + amount, a.held.0.clone()),
        PENDING if amount.is_negative() => (a.posted.0.clone(), &a.held.0 - amount),
        _ => (a.posted.0.clone(), a.held.0.clone()),
    };
    const SQL: &str = "UPDATE accounts SET posted = $2, held = $3 WHERE id = $1";
    exec!(c, sqlx::query(SQL).bind(account_id).bind(DbAmount(posted)).bind(DbAmount(held)))?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LedgerTx {
    pub id: i64,
    pub op_key: String,
    pub operation_type: i64,
    pub product_id: i64,
    pub owner_id: Option<i64>,
    pub user_id: Option<i64>,
    pub order_id: Option<String>,
    pub status: String,
    pub memo: Option<String>,
    pub created_at: i64,
}

pub async fn tx_by_key(c: &mut impl Conn, op_key: &str) -> StoreResult<Option<LedgerTx>> {
    const SQL: &str = "SELECT id, op_key, operation_type, product_id, owner_id, user_id, order_id, status, memo, created_at \
        FROM ledger_transactions WHERE op_key = $1";
    Ok(run!(c, |db| sqlx::query_as::<_, LedgerTx>(SQL).bind(op_key).fetch_optional(db).await)?)
}

/// Whether an owner ever received a posted credit (onboarding).
pub async fn owner_has_credit(c: &mut impl Conn, owner_id: i64) -> StoreResult<bool> {
    const SQL: &str = "SELECT COUNT(*) FROM postings p JOIN accounts a ON a.id = p.account_id \
        JOIN ledger_transactions t ON t.id = p.tx_id WHERE a.owner_id = $1 AND t.status = 'posted' AND p.operation_type IN (1, 2, 3, 4, 6, 13)";
    let (n,): (i64,) = run!(c, |db| sqlx::query_as(SQL).bind(owner_id).fetch_one(db).await)?;
    Ok(n > 0)
}

/// Every posting with its transaction status and account's stored figures, for the check.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CheckRow {
    pub tx_id: i64,
    pub account_id: i64,
    pub coin_id: i64,
    pub amount: DbAmount,
    pub status: String,
}

pub async fn all_postings(c: &mut impl Conn) -> StoreResult<Vec<CheckRow>> {
    const SQL: &str = "SELECT p.tx_id, p.account_id, p.coin_id, p.amount, t.status FROM postings p \
        JOIN ledger_transactions t ON t.id = p.tx_id ORDER BY p.id";
    Ok(run!(c, |db| sqlx::query_as::<_, CheckRow>(SQL).fetch_all(db).await)?)
}

pub async fn all_accounts(c: &mut impl Conn) -> StoreResult<Vec<Account>> {
    let sql = sqlx::AssertSqlSafe(format!("{SELECT} ORDER BY a.id"));
    Ok(run!(c, |db| sqlx::query_as::<_, Account>(sql).fetch_all(db).await)?)
}

pub async fn transaction_count(c: &mut impl Conn) -> StoreResult<i64> {
    let (n,): (i64,) = run!(c, |db| sqlx::query_as("SELECT COUNT(*) FROM ledger_transactions").fetch_one(db).await)?;
    Ok(n)
}

/// The owner's outgoing USD total of a day, locked for the rest of the unit of work.
pub async fn outgoing_total(c: &mut impl Conn, owner_id: i64, day: i64) -> StoreResult<Amount> {
    const INSERT: &str = "INSERT INTO outgoing_totals (owner_id, day, usd) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING";
    exec!(c, sqlx::query(INSERT).bind(owner_id).bind(day).bind(DbAmount(Amount::zero())))?;
    let sql = match c.raw() {
        Raw::Postgres(_) => "SELECT usd FROM outgoing_totals WHERE owner_id = $1 AND day = $2 FOR UPDATE",
        Raw::Sqlite(_) => "SELECT usd FROM outgoing_totals WHERE owner_id = $1 AND day = $2",
    };
    let (usd,): (DbAmount,) = run!(c, |db| sqlx::query_as(sql).bind(owner_id).bind(day).fetch_one(db).await)?;
    Ok(usd.0)
}

pub async fn set_outgoing_total(c: &mut impl Conn, owner_id: i64, day: i64, usd: &Amount) -> StoreResult<()> {
    const SQL: &str = "UPDATE outgoing_totals SET usd = $3 WHERE owner_id = $1 AND day = $2";
    exec!(c, sqlx::query(SQL).bind(owner_id).bind(day).bind(DbAmount(usd.clone())))?;
    Ok(())
}
