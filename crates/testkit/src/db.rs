//! A fresh database per test. SQLite: a file in a temporary folder. PostgreSQL (when
//! `TEST_DATABASE_URL` is set): migrations run once into a template database named after the
//! migrations' hash, and each test gets `CREATE DATABASE … TEMPLATE` of it, dropped afterwards.

use std::path::PathBuf;
use std::time::Duration;

use sha2::{Digest, Sha256};
use sqlx::{Connection, Executor, PgConnection};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// SQLite always; PostgreSQL when `TEST_DATABASE_URL` is set.
    pub fn available() -> Vec<Backend> {
        let mut v = vec![Backend::Sqlite];
        if pg_admin_url().is_some() {
            v.push(Backend::Postgres);
        }
        v
    }
}

pub fn pg_admin_url() -> Option<String> {
    std::env::var("TEST_DATABASE_URL").ok().filter(|s| !s.is_empty())
}

pub struct TestDb {
    pub url: String,
    pub backend: Backend,
    _dir: Option<tempfile::TempDir>,
    pg_name: Option<String>,
}

impl TestDb {
    pub async fn new(backend: Backend) -> TestDb {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = format!("sqlite://{}?mode=rwc", dir.path().join("paygate.db").display());
                TestDb { url, backend, _dir: Some(dir), pg_name: None }
            }
            Backend::Postgres => {
                let admin = pg_admin_url().expect("TEST_DATABASE_URL");
                let template = ensure_template(&admin).await;
                let name = format!("paygate_t_{}", hex::encode(rand_bytes()));
                let mut conn = PgConnection::connect(&admin).await.expect("connect TEST_DATABASE_URL");
                let sql = format!("CREATE DATABASE {name} TEMPLATE {template}");
                let mut tries = 0;
                loop {
                    match conn.execute(sqlx::AssertSqlSafe(sql.clone())).await {
                        Ok(_) => break,
                        Err(e) if tries < 20 => {
                            tries += 1;
                            let _ = e;
                            tokio::time::sleep(Duration::from_millis(100 * tries)).await;
                        }
                        Err(e) => panic!("creating {name}: {e}"),
                    }
                }
                TestDb { url: with_database(&admin, &name), backend, _dir: None, pg_name: Some(name) }
            }
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some(name) = self.pg_name.take() else { return };
        let Some(admin) = pg_admin_url() else { return };
        // Drop runs outside async: use a throwaway runtime on its own thread.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
            rt.block_on(async {
                if let Ok(mut c) = PgConnection::connect(&admin).await {
                    let _ =
                        c.execute(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))).await;
                }
            });
        })
        .join();
    }
}

fn rand_bytes() -> [u8; 8] {
    let mut b = [0u8; 8];
    let seed = format!("{:?}{:?}{}", std::time::SystemTime::now(), std::thread::current().id(), std::process::id());
    b.copy_from_slice(&Sha256::digest(seed.as_bytes())[..8]);
    b
}

/// Replaces the database name of a PostgreSQL URL.
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url.split_once('?').map(|(b, q)| (b, Some(q))).unwrap_or((url, None));
    let prefix = match base.rfind('/') {
        Some(i) if i > "postgres://".len() => &base[..i],
        _ => base,
    };
    match query {
        Some(q) => format!("{prefix}/{name}?{q}"),
        None => format!("{prefix}/{name}"),
    }
}

fn migrations_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../store/migrations/postgres")
}

/// The migrated template for the current migrations, created once across processes.
async fn ensure_template(admin: &str) -> String {
    let mut hasher = Sha256::new();
    let mut files: Vec<_> =
        std::fs::read_dir(migrations_dir()).expect("migrations").flatten().map(|e| e.path()).collect();
    files.sort();
    for f in files {
        hasher.update(std::fs::read(&f).expect("migration file"));
    }
    let name = format!("paygate_tmpl_{}", &hex::encode(hasher.finalize())[..16]);
    let mut conn = PgConnection::connect(admin).await.expect("connect TEST_DATABASE_URL");
    conn.execute("SELECT pg_advisory_lock(7271001)").await.expect("advisory lock");
    let exists: Option<(i32,)> = sqlx::query_as("SELECT 1 FROM pg_database WHERE datname = $1")
        .bind(&name)
        .fetch_optional(&mut conn)
        .await
        .expect("query");
    if exists.is_none() {
        conn.execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).await.expect("create template");
        let store = paygate_store::Store::connect(&with_database(admin, &name)).await.expect("connect template");
        store.migrate().await.expect("migrate template");
        store.close().await;
    }
    conn.execute("SELECT pg_advisory_unlock(7271001)").await.expect("advisory unlock");
    name
}
