//! Pay links (§2.10).

use crate::amount::DbAmount;
use crate::{Conn, StoreResult, exec, id_set, run};

pub const ACTIVE: i64 = 1;
pub const DISABLED: i64 = 2;
pub const EXPIRED: i64 = 3;
pub const COMPLETED: i64 = 4;
pub const DELETED: i64 = 5;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PayLink {
    pub id: i64,
    pub public_id: String,
    pub owner_id: i64,
    pub kind_id: i64,
    pub name: String,
    pub description: Option<String>,
    pub amount: Option<DbAmount>,
    pub amount_min: Option<DbAmount>,
    pub amount_max: Option<DbAmount>,
    pub coin_id: i64,
    pub token_ids: String,
    pub single_use: bool,
    pub expires_at: Option<i64>,
    pub success_url: Option<String>,
    pub fail_url: Option<String>,
    pub status_id: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

impl PayLink {
    pub fn token_id_list(&self) -> Vec<i64> {
        serde_json::from_str(&self.token_ids).unwrap_or_default()
    }
}

const SELECT: &str = "SELECT id, public_id, owner_id, kind_id, name, description, amount, amount_min, amount_max, coin_id, token_ids, \
    single_use, expires_at, success_url, fail_url, status_id, created_at, updated_at FROM pay_links";

pub async fn insert(c: &mut impl Conn, p: &PayLink) -> StoreResult<()> {
    const SQL: &str = "INSERT INTO pay_links (id, public_id, owner_id, kind_id, name, description, amount, amount_min, amount_max, coin_id, \
        token_ids, single_use, expires_at, success_url, fail_url, status_id, created_at, updated_at) \
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)";
    exec!(
        c,
        sqlx::query(SQL)
            .bind(p.id)
            .bind(&p.public_id)
            .bind(p.owner_id)
            .bind(p.kind_id)
            .bind(&p.name)
            .bind(&p.description)
            .bind(&p.amount)
            .bind(&p.amount_min)
            .bind(&p.amount_max)
            .bind(p.coin_id)
            .bind(&p.token_ids)
            .bind(p.single_use)
            .bind(p.expires_at)
            .bind(&p.success_url)
            .bind(&p.fail_url)
            .bind(p.status_id)
            .bind(p.created_at)
            .bind(p.updated_at)
    )?;
    Ok(())
}

pub async fn update(c: &mut impl Conn, p: &PayLink) -> StoreResult<()> {
    const SQL: &str = "UPDATE pay_links SET name = $3, description = $4, amount = $5, amount_min = $6, amount_max = $7, token_ids = $8, \
        single_use = $9, expires_at = $10, success_url = $11, fail_url = $12, status_id = $13, updated_at = $14 WHERE id = $1 AND owner_id = $2";
    exec!(
        c,
        sqlx::query(SQL)
            .bind(p.id)
            .bind(p.owner_id)
            .bind(&p.name)
            .bind(&p.description)
            .bind(&p.amount)
            .bind(&p.amount_min)
            .bind(&p.amount_max)
            .bind(&p.token_ids)
            .bind(p.single_use)
            .bind(p.expires_at)
            .bind(&p.success_url)
            .bind(&p.fail_url)
            .bind(p.status_id)
            .bind(p.updated_at)
    )?;
    Ok(())
}

/// The owner's link (another owner's is not found).
pub async fn of_owner(c: &mut impl Conn, owner_id: i64, id: i64) -> StoreResult<Option<PayLink>> {
    let sql = sqlx::AssertSqlSafe(format!("{SELECT} WHERE owner_id = $1 AND id = $2"));
    Ok(run!(c, |db| sqlx::query_as::<_, PayLink>(sql).bind(owner_id).bind(id).fetch_optional(db).await)?)
}

pub async fn by_id(c: &mut impl Conn, id: i64) -> StoreResult<Option<PayLink>> {
    let sql = sqlx::AssertSqlSafe(format!("{SELECT} WHERE id = $1"));
    Ok(run!(c, |db| sqlx::query_as::<_, PayLink>(sql).bind(id).fetch_optional(db).await)?)
}

pub async fn by_public_id(c: &mut impl Conn, public_id: &str) -> StoreResult<Option<PayLink>> {
    let sql = sqlx::AssertSqlSafe(format!("{SELECT} WHERE public_id = $1"));
    Ok(run!(c, |db| sqlx::query_as::<_, PayLink>(sql).bind(public_id).fetch_optional(db).await)?)
}

#[derive(Debug, Default)]
pub struct Search {
    pub statuses: Option<(Vec<i64>, bool)>,
    pub kinds: Option<(Vec<i64>, bool)>,
    pub search: Option<String>,
    pub created_from: Option<i64>,
    pub created_to: Option<i64>,
}

pub async fn search(
    c: &mut impl Conn,
    owner_id: i64,
    s: &Search,
    limit: i64,
    offset: i64,
) -> StoreResult<(Vec<PayLink>, i64)> {
    let mut clauses = vec!["owner_id = $1".to_owned()];
    clauses.push(id_set("status_id", &s.statuses).unwrap_or_else(|| "status_id <> 5".into()));
    if let Some(k) = id_set("kind_id", &s.kinds) {
        clauses.push(k);
    }
    clauses.push("($2 = '' OR LOWER(name) LIKE '%' || LOWER($2) || '%' OR LOWER(COALESCE(description, '')) LIKE '%' || LOWER($2) || '%' OR public_id = $2)".into());
    clauses.push("($3 = 0 OR created_at >= $3) AND ($4 = 0 OR created_at < $4)".into());
    let filter = clauses.join(" AND ");
    let search = s.search.clone().unwrap_or_default();
    let (from, to) = (s.created_from.unwrap_or(0), s.created_to.unwrap_or(0));
    let rows_sql =
        sqlx::AssertSqlSafe(format!("{SELECT} WHERE {filter} ORDER BY created_at DESC, id DESC LIMIT $5 OFFSET $6"));
    let rows = run!(c, |db| sqlx::query_as::<_, PayLink>(rows_sql)
        .bind(owner_id)
        .bind(&search)
        .bind(from)
        .bind(to)
        .bind(limit)
        .bind(offset)
        .fetch_all(db)
        .await)?;
    let count = sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM pay_links WHERE {filter}"));
    let (total,): (i64,) =
        run!(c, |db| sqlx::query_as(count).bind(owner_id).bind(&search).bind(from).bind(to).fetch_one(db).await)?;
    Ok((rows, total))
}

/// Temporary links whose time is up (the expiry job).
pub async fn expire_due(c: &mut impl Conn, now: i64) -> StoreResult<u64> {
    Ok(exec!(c, sqlx::query("UPDATE pay_links SET status_id = 3, updated_at = $1 WHERE kind_id = 2 AND status_id IN (1, 2) AND expires_at IS NOT NULL AND expires_at <= $1").bind(now))?)
}
