//! Operators' extended public keys and the addresses derived from them (§2.6).

use crate::{Conn, Raw, StoreResult, exec, run};

pub const ACTIVE: i64 = 1;
pub const RETIRED: i64 = 2;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct XpubRow {
    pub id: i64,
    pub chain_id: i64,
    pub xpub: String,
    pub fingerprint: String,
    pub derivation_path: String,
    pub next_index: i64,
    pub status_id: i64,
    pub created_at: i64,
}

const SELECT: &str =
    "SELECT id, chain_id, xpub, fingerprint, derivation_path, next_index, status_id, created_at FROM xpubs";

pub async fn list(c: &mut impl Conn, chain_id: Option<i64>) -> StoreResult<Vec<XpubRow>> {
    let sql = sqlx::AssertSqlSafe(format!("{SELECT} WHERE ($1 = 0 OR chain_id = $1) ORDER BY id"));
    Ok(run!(c, |db| sqlx::query_as::<_, XpubRow>(sql).bind(chain_id.unwrap_or(0)).fetch_all(db).await)?)
}

pub async fn by_id(c: &mut impl Conn, id: i64) -> StoreResult<Option<XpubRow>> {
    let sql = sqlx::AssertSqlSafe(format!("{SELECT} WHERE id = $1"));
    Ok(run!(c, |db| sqlx::query_as::<_, XpubRow>(sql).bind(id).fetch_optional(db).await)?)
}

/// The chain's active key, locked on PostgreSQL so two derivations never take one index.
pub async fn active_for_update(c: &mut impl Conn, chain_id: i64) -> StoreResult<Option<XpubRow>> {
    let lock = if matches!(c.raw(), Raw::Postgres(_)) { " FOR UPDATE" } else { "" };
    let sql = sqlx::AssertSqlSafe(format!("{SELECT} WHERE chain_id = $1 AND status_id = 1{lock}"));
    Ok(run!(c, |db| sqlx::query_as::<_, XpubRow>(sql).bind(chain_id).fetch_optional(db).await)?)
}

/// Chains that have an active key.
pub async fn keyed_chains(c: &mut impl Conn) -> StoreResult<Vec<i64>> {
    let rows: Vec<(i64,)> =
        run!(c, |db| sqlx::query_as("SELECT chain_id FROM xpubs WHERE status_id = 1").fetch_all(db).await)?;
    Ok(rows.into_iter().map(|(c,)| c).collect())
}

pub async fn insert(
    c: &mut impl Conn,
    chain_id: i64,
    xpub: &str,
    fingerprint: &str,
    path: &str,
    now: i64,
) -> StoreResult<i64> {
    const SQL: &str = "INSERT INTO xpubs (chain_id, xpub, fingerprint, derivation_path, status_id, created_at) VALUES ($1, $2, $3, $4, 1, $5) RETURNING id";
    let (id,): (i64,) = run!(c, |db| sqlx::query_as(SQL)
        .bind(chain_id)
        .bind(xpub)
        .bind(fingerprint)
        .bind(path)
        .bind(now)
        .fetch_one(db)
        .await)?;
    Ok(id)
}

pub async fn retire(c: &mut impl Conn, id: i64) -> StoreResult<bool> {
    Ok(exec!(c, sqlx::query("UPDATE xpubs SET status_id = 2 WHERE id = $1 AND status_id = 1").bind(id))? == 1)
}

pub async fn retire_active(c: &mut impl Conn, chain_id: i64) -> StoreResult<()> {
    exec!(c, sqlx::query("UPDATE xpubs SET status_id = 2 WHERE chain_id = $1 AND status_id = 1").bind(chain_id))?;
    Ok(())
}

/// Takes the next derivation index of the chain's active key in one statement; the update's row
/// lock keeps two derivations from sharing an index. Returns the key (`next_index` already past
/// the index taken) and the index taken.
pub async fn claim_index(c: &mut impl Conn, chain_id: i64) -> StoreResult<Option<(XpubRow, i64)>> {
    const SQL: &str = "UPDATE xpubs SET next_index = next_index + 1 WHERE chain_id = $1 AND status_id = 1 \
        RETURNING id, chain_id, xpub, fingerprint, derivation_path, next_index, status_id, created_at";
    let key = run!(c, |db| sqlx::query_as::<_, XpubRow>(SQL).bind(chain_id).fetch_optional(db).await)?;
    Ok(key.map(|k| {
        let index = k.next_index - 1;
        (k, index)
    }))
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AddressRow {
    pub id: i64,
    pub chain_id: i64,
    pub address: String,
    pub owner_id: i64,
    pub purpose: String,
    pub invoice_id: Option<i64>,
    pub label: Option<String>,
    pub created_at: i64,
}

const ADDRESS: &str = "SELECT id, chain_id, address, owner_id, purpose, invoice_id, label, created_at FROM addresses";

pub struct NewAddress<'a> {
    pub chain_id: i64,
    pub address: &'a str,
    pub xpub_id: i64,
    pub index: i64,
    pub owner_id: i64,
    pub purpose: &'a str,
    pub invoice_id: Option<i64>,
    pub label: Option<&'a str>,
    pub now: i64,
}

pub async fn insert_address(c: &mut impl Conn, a: NewAddress<'_>) -> StoreResult<i64> {
    const SQL: &str = "INSERT INTO addresses (chain_id, address, xpub_id, derivation_index, owner_id, purpose, invoice_id, label, created_at) \
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id";
    let (id,): (i64,) = run!(c, |db| sqlx::query_as(SQL)
        .bind(a.chain_id)
        .bind(a.address)
        .bind(a.xpub_id)
        .bind(a.index)
        .bind(a.owner_id)
        .bind(a.purpose)
        .bind(a.invoice_id)
        .bind(a.label)
        .bind(a.now)
        .fetch_one(db)
        .await)?;
    Ok(id)
}

pub async fn address(c: &mut impl Conn, id: i64) -> StoreResult<Option<AddressRow>> {
    let sql = sqlx::AssertSqlSafe(format!("{ADDRESS} WHERE id = $1"));
    Ok(run!(c, |db| sqlx::query_as::<_, AddressRow>(sql).bind(id).fetch_optional(db).await)?)
}

/// Watched addresses among `candidates` on a chain: one query per block, whatever the number
/// of watched addresses.
/// Addresses of every chain with an id above `after`, and those of `ids` (ids seen missing
/// earlier, whose units of work may have committed since): `(id, chain_id, address)`.
pub async fn addresses_after(c: &mut impl Conn, after: i64, ids: &[i64]) -> StoreResult<Vec<(i64, i64, String)>> {
    const SQL: &str = "SELECT id, chain_id, address FROM addresses WHERE id > $1 ORDER BY id";
    let mut rows: Vec<(i64, i64, String)> = run!(c, |db| sqlx::query_as(SQL).bind(after).fetch_all(db).await)?;
    for chunk in ids.chunks(500) {
        let list = chunk.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(",");
        let sql = sqlx::AssertSqlSafe(format!("SELECT id, chain_id, address FROM addresses WHERE id IN ({list})"));
        rows.extend(run!(c, |db| sqlx::query_as::<_, (i64, i64, String)>(sql).fetch_all(db).await)?);
    }
    Ok(rows)
}

pub async fn watched(c: &mut impl Conn, chain_id: i64, candidates: &[String]) -> StoreResult<Vec<AddressRow>> {
    if candidates.is_empty() {
        return Ok(vec![]);
    }
    let mut out = vec![];
    for chunk in candidates.chunks(500) {
        let placeholders = (2..chunk.len() + 2).map(|i| format!("${i}")).collect::<Vec<_>>().join(",");
        let sql = sqlx::AssertSqlSafe(format!("{ADDRESS} WHERE chain_id = $1 AND address IN ({placeholders})"));
        let rows = run!(c, |db| {
            let mut q = sqlx::query_as::<_, AddressRow>(sql).bind(chain_id);
            for a in chunk {
                q = q.bind(a);
            }
            q.fetch_all(db).await
        })?;
        out.extend(rows);
    }
    Ok(out)
}

pub async fn wallets(c: &mut impl Conn, owner_id: i64, chain_id: Option<i64>) -> StoreResult<Vec<AddressRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{ADDRESS} WHERE owner_id = $1 AND purpose = 'wallet' AND ($2 = 0 OR chain_id = $2) ORDER BY id"
    ));
    Ok(run!(c, |db| sqlx::query_as::<_, AddressRow>(sql)
        .bind(owner_id)
        .bind(chain_id.unwrap_or(0))
        .fetch_all(db)
        .await)?)
}
