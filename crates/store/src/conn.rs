//! Pools, connections and the unit of work, for either backend.

use std::str::FromStr;
use std::time::Duration;

use sqlx::migrate::Migrator;
use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgConnection, PgPool, Postgres, Sqlite, SqliteConnection, SqlitePool, Transaction};

use crate::error::{StoreError, StoreResult};

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("migrations/postgres");

/// Which database a [`Store`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Clone)]
enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// The database of one paygate instance. Cheap to clone.
#[derive(Clone)]
pub struct Store {
    pool: Pool,
}

/// A borrowed connection of either backend; the [`run!`] macro matches on it.
pub enum Raw<'a> {
    Sqlite(&'a mut SqliteConnection),
    Postgres(&'a mut PgConnection),
}

/// Anything a query can run on: a pooled connection or a unit of work.
pub trait Conn: Send {
    fn raw(&mut self) -> Raw<'_>;

    /// Called when a statement failed. PostgreSQL aborts the whole transaction then, SQLite
    /// carries on; a [`Tx`] refuses to commit either way, so both backends behave alike.
    fn statement_failed(&mut self) {}
}

/// A pooled connection without a transaction, for reads.
pub enum PooledConn {
    Sqlite(PoolConnection<Sqlite>),
    Postgres(PoolConnection<Postgres>),
}

impl Conn for PooledConn {
    fn raw(&mut self) -> Raw<'_> {
        match self {
            PooledConn::Sqlite(c) => Raw::Sqlite(c),
            PooledConn::Postgres(c) => Raw::Postgres(c),
        }
    }
}

/// A unit of work: every write through it commits together with [`Tx::commit`]; dropping it
/// rolls everything back. Once a statement in it failed it can only be rolled back.
pub struct Tx {
    inner: TxInner,
    failed: bool,
}

enum TxInner {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

impl Conn for Tx {
    fn raw(&mut self) -> Raw<'_> {
        match &mut self.inner {
            TxInner::Sqlite(t) => Raw::Sqlite(t),
            TxInner::Postgres(t) => Raw::Postgres(t),
        }
    }

    fn statement_failed(&mut self) {
        self.failed = true;
    }
}

impl Tx {
    pub async fn commit(self) -> StoreResult<()> {
        if self.failed {
            return Err(StoreError::Other("a statement of this unit of work failed: it cannot commit".into()));
        }
        match self.inner {
            TxInner::Sqlite(t) => t.commit().await?,
            TxInner::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        match self.inner {
            TxInner::Sqlite(_) => Backend::Sqlite,
            TxInner::Postgres(_) => Backend::Postgres,
        }
    }
}

/// Runs one sqlx call on whichever backend `$conn` holds; `$db` is the executor inside.
#[macro_export]
#[doc(hidden)]
macro_rules! run {
    ($conn:expr, |$db:ident| $body:expr) => {{
        let result = match $crate::Conn::raw($conn) {
            $crate::Raw::Sqlite($db) => $body,
            $crate::Raw::Postgres($db) => $body,
        };
        if result.is_err() {
            $crate::Conn::statement_failed($conn);
        }
        result
    }};
}

/// Executes one statement on whichever backend `$conn` holds; yields the affected row count.
#[macro_export]
#[doc(hidden)]
macro_rules! exec {
    ($conn:expr, $query:expr) => {{
        let result = match $crate::Conn::raw($conn) {
            $crate::Raw::Sqlite(db) => $query.execute(db).await.map(|r| r.rows_affected()),
            $crate::Raw::Postgres(db) => $query.execute(db).await.map(|r| r.rows_affected()),
        };
        if result.is_err() {
            $crate::Conn::statement_failed($conn);
        }
        result
    }};
}

impl Store {
    /// Connects by URL scheme: `sqlite:` or `postgres:`/`postgresql:`. A SQLite file and its
    /// folder are created when missing.
    pub async fn connect(url: &str) -> StoreResult<Store> {
        if url.starts_with("sqlite:") {
            let opts = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true);
            if let Some(dir) = opts.get_filename().parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)
                    .map_err(|e| StoreError::Other(format!("creating {}: {e}", dir.display())))?;
            }
            let pool = pool_options::<sqlx::Sqlite>(SqlitePoolOptions::new(), 8).connect_with(opts).await?;
            Ok(Store { pool: Pool::Sqlite(pool) })
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let opts = PgConnectOptions::from_str(url)?;
            let pool = pool_options::<sqlx::Postgres>(PgPoolOptions::new(), 16).connect_with(opts).await?;
            Ok(Store { pool: Pool::Postgres(pool) })
        } else {
            Err(StoreError::Other(format!(
                "unsupported DATABASE_URL scheme in {:?}: use sqlite: or postgres:",
                url.split(':').next().unwrap_or_default()
            )))
        }
    }

    pub fn backend(&self) -> Backend {
        match self.pool {
            Pool::Sqlite(_) => Backend::Sqlite,
            Pool::Postgres(_) => Backend::Postgres,
        }
    }

    /// Applies pending migrations of this backend.
    pub async fn migrate(&self) -> StoreResult<()> {
        let res = match &self.pool {
            Pool::Sqlite(p) => SQLITE_MIGRATIONS.run(p).await,
            Pool::Postgres(p) => POSTGRES_MIGRATIONS.run(p).await,
        };
        res.map_err(|e| StoreError::Other(format!("migration failed: {e}")))
    }

    /// True when every embedded migration is applied (readiness, §5.4).
    pub async fn migrations_current(&self) -> StoreResult<bool> {
        let (migrator, mut conn) = match &self.pool {
            Pool::Sqlite(p) => (&SQLITE_MIGRATIONS, PooledConn::Sqlite(p.acquire().await?)),
            Pool::Postgres(p) => (&POSTGRES_MIGRATIONS, PooledConn::Postgres(p.acquire().await?)),
        };
        let applied: Vec<(i64,)> = match run!(&mut conn, |db| {
            sqlx::query_as("SELECT version FROM _sqlx_migrations WHERE success").fetch_all(db).await
        }) {
            Ok(rows) => rows,
            Err(_) => return Ok(false),
        };
        Ok(migrator.iter().all(|m| applied.iter().any(|(v,)| *v == m.version)))
    }

    /// A pooled connection for reads.
    pub async fn conn(&self) -> StoreResult<PooledConn> {
        Ok(match &self.pool {
            Pool::Sqlite(p) => PooledConn::Sqlite(p.acquire().await?),
            Pool::Postgres(p) => PooledConn::Postgres(p.acquire().await?),
        })
    }

    /// Starts a unit of work. On SQLite it takes the write lock at once (`BEGIN IMMEDIATE`), so
    /// two writers queue instead of failing when a read lock would be upgraded.
    pub async fn begin(&self) -> StoreResult<Tx> {
        Ok(match &self.pool {
            Pool::Sqlite(p) => Tx { inner: TxInner::Sqlite(p.begin_with("BEGIN IMMEDIATE").await?), failed: false },
            Pool::Postgres(p) => Tx { inner: TxInner::Postgres(p.begin().await?), failed: false },
        })
    }

    /// `SELECT 1`, for readiness.
    pub async fn ping(&self) -> StoreResult<()> {
        let mut c = self.conn().await?;
        exec!(&mut c, sqlx::query("SELECT 1"))?;
        Ok(())
    }

    pub async fn close(&self) {
        match &self.pool {
            Pool::Sqlite(p) => p.close().await,
            Pool::Postgres(p) => p.close().await,
        }
    }
}

/// Connections are pinged only after sitting idle: sqlx's default pings on every acquire, a round
/// trip per unit of work on a busy pool, while a connection the server dropped when nobody used it
/// (a restart, a proxy's idle timeout) is still replaced before a request sees it.
fn pool_options<DB: sqlx::Database>(options: sqlx::pool::PoolOptions<DB>, max: u32) -> sqlx::pool::PoolOptions<DB> {
    const PING_AFTER_IDLE: Duration = Duration::from_secs(5);
    options.max_connections(max).acquire_timeout(Duration::from_secs(15)).test_before_acquire(false).before_acquire(
        |conn, meta| {
            Box::pin(async move {
                if meta.idle_for < PING_AFTER_IDLE {
                    return Ok(true);
                }
                Ok(sqlx::Connection::ping(conn).await.is_ok())
            })
        },
    )
}
