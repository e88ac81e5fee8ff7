//! Owners: the merchant accounts that hold money and products.

use crate::{Conn, StoreResult, exec, run};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Owner {
    pub id: i64,
    pub owner_type: i64,
    pub owner_sub_type: i64,
    pub name: String,
    pub registration_number: Option<String>,
    pub vat_number: Option<String>,
    pub country_id: i64,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub site_url: Option<String>,
    pub avatar: Option<String>,
    pub kyc_status: i64,
    pub identification_status: i64,
    pub referral_code: String,
    pub referrer_owner_id: Option<i64>,
    pub plan_id: i64,
    pub invoice_expiry_minutes: i64,
    pub underpayment_tolerance_bp: i64,
    pub show_network_fee: bool,
    pub status: i64,
    pub created_at: i64,
    /// Enabled webhook endpoints, kept by every change to them (see `webhooks`).
    pub webhook_endpoints: i64,
}

pub const STATUS_ACTIVE: i64 = 1;
pub const STATUS_SUSPENDED: i64 = 2;

/// The owner's columns, unqualified (`o.`-prefixed in [`COLUMNS_OF_O`] for joins).
const SELECT: &str = "SELECT id, owner_type, owner_sub_type, name, registration_number, vat_number, country_id, \
    address, phone, email, site_url, avatar, kyc_status, identification_status, referral_code, referrer_owner_id, \
    plan_id, invoice_expiry_minutes, underpayment_tolerance_bp, show_network_fee, status, created_at, \
    webhook_endpoints FROM owners";

/// The same columns of an owner joined as `o`, named as [`Owner`] reads them.
pub const COLUMNS_OF_O: &str = "o.id, o.owner_type, o.owner_sub_type, o.name, o.registration_number, o.vat_number, \
    o.country_id, o.address, o.phone, o.email, o.site_url, o.avatar, o.kyc_status, o.identification_status, \
    o.referral_code, o.referrer_owner_id, o.plan_id, o.invoice_expiry_minutes, o.underpayment_tolerance_bp, \
    o.show_network_fee, o.status, o.created_at, o.webhook_endpoints";

pub async fn by_id(c: &mut impl Conn, id: i64) -> StoreResult<Option<Owner>> {
    let sql = sqlx::AssertSqlSafe(format!("{SELECT} WHERE id = $1"));
    Ok(run!(c, |db| sqlx::query_as::<_, Owner>(sql).bind(id).fetch_optional(db).await)?)
}

pub async fn by_referral_code(c: &mut impl Conn, code: &str) -> StoreResult<Option<Owner>> {
    let sql = sqlx::AssertSqlSafe(format!("{SELECT} WHERE referral_code = $1"));
    Ok(run!(c, |db| sqlx::query_as::<_, Owner>(sql).bind(code).fetch_optional(db).await)?)
}

/// The data a merchant gives about itself (sign-up owner step, `PUT /api/owner`).
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize, PartialEq)]
pub struct OwnerData {
    pub owner_type: i64,
    pub owner_sub_type: i64,
    pub name: String,
    pub country_id: i64,
    pub registration_number: Option<String>,
    pub vat_number: Option<String>,
    pub site_url: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

pub async fn insert(
    c: &mut impl Conn,
    d: &OwnerData,
    referral_code: &str,
    referrer_owner_id: Option<i64>,
    plan_id: i64,
    now: i64,
) -> StoreResult<i64> {
    const SQL: &str = "INSERT INTO owners (owner_type, owner_sub_type, name, country_id, registration_number, \
        vat_number, site_url, address, phone, email, referral_code, referrer_owner_id, plan_id, created_at) \
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id";
    let (id,): (i64,) = run!(c, |db| sqlx::query_as(SQL)
        .bind(d.owner_type)
        .bind(d.owner_sub_type)
        .bind(&d.name)
        .bind(d.country_id)
        .bind(&d.registration_number)
        .bind(&d.vat_number)
        .bind(&d.site_url)
        .bind(&d.address)
        .bind(&d.phone)
        .bind(&d.email)
        .bind(referral_code)
        .bind(referrer_owner_id)
        .bind(plan_id)
        .bind(now)
        .fetch_one(db)
        .await)?;
    Ok(id)
}

/// Writes every editable column of an owner (the service merges a partial update first).
pub async fn update(c: &mut impl Conn, o: &Owner) -> StoreResult<()> {
    const SQL: &str = "UPDATE owners SET owner_type = $2, owner_sub_type = $3, name = $4, registration_number = $5, \
        vat_number = $6, country_id = $7, address = $8, phone = $9, email = $10, site_url = $11, \
        invoice_expiry_minutes = $12, underpayment_tolerance_bp = $13, show_network_fee = $14 WHERE id = $1";
    exec!(
        c,
        sqlx::query(SQL)
            .bind(o.id)
            .bind(o.owner_type)
            .bind(o.owner_sub_type)
            .bind(&o.name)
            .bind(&o.registration_number)
            .bind(&o.vat_number)
            .bind(o.country_id)
            .bind(&o.address)
            .bind(&o.phone)
            .bind(&o.email)
            .bind(&o.site_url)
            .bind(o.invoice_expiry_minutes)
            .bind(o.underpayment_tolerance_bp)
            .bind(o.show_network_fee)
    )?;
    Ok(())
}

pub async fn set_avatar(c: &mut impl Conn, id: i64, avatar: &str) -> StoreResult<()> {
    const SQL: &str = "UPDATE owners SET avatar = $2 WHERE id = $1";
    exec!(c, sqlx::query(SQL).bind(id).bind(avatar))?;
    Ok(())
}

/// Operator list filters (§5.5 `POST /admin/owner/list`).
#[derive(Debug, Default)]
pub struct ListFilter {
    pub kyc_status: Option<(Vec<i64>, bool)>,
    pub search: Option<String>,
    pub created_from: Option<i64>,
    pub created_to: Option<i64>,
    pub created_exclude: bool,
}

/// Owners matching the filter, newest first, and the total.
pub async fn list(c: &mut impl Conn, f: &ListFilter, limit: i64, offset: i64) -> StoreResult<(Vec<Owner>, i64)> {
    let mut clauses = vec!["1 = 1".to_owned()];
    if let Some((ids, exclude)) = &f.kyc_status {
        let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
        clauses.push(format!("kyc_status {} IN ({list})", if *exclude { "NOT" } else { "" }));
    }
    if f.search.is_some() {
        clauses.push(
            "(LOWER(name) LIKE '%' || LOWER($1) || '%' OR CAST(id AS TEXT) = $1 OR id IN (SELECT m.owner_id FROM memberships m \
             JOIN users u ON u.id = m.user_id WHERE LOWER(u.email) LIKE '%' || LOWER($1) || '%'))"
                .to_owned(),
        );
    } else {
        clauses.push("$1 = ''".to_owned());
    }
    let period = "(($2 = 0 OR created_at >= $2) AND ($3 = 0 OR created_at < $3))";
    clauses.push(if f.created_exclude { format!("NOT {period}") } else { period.to_owned() });
    let filter = clauses.join(" AND ");
    let search = f.search.clone().unwrap_or_default();
    let (from, to) = (f.created_from.unwrap_or(0), f.created_to.unwrap_or(0));
    let rows_sql =
        sqlx::AssertSqlSafe(format!("{SELECT} WHERE {filter} ORDER BY created_at DESC, id DESC LIMIT $4 OFFSET $5"));
    let rows = run!(c, |db| sqlx::query_as::<_, Owner>(rows_sql)
        .bind(&search)
        .bind(from)
        .bind(to)
        .bind(limit)
        .bind(offset)
        .fetch_all(db)
        .await)?;
    let count_sql = sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM owners WHERE {filter}"));
    let (total,): (i64,) =
        run!(c, |db| sqlx::query_as(count_sql).bind(&search).bind(from).bind(to).fetch_one(db).await)?;
    Ok((rows, total))
}

/// Members of an owner with their user data (operator profile view).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Member {
    pub user_id: i64,
    pub membership_id: i64,
    pub email: String,
    pub name: String,
    pub surname: String,
    pub avatar: Option<String>,
    pub role_id: i64,
    pub status_id: i64,
    pub last_sign_in_at: Option<i64>,
    pub created_at: i64,
}

pub async fn members(c: &mut impl Conn, owner_id: i64) -> StoreResult<Vec<Member>> {
    const SQL: &str = "SELECT u.id AS user_id, m.id AS membership_id, u.email, u.name, u.surname, u.avatar, m.role_id, m.status_id, \
        m.last_sign_in_at, m.created_at FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.owner_id = $1 ORDER BY m.id";
    Ok(run!(c, |db| sqlx::query_as::<_, Member>(SQL).bind(owner_id).fetch_all(db).await)?)
}
