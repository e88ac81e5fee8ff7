//! The time-zone dictionary. Ids are handed out once, in alphabetical order at first seeding;
//! zones a newer tz database adds get the next ids, so an id never changes meaning.

use crate::{Conn, StoreResult, exec, run};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Timezone {
    pub id: i64,
    pub name: String,
}

pub async fn all(c: &mut impl Conn) -> StoreResult<Vec<Timezone>> {
    Ok(run!(c, |db| sqlx::query_as::<_, Timezone>("SELECT id, name FROM timezones ORDER BY name").fetch_all(db).await)?)
}

pub async fn by_name(c: &mut impl Conn, name: &str) -> StoreResult<Option<Timezone>> {
    const SQL: &str = "SELECT id, name FROM timezones WHERE name = $1";
    Ok(run!(c, |db| sqlx::query_as::<_, Timezone>(SQL).bind(name).fetch_optional(db).await)?)
}

pub async fn exists(c: &mut impl Conn, id: i64) -> StoreResult<bool> {
    let (n,): (i64,) =
        run!(c, |db| sqlx::query_as("SELECT COUNT(*) FROM timezones WHERE id = $1").bind(id).fetch_one(db).await)?;
    Ok(n > 0)
}

/// Adds the names not yet known, in the order given, after the highest id.
pub async fn seed(c: &mut impl Conn, names: &[&str]) -> StoreResult<()> {
    let known: Vec<(String,)> = run!(c, |db| sqlx::query_as("SELECT name FROM timezones").fetch_all(db).await)?;
    let known: std::collections::HashSet<String> = known.into_iter().map(|(n,)| n).collect();
    let (mut next,): (i64,) =
        run!(c, |db| sqlx::query_as("SELECT COALESCE(MAX(id), 0) FROM timezones").fetch_one(db).await)?;
    for name in names.iter().filter(|n| !known.contains(**n)) {
        next += 1;
        exec!(c, sqlx::query("INSERT INTO timezones (id, name) VALUES ($1, $2)").bind(next).bind(*name))?;
    }
    Ok(())
}

pub async fn name_of(c: &mut impl Conn, id: i64) -> StoreResult<Option<String>> {
    let row: Option<(String,)> =
        run!(c, |db| sqlx::query_as("SELECT name FROM timezones WHERE id = $1").bind(id).fetch_optional(db).await)?;
    Ok(row.map(|r| r.0))
}
