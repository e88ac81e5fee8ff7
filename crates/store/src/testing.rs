//! Helpers for test harnesses (not part of the stable API).

use crate::{Conn, StoreResult, exec};

/// Runs one statement of raw SQL, for tests that put the database into a state no route can.
pub async fn execute(c: &mut impl Conn, sql: &str) -> StoreResult<u64> {
    let sql = sqlx::AssertSqlSafe(sql.to_owned());
    Ok(exec!(c, sqlx::query(sql))?)
}
