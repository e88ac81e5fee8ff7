//! Invoices (§2.9) and the payments to their addresses.

use crate::amount::DbAmount;
use crate::{Conn, Raw, StoreResult, exec, id_set, run};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Invoice {
    pub id: i64,
    pub owner_id: i64,
    pub product_id: i64,
    pub object_id: Option<i64>,
    pub order_id: Option<String>,
    pub description: Option<String>,
    pub amount: DbAmount,
    pub coin_id: i64,
    pub token_id: Option<i64>,
    pub address_id: Option<i64>,
    pub rate: Option<DbAmount>,
    pub amount_due: Option<DbAmount>,
    pub status: i64,
    pub exception: String,
    pub token_ids: String,
    pub metadata: Option<String>,
    pub success_url: Option<String>,
    pub fail_url: Option<String>,
    pub expiry_minutes: i64,
    pub expires_at: i64,
    pub processing_since: Option<i64>,
    pub paid_at: Option<i64>,
    pub created_by_user_id: Option<i64>,
    pub api_key_id: Option<i64>,
    pub receive_request: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Invoice {
    pub fn token_id_list(&self) -> Vec<i64> {
        serde_json::from_str(&self.token_ids).unwrap_or_default()
    }
}

const SELECT: &str = "SELECT id, owner_id, product_id, object_id, order_id, description, amount, coin_id, token_id, address_id, rate, \
    amount_due, status, exception, token_ids, metadata, success_url, fail_url, expiry_minutes, expires_at, processing_since, paid_at, \
    created_by_user_id, api_key_id, receive_request, created_at, updated_at FROM invoices";

pub async fn insert(c: &mut impl Conn, i: &Invoice) -> StoreResult<()> {
    const SQL: &str = "INSERT INTO invoices (id, owner_id, product_id, object_id, order_id, description, amount, coin_id, status, exception, \
        token_ids, metadata, success_url, fail_url, expiry_minutes, expires_at, created_by_user_id, api_key_id, created_at, updated_at, \
        receive_request) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)";
    exec!(
        c,
        sqlx::query(SQL)
            .bind(i.id)
            .bind(i.owner_id)
            .bind(i.product_id)
            .bind(i.object_id)
            .bind(&i.order_id)
            .bind(&i.description)
            .bind(&i.amount)
            .bind(i.coin_id)
            .bind(i.status)
            .bind(&i.exception)
            .bind(&i.token_ids)
            .bind(&i.metadata)
            .bind(&i.success_url)
            .bind(&i.fail_url)
            .bind(i.expiry_minutes)
            .bind(i.expires_at)
            .bind(i.created_by_user_id)
            .bind(i.api_key_id)
            .bind(i.created_at)
            .bind(i.updated_at)
            .bind(i.receive_request)
    )?;
    Ok(())
}

pub async fn get(c: &mut impl Conn, id: i64) -> StoreResult<Option<Invoice>> {
    let sql = sqlx::AssertSqlSafe(format!("{SELECT} WHERE id = $1"));
    Ok(run!(c, |db| sqlx::query_as::<_, Invoice>(sql).bind(id).fetch_optional(db).await)?)
}

/// Locks the invoice for the rest of the unit of work (PostgreSQL).
pub async fn lock(c: &mut impl Conn, id: i64) -> StoreResult<Option<Invoice>> {
    let lock = if matches!(c.raw(), Raw::Postgres(_)) { " FOR UPDATE" } else { "" };
    let sql = sqlx::AssertSqlSafe(format!("{SELECT} WHERE id = $1{lock}"));
    Ok(run!(c, |db| sqlx::query_as::<_, Invoice>(sql).bind(id).fetch_optional(db).await)?)
}

/// The paying method chosen for an invoice (`/invoice/pay`).
pub struct PaymentMethod<'a> {
    pub token_id: i64,
    pub address_id: i64,
    pub rate: &'a DbAmount,
    pub amount_due: &'a DbAmount,
    pub expires_at: i64,
}

/// Token choice: the paying token, its address, rate and due amount, a fresh expiry.
pub async fn set_payment_method(c: &mut impl Conn, id: i64, m: PaymentMethod<'_>, now: i64) -> StoreResult<()> {
    const SQL: &str = "UPDATE invoices SET token_id = $2, address_id = $3, rate = $4, amount_due = $5, expires_at = $6, status = 2, updated_at = $7 WHERE id = $1";
    exec!(
        c,
        sqlx::query(SQL)
            .bind(id)
            .bind(m.token_id)
            .bind(m.address_id)
            .bind(m.rate)
            .bind(m.amount_due)
            .bind(m.expires_at)
            .bind(now)
    )?;
    Ok(())
}

pub async fn set_state(
    c: &mut impl Conn,
    id: i64,
    status: i64,
    exception: &str,
    processing_since: Option<i64>,
    paid_at: Option<i64>,
    now: i64,
) -> StoreResult<()> {
    const SQL: &str = "UPDATE invoices SET status = $2, exception = $3, processing_since = COALESCE($4, processing_since), \
        paid_at = COALESCE(paid_at, $5), updated_at = $6 WHERE id = $1";
    exec!(c, sqlx::query(SQL).bind(id).bind(status).bind(exception).bind(processing_since).bind(paid_at).bind(now))?;
    Ok(())
}

/// Invoices the clock may move: open ones past expiry, processing ones past their window,
/// expired ones whose window is still open.
pub async fn due_for_clock(c: &mut impl Conn, now: i64, limit: i64) -> StoreResult<Vec<i64>> {
    const SQL: &str = "SELECT id FROM invoices WHERE (status IN (1, 2) AND expires_at <= $1) OR (status = 3 AND processing_since <= $1 - 86400) \
        ORDER BY expires_at LIMIT $2";
    let rows: Vec<(i64,)> = run!(c, |db| sqlx::query_as(SQL).bind(now).bind(limit).fetch_all(db).await)?;
    Ok(rows.into_iter().map(|(i,)| i).collect())
}

pub async fn order_taken(c: &mut impl Conn, owner_id: i64, order_id: &str) -> StoreResult<bool> {
    let (n,): (i64,) =
        run!(c, |db| sqlx::query_as("SELECT COUNT(*) FROM invoices WHERE owner_id = $1 AND order_id = $2")
            .bind(owner_id)
            .bind(order_id)
            .fetch_one(db)
            .await)?;
    Ok(n > 0)
}

/// Counters of a pay object's invoices: all, paid (status 4), and Σ amount of paid ones.
pub async fn object_counts(
    c: &mut impl Conn,
    owner_id: i64,
    product_id: i64,
    object_id: i64,
) -> StoreResult<(i64, i64, Vec<DbAmount>, Option<i64>)> {
    const SQL: &str =
        "SELECT status, amount, paid_at FROM invoices WHERE owner_id = $1 AND product_id = $2 AND object_id = $3";
    let rows: Vec<(i64, DbAmount, Option<i64>)> =
        run!(c, |db| sqlx::query_as(SQL).bind(owner_id).bind(product_id).bind(object_id).fetch_all(db).await)?;
    let paid: Vec<&(i64, DbAmount, Option<i64>)> = rows.iter().filter(|r| r.0 == 4).collect();
    let last = paid.iter().filter_map(|r| r.2).max();
    Ok((rows.len() as i64, paid.len() as i64, paid.iter().map(|r| r.1.clone()).collect(), last))
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Payment {
    pub id: i64,
    pub chain_id: i64,
    pub tx_hash: String,
    pub log_index: i64,
    pub address_id: i64,
    pub owner_id: i64,
    pub invoice_id: Option<i64>,
    pub token_id: i64,
    pub amount: DbAmount,
    pub block_height: Option<i64>,
    pub block_hash: Option<String>,
    pub status: String,
    pub ledger_tx_id: Option<i64>,
    pub seen_at: i64,
    pub confirmed_at: Option<i64>,
}

const PAYMENT: &str = "SELECT id, chain_id, tx_hash, log_index, address_id, owner_id, invoice_id, token_id, amount, block_height, block_hash, \
    status, ledger_tx_id, seen_at, confirmed_at FROM payments";

pub async fn payments_of(c: &mut impl Conn, invoice_id: i64) -> StoreResult<Vec<Payment>> {
    let sql = sqlx::AssertSqlSafe(format!("{PAYMENT} WHERE invoice_id = $1 ORDER BY id"));
    Ok(run!(c, |db| sqlx::query_as::<_, Payment>(sql).bind(invoice_id).fetch_all(db).await)?)
}

pub async fn payment(c: &mut impl Conn, chain_id: i64, tx_hash: &str, index: i64) -> StoreResult<Option<Payment>> {
    let sql = sqlx::AssertSqlSafe(format!("{PAYMENT} WHERE chain_id = $1 AND tx_hash = $2 AND log_index = $3"));
    Ok(run!(c, |db| sqlx::query_as::<_, Payment>(sql)
        .bind(chain_id)
        .bind(tx_hash)
        .bind(index)
        .fetch_optional(db)
        .await)?)
}

/// Payments still waiting for confirmations on a chain.
pub async fn unconfirmed(c: &mut impl Conn, chain_id: i64) -> StoreResult<Vec<Payment>> {
    let sql = sqlx::AssertSqlSafe(format!("{PAYMENT} WHERE chain_id = $1 AND status = 'seen' ORDER BY id"));
    Ok(run!(c, |db| sqlx::query_as::<_, Payment>(sql).bind(chain_id).fetch_all(db).await)?)
}

/// Payments in blocks above `height` (what a reorganisation removes).
pub async fn above(c: &mut impl Conn, chain_id: i64, height: i64) -> StoreResult<Vec<Payment>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{PAYMENT} WHERE chain_id = $1 AND block_height > $2 AND status <> 'replaced' ORDER BY id"
    ));
    Ok(run!(c, |db| sqlx::query_as::<_, Payment>(sql).bind(chain_id).bind(height).fetch_all(db).await)?)
}

pub struct NewPayment<'a> {
    pub chain_id: i64,
    pub tx_hash: &'a str,
    pub index: i64,
    pub address_id: i64,
    pub owner_id: i64,
    pub invoice_id: Option<i64>,
    pub token_id: i64,
    pub amount: &'a DbAmount,
    pub block_height: i64,
    pub block_hash: &'a str,
    pub now: i64,
}

/// Records a payment once; false when (chain, tx, index) is known already.
/// Records a payment once; `None` when (chain, tx, index) is recorded already.
pub async fn insert_payment(c: &mut impl Conn, p: NewPayment<'_>) -> StoreResult<Option<i64>> {
    const SQL: &str = "INSERT INTO payments (chain_id, tx_hash, log_index, address_id, owner_id, invoice_id, token_id, amount, block_height, \
        block_hash, status, seen_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'seen', $11) \
        ON CONFLICT (chain_id, tx_hash, log_index) DO NOTHING RETURNING id";
    let row: Option<(i64,)> = run!(c, |db| sqlx::query_as(SQL)
        .bind(p.chain_id)
        .bind(p.tx_hash)
        .bind(p.index)
        .bind(p.address_id)
        .bind(p.owner_id)
        .bind(p.invoice_id)
        .bind(p.token_id)
        .bind(p.amount)
        .bind(p.block_height)
        .bind(p.block_hash)
        .bind(p.now)
        .fetch_optional(db)
        .await)?;
    Ok(row.map(|(id,)| id))
}

/// A payment seen again in a new block (after a reorganisation brought it back).
pub async fn reseen(c: &mut impl Conn, id: i64, height: i64, hash: &str) -> StoreResult<()> {
    exec!(
        c,
        sqlx::query("UPDATE payments SET status = 'seen', block_height = $2, block_hash = $3 WHERE id = $1")
            .bind(id)
            .bind(height)
            .bind(hash)
    )?;
    Ok(())
}

pub async fn confirm(c: &mut impl Conn, id: i64, ledger_tx_id: i64, now: i64) -> StoreResult<()> {
    exec!(
        c,
        sqlx::query("UPDATE payments SET status = 'confirmed', ledger_tx_id = $2, confirmed_at = $3 WHERE id = $1")
            .bind(id)
            .bind(ledger_tx_id)
            .bind(now)
    )?;
    Ok(())
}

pub async fn replace(c: &mut impl Conn, id: i64) -> StoreResult<()> {
    exec!(c, sqlx::query("UPDATE payments SET status = 'replaced' WHERE id = $1").bind(id))?;
    Ok(())
}

/// Σ unconfirmed amounts per coin credited to an owner's balances, for `incoming`.
pub async fn set_incoming(c: &mut impl Conn, account_id: i64, incoming: &DbAmount) -> StoreResult<()> {
    exec!(c, sqlx::query("UPDATE accounts SET incoming = $2 WHERE id = $1").bind(account_id).bind(incoming))?;
    Ok(())
}

pub async fn unconfirmed_of_owner_coin(c: &mut impl Conn, owner_id: i64, coin_id: i64) -> StoreResult<Vec<DbAmount>> {
    const SQL: &str = "SELECT p.amount FROM payments p JOIN tokens t ON t.id = p.token_id WHERE p.owner_id = $1 AND t.coin_id = $2 AND p.status = 'seen'";
    let rows: Vec<(DbAmount,)> = run!(c, |db| sqlx::query_as(SQL).bind(owner_id).bind(coin_id).fetch_all(db).await)?;
    Ok(rows.into_iter().map(|(a,)| a).collect())
}

/// Confirmed amounts received on an address, per token.
pub async fn received_on(c: &mut impl Conn, address_id: i64) -> StoreResult<Vec<(i64, DbAmount)>> {
    const SQL: &str =
        "SELECT token_id, amount FROM payments WHERE address_id = $1 AND status = 'confirmed' ORDER BY token_id";
    Ok(run!(c, |db| sqlx::query_as::<_, (i64, DbAmount)>(SQL).bind(address_id).fetch_all(db).await)?)
}

/// The SQL-side filters of a product's invoice history (§4.16); amount bounds are compared
/// exactly by the caller, since SQLite keeps amounts as text.
#[derive(Debug, Default)]
pub struct ProductFilter {
    pub product_id: i64,
    pub created_from: i64,
    pub created_to: i64,
    pub object_ids: Option<(Vec<i64>, bool)>,
    pub statuses: Option<(Vec<i64>, bool)>,
    pub token_ids: Option<(Vec<i64>, bool)>,
    /// Closed-list values (checked by the caller).
    pub exceptions: Vec<String>,
    /// Over order id, invoice id, address and transaction hash.
    pub search: Option<String>,
}

/// Every invoice of the owner's product matching `f`, newest first.
pub async fn of_product(c: &mut impl Conn, owner_id: i64, f: &ProductFilter) -> StoreResult<Vec<Invoice>> {
    let mut clauses = vec![
        "owner_id = $1".to_owned(),
        "product_id = $2".to_owned(),
        "created_at >= $3 AND created_at < $4".to_owned(),
        "($5 = '' OR LOWER(COALESCE(order_id, '')) LIKE $5 OR CAST(id AS TEXT) LIKE $5 \
         OR address_id IN (SELECT a.id FROM addresses a WHERE LOWER(a.address) LIKE $5) \
         OR id IN (SELECT p.invoice_id FROM payments p WHERE LOWER(p.tx_hash) LIKE $5 AND p.invoice_id IS NOT NULL))"
            .to_owned(),
    ];
    for (column, set) in [("object_id", &f.object_ids), ("status", &f.statuses), ("token_id", &f.token_ids)] {
        clauses.extend(id_set(column, set));
    }
    if !f.exceptions.is_empty() {
        let list = f.exceptions.iter().map(|e| format!("'{}'", e.replace('\'', ""))).collect::<Vec<_>>().join(",");
        clauses.push(format!("exception IN ({list})"));
    }
    let sql =
        sqlx::AssertSqlSafe(format!("{SELECT} WHERE {} ORDER BY created_at DESC, id DESC", clauses.join(" AND ")));
    let search = f.search.as_deref().map(|s| format!("%{}%", s.to_lowercase())).unwrap_or_default();
    Ok(run!(c, |db| sqlx::query_as::<_, Invoice>(sql)
        .bind(owner_id)
        .bind(f.product_id)
        .bind(f.created_from)
        .bind(f.created_to)
        .bind(&search)
        .fetch_all(db)
        .await)?)
}

/// How the confirmed payments of these invoices were booked: per invoice, the legs to the
/// owner's balance (credited) and to the house fees account (commission), in the paying coin.
pub async fn booked_splits(c: &mut impl Conn, invoice_ids: &[i64]) -> StoreResult<Vec<(i64, bool, DbAmount)>> {
    if invoice_ids.is_empty() {
        return Ok(vec![]);
    }
    let list = invoice_ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT p.invoice_id, a.owner_id IS NULL AS to_fees, po.amount FROM payments p \
         JOIN postings po ON po.tx_id = p.ledger_tx_id JOIN accounts a ON a.id = po.account_id \
         WHERE p.invoice_id IN ({list}) AND p.status = 'confirmed' AND (a.owner_id = p.owner_id OR a.kind = 'fees')"
    ));
    Ok(run!(c, |db| sqlx::query_as::<_, (i64, bool, DbAmount)>(sql).fetch_all(db).await)?)
}

/// A payment re-read under a row lock (PostgreSQL; SQLite's write lock is already held), so two
/// watchers cannot credit it twice.
pub async fn lock_payment(c: &mut impl Conn, id: i64) -> StoreResult<Option<Payment>> {
    let lock = if matches!(c.raw(), Raw::Postgres(_)) { " FOR UPDATE" } else { "" };
    let sql = sqlx::AssertSqlSafe(format!("{PAYMENT} WHERE id = $1{lock}"));
    Ok(run!(c, |db| sqlx::query_as::<_, Payment>(sql).bind(id).fetch_optional(db).await)?)
}
