//! Stored images (avatars), kept in the database so every API node serves them.

use crate::{Conn, StoreResult, exec, run};

pub async fn insert(c: &mut impl Conn, name: &str, content: &[u8], now: i64) -> StoreResult<()> {
    const SQL: &str = "INSERT INTO media (name, content, created_at) VALUES ($1, $2, $3)";
    exec!(c, sqlx::query(SQL).bind(name).bind(content).bind(now))?;
    Ok(())
}

pub async fn get(c: &mut impl Conn, name: &str) -> StoreResult<Option<Vec<u8>>> {
    const SQL: &str = "SELECT content FROM media WHERE name = $1";
    let row: Option<(Vec<u8>,)> = run!(c, |db| sqlx::query_as(SQL).bind(name).fetch_optional(db).await)?;
    Ok(row.map(|(b,)| b))
}

pub async fn delete(c: &mut impl Conn, name: &str) -> StoreResult<()> {
    const SQL: &str = "DELETE FROM media WHERE name = $1";
    exec!(c, sqlx::query(SQL).bind(name))?;
    Ok(())
}
