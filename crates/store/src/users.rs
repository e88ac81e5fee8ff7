//! Users: people (and operators) who sign in.

use crate::{Conn, StoreResult, exec, run};

pub const STATUS_REGISTERING: i64 = 1;
pub const STATUS_ACTIVE: i64 = 2;
pub const STATUS_BLOCKED: i64 = 3;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub password_hash: Option<String>,
    pub name: String,
    pub surname: String,
    pub phone: Option<String>,
    pub language: String,
    pub timezone_id: i64,
    pub avatar: Option<String>,
    pub status: i64,
    pub is_operator: bool,
    pub tfa_enabled: bool,
    pub tfa_type: i64,
    pub totp_secret: Option<String>,
    pub totp_pending: Option<String>,
    pub totp_last_step: i64,
    pub last_owner_id: Option<i64>,
    pub pending_email: Option<String>,
    pub password_verified_at: Option<i64>,
    pub sign_in_challenge_until: Option<i64>,
    pub sign_in_locked_until: Option<i64>,
    pub created_at: i64,
}

const COLUMNS: &str = "id, email, password_hash, name, surname, phone, language, timezone_id, avatar, status, \
    is_operator, tfa_enabled, tfa_type, totp_secret, totp_pending, totp_last_step, last_owner_id, pending_email, \
    password_verified_at, sign_in_challenge_until, sign_in_locked_until, created_at";

fn const_format_select(where_clause: &str) -> String {
    format!("SELECT {COLUMNS} FROM users WHERE {where_clause}")
}

async fn one(c: &mut impl Conn, where_clause: &str, bind: Bind<'_>) -> StoreResult<Option<User>> {
    let sql = sqlx::AssertSqlSafe(const_format_select(where_clause));
    let row = match bind {
        Bind::Id(id) => run!(c, |db| sqlx::query_as::<_, User>(sql).bind(id).fetch_optional(db).await)?,
        Bind::Str(s) => run!(c, |db| sqlx::query_as::<_, User>(sql).bind(s).fetch_optional(db).await)?,
    };
    Ok(row)
}

enum Bind<'a> {
    Id(i64),
    Str(&'a str),
}

pub async fn by_id(c: &mut impl Conn, id: i64) -> StoreResult<Option<User>> {
    one(c, "id = $1", Bind::Id(id)).await
}

/// By normalised (lower-case) e-mail.
pub async fn by_email(c: &mut impl Conn, email: &str) -> StoreResult<Option<User>> {
    one(c, "email = $1", Bind::Str(email)).await
}

/// Locks the row for the rest of the unit of work on PostgreSQL (SQLite holds the write lock
/// already), so concurrent changes of one user's security state serialise.
pub async fn lock(c: &mut impl Conn, id: i64) -> StoreResult<Option<User>> {
    let sql = match c.raw() {
        crate::Raw::Postgres(_) => "id = $1 FOR UPDATE",
        crate::Raw::Sqlite(_) => "id = $1",
    };
    one(c, sql, Bind::Id(id)).await
}

pub struct NewUser<'a> {
    pub email: &'a str,
    pub status: i64,
    pub is_operator: bool,
    pub password_hash: Option<&'a str>,
    pub language: &'a str,
    pub timezone_id: i64,
    pub now: i64,
}

pub async fn insert(c: &mut impl Conn, u: NewUser<'_>) -> StoreResult<i64> {
    const SQL: &str = "INSERT INTO users (email, status, is_operator, password_hash, language, timezone_id, created_at) \
        VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id";
    let (id,): (i64,) = run!(c, |db| sqlx::query_as(SQL)
        .bind(u.email)
        .bind(u.status)
        .bind(u.is_operator)
        .bind(u.password_hash)
        .bind(u.language)
        .bind(u.timezone_id)
        .bind(u.now)
        .fetch_one(db)
        .await)?;
    Ok(id)
}

pub async fn set_password(c: &mut impl Conn, id: i64, hash: &str) -> StoreResult<()> {
    exec(c, "UPDATE users SET password_hash = $2, password_verified_at = NULL WHERE id = $1", id, hash).await
}

pub async fn set_status(c: &mut impl Conn, id: i64, status: i64) -> StoreResult<()> {
    const SQL: &str = "UPDATE users SET status = $2 WHERE id = $1";
    exec!(c, sqlx::query(SQL).bind(id).bind(status))?;
    Ok(())
}

/// Profile fields of `PUT /api/user` and the sign-up user step; `None` keeps a value.
#[derive(Debug, Default)]
pub struct ProfilePatch {
    pub name: Option<String>,
    pub surname: Option<String>,
    /// `Some(None)` clears the phone.
    pub phone: Option<Option<String>>,
    pub language: Option<String>,
    pub timezone_id: Option<i64>,
}

pub async fn update_profile(c: &mut impl Conn, id: i64, p: ProfilePatch) -> StoreResult<()> {
    const SQL: &str = "UPDATE users SET \
        name = COALESCE($2, name), surname = COALESCE($3, surname), \
        phone = CASE WHEN $4 THEN $5 ELSE phone END, \
        language = COALESCE($6, language), timezone_id = COALESCE($7, timezone_id) WHERE id = $1";
    let set_phone = p.phone.is_some();
    let phone = p.phone.flatten();
    exec!(
        c,
        sqlx::query(SQL)
            .bind(id)
            .bind(&p.name)
            .bind(&p.surname)
            .bind(set_phone)
            .bind(&phone)
            .bind(&p.language)
            .bind(p.timezone_id)
    )?;
    Ok(())
}

pub async fn set_avatar(c: &mut impl Conn, id: i64, avatar: &str) -> StoreResult<()> {
    exec(c, "UPDATE users SET avatar = $2 WHERE id = $1", id, avatar).await
}

pub async fn set_last_owner(c: &mut impl Conn, id: i64, owner_id: i64) -> StoreResult<()> {
    const SQL: &str = "UPDATE users SET last_owner_id = $2 WHERE id = $1";
    exec!(c, sqlx::query(SQL).bind(id).bind(owner_id))?;
    Ok(())
}

/// Writes the whole second-factor state at once.
pub async fn set_tfa(
    c: &mut impl Conn,
    id: i64,
    enabled: bool,
    tfa_type: i64,
    totp_secret: Option<&str>,
    totp_pending: Option<&str>,
) -> StoreResult<()> {
    const SQL: &str =
        "UPDATE users SET tfa_enabled = $2, tfa_type = $3, totp_secret = $4, totp_pending = $5 WHERE id = $1";
    exec!(c, sqlx::query(SQL).bind(id).bind(enabled).bind(tfa_type).bind(totp_secret).bind(totp_pending))?;
    Ok(())
}

pub async fn set_totp_pending(c: &mut impl Conn, id: i64, pending: Option<&str>) -> StoreResult<()> {
    const SQL: &str = "UPDATE users SET totp_pending = $2 WHERE id = $1";
    exec!(c, sqlx::query(SQL).bind(id).bind(pending))?;
    Ok(())
}

/// Marks TOTP step `step` used. False when it (or a later step) was used already, which makes
/// every step usable once even under concurrent requests.
pub async fn use_totp_step(c: &mut impl Conn, id: i64, step: i64) -> StoreResult<bool> {
    const SQL: &str = "UPDATE users SET totp_last_step = $2 WHERE id = $1 AND totp_last_step < $2";
    let r = exec!(c, sqlx::query(SQL).bind(id).bind(step))?;
    Ok(r == 1)
}

pub async fn set_pending_email(c: &mut impl Conn, id: i64, email: Option<&str>) -> StoreResult<()> {
    const SQL: &str = "UPDATE users SET pending_email = $2 WHERE id = $1";
    exec!(c, sqlx::query(SQL).bind(id).bind(email))?;
    Ok(())
}

pub async fn set_email(c: &mut impl Conn, id: i64, email: &str) -> StoreResult<()> {
    exec(c, "UPDATE users SET email = $2, pending_email = NULL WHERE id = $1", id, email).await
}

pub async fn set_password_verified_at(c: &mut impl Conn, id: i64, at: Option<i64>) -> StoreResult<()> {
    const SQL: &str = "UPDATE users SET password_verified_at = $2 WHERE id = $1";
    exec!(c, sqlx::query(SQL).bind(id).bind(at))?;
    Ok(())
}

pub async fn set_sign_in_challenge(c: &mut impl Conn, id: i64, until: Option<i64>) -> StoreResult<()> {
    const SQL: &str = "UPDATE users SET sign_in_challenge_until = $2 WHERE id = $1";
    exec!(c, sqlx::query(SQL).bind(id).bind(until))?;
    Ok(())
}

pub async fn set_sign_in_lock(c: &mut impl Conn, id: i64, until: Option<i64>) -> StoreResult<()> {
    const SQL: &str = "UPDATE users SET sign_in_locked_until = $2 WHERE id = $1";
    exec!(c, sqlx::query(SQL).bind(id).bind(until))?;
    Ok(())
}

async fn exec(c: &mut impl Conn, sql: &'static str, id: i64, value: &str) -> StoreResult<()> {
    exec!(c, sqlx::query(sql).bind(id).bind(value))?;
    Ok(())
}
