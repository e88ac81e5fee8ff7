//! Integration API keys (§1.3.3, §5.2).

use crate::owners::{self, Owner};
use crate::{Conn, StoreResult, exec, run};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ApiKey {
    pub id: i64,
    pub owner_id: i64,
    pub name: String,
    pub prefix: String,
    pub scopes: String,
    pub status_id: i64,
    pub expires_at: Option<i64>,
    pub last_used_at: Option<i64>,
    pub created_by_user_id: i64,
    pub created_at: i64,
}

impl ApiKey {
    pub fn scope_list(&self) -> Vec<String> {
        serde_json::from_str(&self.scopes).unwrap_or_default()
    }
}

const SELECT: &str = "SELECT id, owner_id, name, prefix, scopes, status_id, expires_at, last_used_at, created_by_user_id, created_at FROM api_keys";

pub struct NewKey<'a> {
    pub owner_id: i64,
    pub name: &'a str,
    pub prefix: &'a str,
    pub key_hash: &'a str,
    pub scopes: &'a str,
    pub expires_at: Option<i64>,
    pub user_id: i64,
    pub now: i64,
}

pub async fn insert(c: &mut impl Conn, k: NewKey<'_>) -> StoreResult<i64> {
    const SQL: &str = "INSERT INTO api_keys (owner_id, name, prefix, key_hash, scopes, status_id, expires_at, created_by_user_id, created_at) \
        VALUES ($1, $2, $3, $4, $5, 1, $6, $7, $8) RETURNING id";
    let (id,): (i64,) = run!(c, |db| sqlx::query_as(SQL)
        .bind(k.owner_id)
        .bind(k.name)
        .bind(k.prefix)
        .bind(k.key_hash)
        .bind(k.scopes)
        .bind(k.expires_at)
        .bind(k.user_id)
        .bind(k.now)
        .fetch_one(db)
        .await)?;
    Ok(id)
}

pub async fn of_owner(c: &mut impl Conn, owner_id: i64) -> StoreResult<Vec<ApiKey>> {
    let sql = sqlx::AssertSqlSafe(format!("{SELECT} WHERE owner_id = $1 ORDER BY created_at DESC, id DESC"));
    Ok(run!(c, |db| sqlx::query_as::<_, ApiKey>(sql).bind(owner_id).fetch_all(db).await)?)
}

pub async fn get(c: &mut impl Conn, owner_id: i64, id: i64) -> StoreResult<Option<ApiKey>> {
    let sql = sqlx::AssertSqlSafe(format!("{SELECT} WHERE owner_id = $1 AND id = $2"));
    Ok(run!(c, |db| sqlx::query_as::<_, ApiKey>(sql).bind(owner_id).bind(id).fetch_optional(db).await)?)
}

/// A key by the hash of its secret, with its owner (whose status stops a suspended owner's keys,
/// and whose plan and KYC the key's calls need next).
pub async fn by_hash(c: &mut impl Conn, key_hash: &str) -> StoreResult<Option<(ApiKey, Owner)>> {
    #[derive(sqlx::FromRow)]
    struct KeyWithOwner {
        #[sqlx(rename = "k_id")]
        id: i64,
        #[sqlx(rename = "k_name")]
        name: String,
        #[sqlx(rename = "k_prefix")]
        prefix: String,
        #[sqlx(rename = "k_scopes")]
        scopes: String,
        #[sqlx(rename = "k_status_id")]
        status_id: i64,
        #[sqlx(rename = "k_expires_at")]
        expires_at: Option<i64>,
        #[sqlx(rename = "k_last_used_at")]
        last_used_at: Option<i64>,
        #[sqlx(rename = "k_created_by_user_id")]
        created_by_user_id: i64,
        #[sqlx(rename = "k_created_at")]
        created_at: i64,
        #[sqlx(flatten)]
        owner: Owner,
    }
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT k.id AS k_id, k.name AS k_name, k.prefix AS k_prefix, k.scopes AS k_scopes, \
         k.status_id AS k_status_id, k.expires_at AS k_expires_at, k.last_used_at AS k_last_used_at, \
         k.created_by_user_id AS k_created_by_user_id, k.created_at AS k_created_at, {} \
         FROM api_keys k JOIN owners o ON o.id = k.owner_id WHERE k.key_hash = $1",
        owners::COLUMNS_OF_O
    ));
    let row = run!(c, |db| sqlx::query_as::<_, KeyWithOwner>(sql).bind(key_hash).fetch_optional(db).await)?;
    Ok(row.map(|r| {
        let key = ApiKey {
            id: r.id,
            owner_id: r.owner.id,
            name: r.name,
            prefix: r.prefix,
            scopes: r.scopes,
            status_id: r.status_id,
            expires_at: r.expires_at,
            last_used_at: r.last_used_at,
            created_by_user_id: r.created_by_user_id,
            created_at: r.created_at,
        };
        (key, r.owner)
    }))
}

pub async fn revoke(c: &mut impl Conn, owner_id: i64, id: i64) -> StoreResult<()> {
    exec!(c, sqlx::query("UPDATE api_keys SET status_id = 2 WHERE owner_id = $1 AND id = $2").bind(owner_id).bind(id))?;
    Ok(())
}

pub async fn touch(c: &mut impl Conn, id: i64, now: i64) -> StoreResult<()> {
    exec!(c, sqlx::query("UPDATE api_keys SET last_used_at = $2 WHERE id = $1").bind(id).bind(now))?;
    Ok(())
}
