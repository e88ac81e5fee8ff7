//! Registrations in progress: what a sign-up token's user has filled in so far.

use crate::{Conn, StoreResult, exec, run};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Signup {
    pub user_id: i64,
    pub user_filled: bool,
    /// JSON of `owners::OwnerData`.
    pub owner_draft: Option<String>,
    pub referral_code: Option<String>,
    pub invited_membership_id: Option<i64>,
}

pub async fn get(c: &mut impl Conn, user_id: i64) -> StoreResult<Option<Signup>> {
    const SQL: &str = "SELECT user_id, user_filled, owner_draft, referral_code, invited_membership_id FROM signups WHERE user_id = $1";
    Ok(run!(c, |db| sqlx::query_as::<_, Signup>(SQL).bind(user_id).fetch_optional(db).await)?)
}

/// Starts (or restarts) a registration; the referral code of the latest e-mail request wins.
pub async fn upsert(
    c: &mut impl Conn,
    user_id: i64,
    referral_code: Option<&str>,
    invited_membership_id: Option<i64>,
    now: i64,
) -> StoreResult<()> {
    const SQL: &str = "INSERT INTO signups (user_id, referral_code, invited_membership_id, created_at) VALUES ($1, $2, $3, $4) \
        ON CONFLICT (user_id) DO UPDATE SET referral_code = COALESCE(EXCLUDED.referral_code, signups.referral_code), \
        invited_membership_id = COALESCE(EXCLUDED.invited_membership_id, signups.invited_membership_id)";
    exec!(c, sqlx::query(SQL).bind(user_id).bind(referral_code).bind(invited_membership_id).bind(now))?;
    Ok(())
}

pub async fn set_user_filled(c: &mut impl Conn, user_id: i64) -> StoreResult<()> {
    const SQL: &str = "UPDATE signups SET user_filled = TRUE WHERE user_id = $1";
    exec!(c, sqlx::query(SQL).bind(user_id))?;
    Ok(())
}

pub async fn set_owner_draft(c: &mut impl Conn, user_id: i64, draft: &str) -> StoreResult<()> {
    const SQL: &str = "UPDATE signups SET owner_draft = $2 WHERE user_id = $1";
    exec!(c, sqlx::query(SQL).bind(user_id).bind(draft))?;
    Ok(())
}

pub async fn delete(c: &mut impl Conn, user_id: i64) -> StoreResult<()> {
    const SQL: &str = "DELETE FROM signups WHERE user_id = $1";
    exec!(c, sqlx::query(SQL).bind(user_id))?;
    Ok(())
}
