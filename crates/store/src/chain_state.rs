//! Where each chain's watcher is (cursor and remembered block hashes), and the sandbox chain's
//! own blocks and transfers (§5.6).

use crate::amount::DbAmount;
use crate::{Conn, StoreResult, exec, run};

pub async fn cursor(c: &mut impl Conn, chain_id: i64) -> StoreResult<Option<i64>> {
    let row: Option<(i64,)> = run!(c, |db| sqlx::query_as("SELECT height FROM chain_cursors WHERE chain_id = $1")
        .bind(chain_id)
        .fetch_optional(db)
        .await)?;
    Ok(row.map(|(h,)| h))
}

/// The chain's cursor under a row lock: one watcher at a time advances a chain, however many
/// nodes run the job.
pub async fn lock_cursor(c: &mut impl Conn, chain_id: i64) -> StoreResult<i64> {
    exec!(
        c,
        sqlx::query("INSERT INTO chain_cursors (chain_id, height, updated_at) VALUES ($1, 0, 0) ON CONFLICT (chain_id) DO NOTHING")
            .bind(chain_id)
    )?;
    let lock = if matches!(c.raw(), crate::Raw::Postgres(_)) { " FOR UPDATE" } else { "" };
    let sql = sqlx::AssertSqlSafe(format!("SELECT height FROM chain_cursors WHERE chain_id = $1{lock}"));
    let (h,): (i64,) = run!(c, |db| sqlx::query_as(sql).bind(chain_id).fetch_one(db).await)?;
    Ok(h)
}

/// Places a chain's cursor when it has none (a first watch); an existing cursor stays.
pub async fn start_cursor(c: &mut impl Conn, chain_id: i64, height: i64, now: i64) -> StoreResult<()> {
    const SQL: &str = "INSERT INTO chain_cursors (chain_id, height, updated_at) VALUES ($1, $2, $3) ON CONFLICT (chain_id) DO NOTHING";
    exec!(c, sqlx::query(SQL).bind(chain_id).bind(height).bind(now))?;
    Ok(())
}

pub async fn set_cursor(c: &mut impl Conn, chain_id: i64, height: i64, now: i64) -> StoreResult<()> {
    const SQL: &str = "INSERT INTO chain_cursors (chain_id, height, updated_at) VALUES ($1, $2, $3) \
        ON CONFLICT (chain_id) DO UPDATE SET height = EXCLUDED.height, updated_at = EXCLUDED.updated_at";
    exec!(c, sqlx::query(SQL).bind(chain_id).bind(height).bind(now))?;
    Ok(())
}

pub async fn block_hash(c: &mut impl Conn, chain_id: i64, height: i64) -> StoreResult<Option<String>> {
    let row: Option<(String,)> =
        run!(c, |db| sqlx::query_as("SELECT hash FROM chain_blocks WHERE chain_id = $1 AND height = $2")
            .bind(chain_id)
            .bind(height)
            .fetch_optional(db)
            .await)?;
    Ok(row.map(|(h,)| h))
}

pub async fn remember_block(
    c: &mut impl Conn,
    chain_id: i64,
    height: i64,
    hash: &str,
    parent: &str,
    keep: i64,
) -> StoreResult<()> {
    const SQL: &str = "INSERT INTO chain_blocks (chain_id, height, hash, parent_hash) VALUES ($1, $2, $3, $4) \
        ON CONFLICT (chain_id, height) DO UPDATE SET hash = EXCLUDED.hash, parent_hash = EXCLUDED.parent_hash";
    exec!(c, sqlx::query(SQL).bind(chain_id).bind(height).bind(hash).bind(parent))?;
    exec!(
        c,
        sqlx::query("DELETE FROM chain_blocks WHERE chain_id = $1 AND height < $2").bind(chain_id).bind(height - keep)
    )?;
    Ok(())
}

pub async fn forget_blocks_above(c: &mut impl Conn, chain_id: i64, height: i64) -> StoreResult<()> {
    exec!(c, sqlx::query("DELETE FROM chain_blocks WHERE chain_id = $1 AND height > $2").bind(chain_id).bind(height))?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SandboxBlock {
    pub height: i64,
    pub hash: String,
    pub parent_hash: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SandboxTransfer {
    pub id: i64,
    pub tx_hash: String,
    pub to_address: String,
    pub token_id: i64,
    pub amount: DbAmount,
    pub block_height: Option<i64>,
}

pub async fn sandbox_head(c: &mut impl Conn) -> StoreResult<Option<SandboxBlock>> {
    Ok(run!(c, |db| sqlx::query_as::<_, SandboxBlock>(
        "SELECT height, hash, parent_hash, created_at FROM sandbox_blocks ORDER BY height DESC LIMIT 1"
    )
    .fetch_optional(db)
    .await)?)
}

pub async fn sandbox_block(c: &mut impl Conn, height: i64) -> StoreResult<Option<SandboxBlock>> {
    Ok(run!(c, |db| sqlx::query_as::<_, SandboxBlock>(
        "SELECT height, hash, parent_hash, created_at FROM sandbox_blocks WHERE height = $1"
    )
    .bind(height)
    .fetch_optional(db)
    .await)?)
}

pub async fn insert_sandbox_block(c: &mut impl Conn, b: &SandboxBlock) -> StoreResult<()> {
    const SQL: &str = "INSERT INTO sandbox_blocks (height, hash, parent_hash, created_at) VALUES ($1, $2, $3, $4)";
    exec!(c, sqlx::query(SQL).bind(b.height).bind(&b.hash).bind(&b.parent_hash).bind(b.created_at))?;
    Ok(())
}

pub async fn queue_sandbox_transfer(
    c: &mut impl Conn,
    tx_hash: &str,
    to: &str,
    token_id: i64,
    amount: &DbAmount,
    now: i64,
) -> StoreResult<()> {
    const SQL: &str =
        "INSERT INTO sandbox_transfers (tx_hash, to_address, token_id, amount, created_at) VALUES ($1, $2, $3, $4, $5)";
    exec!(c, sqlx::query(SQL).bind(tx_hash).bind(to).bind(token_id).bind(amount).bind(now))?;
    Ok(())
}

/// Puts every queued transfer into block `height`; returns how many.
pub async fn include_queued(c: &mut impl Conn, height: i64) -> StoreResult<u64> {
    Ok(exec!(
        c,
        sqlx::query("UPDATE sandbox_transfers SET block_height = $1 WHERE block_height IS NULL AND NOT dropped")
            .bind(height)
    )?)
}

pub async fn sandbox_transfers_in(c: &mut impl Conn, height: i64) -> StoreResult<Vec<SandboxTransfer>> {
    const SQL: &str = "SELECT id, tx_hash, to_address, token_id, amount, block_height FROM sandbox_transfers WHERE block_height = $1 ORDER BY id";
    Ok(run!(c, |db| sqlx::query_as::<_, SandboxTransfer>(SQL).bind(height).fetch_all(db).await)?)
}

pub async fn sandbox_transfer(c: &mut impl Conn, tx_hash: &str) -> StoreResult<Option<SandboxTransfer>> {
    const SQL: &str =
        "SELECT id, tx_hash, to_address, token_id, amount, block_height FROM sandbox_transfers WHERE tx_hash = $1";
    Ok(run!(c, |db| sqlx::query_as::<_, SandboxTransfer>(SQL).bind(tx_hash).fetch_optional(db).await)?)
}

/// Drops the blocks above `height`; their transfers go back to the queue or are dropped.
pub async fn sandbox_rewind(c: &mut impl Conn, height: i64, drop_transfers: bool) -> StoreResult<u64> {
    exec!(
        c,
        sqlx::query("UPDATE sandbox_transfers SET block_height = NULL, dropped = $2 WHERE block_height > $1")
            .bind(height)
            .bind(drop_transfers)
    )?;
    Ok(exec!(c, sqlx::query("DELETE FROM sandbox_blocks WHERE height > $1").bind(height))?)
}
