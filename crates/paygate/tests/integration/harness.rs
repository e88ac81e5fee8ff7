//! `TestApp`: the real server on a loopback port over a fresh database, with mail going to an
//! SMTP sink, and helpers that walk the public API the way a client does.

use std::collections::HashMap;
use std::sync::Arc;

use paygate::{Config, Source};
use paygate_app::Services;
pub use paygate_testkit::{Api, Backend, Received, Resp, SmtpSink, TestDb, WebhookSink};
use serde_json::{Value, json};
use tokio::task::JoinHandle;

pub struct Options {
    pub rate_limits: bool,
    /// Mail through SMTP (default) or into the data directory.
    pub smtp: bool,
    pub extra: Vec<(&'static str, String)>,
}

impl Default for Options {
    fn default() -> Self {
        Options { rate_limits: true, smtp: true, extra: vec![] }
    }
}

pub struct TestApp {
    pub base: String,
    pub mail: SmtpSink,
    pub services: Arc<Services>,
    pub config: Config,
    pub data_dir: tempfile::TempDir,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    server: Option<JoinHandle<()>>,
    _db: TestDb,
}

/// A merchant user created through the real sign-up flow.
#[derive(Debug, Clone)]
pub struct Merchant {
    pub email: String,
    pub token: String,
    pub refresh: String,
    pub user_id: i64,
    pub owner_id: i64,
}

pub const PASSWORD: &str = "correct horse battery staple";

impl TestApp {
    pub async fn start_with(backend: Backend, opts: Options) -> TestApp {
        let db = TestDb::new(backend).await;
        let mail = SmtpSink::start().await;
        let data_dir = tempfile::tempdir().expect("data dir");
        let mut env = HashMap::from([
            ("DATABASE_URL".to_owned(), db.url.clone()),
            ("PAYGATE_DATA_DIR".to_owned(), data_dir.path().display().to_string()),
            ("PAYGATE_LISTEN".to_owned(), "127.0.0.1:0".to_owned()),
            ("PAYGATE_RATE_LIMITS".to_owned(), if opts.rate_limits { "on" } else { "off" }.to_owned()),
            ("PAYGATE_TRUSTED_PROXIES".to_owned(), "127.0.0.1".to_owned()),
            // Tests mine sandbox blocks themselves, so every step is deterministic.
            ("PAYGATE_SANDBOX_BLOCK_SECONDS".to_owned(), "3600".to_owned()),
        ]);
        if opts.smtp {
            env.insert("PAYGATE_SMTP_URL".to_owned(), mail.url.clone());
        }
        for (k, v) in opts.extra {
            env.insert(k.to_owned(), v);
        }
        let config = Config::load(&Source::from_maps(env, HashMap::new())).expect("config");
        let mut app = TestApp {
            base: String::new(),
            mail,
            services: paygate::build(&config).await.expect("build"),
            config,
            data_dir,
            stop: None,
            server: None,
            _db: db,
        };
        app.spawn().await;
        app
    }

    async fn spawn(&mut self) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        self.base = format!("http://{addr}");
        let (tx, rx) = tokio::sync::oneshot::channel();
        let (config, services) = (self.config.clone(), self.services.clone());
        self.server = Some(tokio::spawn(async move {
            paygate::serve(&config, services, listener, async {
                let _ = rx.await;
            })
            .await
            .expect("serve");
        }));
        self.stop = Some(tx);
    }

    /// Stops the server and starts a new process-equivalent on the same database and data dir.
    pub async fn restart(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(h) = self.server.take() {
            let _ = h.await;
        }
        self.services = paygate::build(&self.config).await.expect("rebuild");
        self.spawn().await;
    }

    /// `sqlite` or `postgres`, for artefact names.
    pub fn backend_name(&self) -> &'static str {
        match self._db.backend {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }

    pub fn api(&self) -> Api {
        Api::new(&self.base)
    }

    pub fn as_user(&self, token: &str) -> Api {
        self.api().with_token(token)
    }

    /// Requests come "from" this client address (through the trusted loopback proxy).
    pub fn client_at(&self, ip: &str) -> Api {
        self.api().with_header("X-Forwarded-For", ip)
    }

    /// Registers a merchant through every sign-up step, reading the code from the SMTP sink.
    pub async fn merchant(&self, email: &str) -> Merchant {
        let api = self.client_at(&format!(
            "10.9.{}.{}",
            email.len() % 200,
            email.bytes().map(|b| b as usize).sum::<usize>() % 250
        ));
        let before = self.mail.code_count(email);
        api.post("/auth/sign-up/email/get-code", json!({ "email": email })).await.ok(204);
        let code = self.mail.next_code(email, before).await;
        let pair = api.post("/auth/sign-up/email/check-code", json!({ "email": email, "code": code })).await;
        let signup = api.with_token(pair.ok(200)["token"].as_str().expect("token"));
        signup.post("/auth/sign-up/pss/set", json!({ "password": PASSWORD })).await.ok(204);
        signup.put("/auth/sign-up/user/update", json!({ "name": "Jan", "surname": "Novák" })).await.ok(204);
        signup
            .put(
                "/auth/sign-up/owner/update",
                json!({ "owner_type": 1, "owner_sub_type": 1, "name": format!("Shop of {email}"), "country_id": 203 }),
            )
            .await
            .ok(204);
        let full = signup.post("/auth/sign-up", json!({})).await;
        let body = full.ok(200).clone();
        let token = body["token"].as_str().expect("token").to_owned();
        let info = self.as_user(&token).get("/api/user/info").await.ok(200).clone();
        Merchant {
            email: email.to_owned(),
            refresh: body["refreshToken"].as_str().expect("refresh").to_owned(),
            token,
            user_id: info["user_id"].as_i64().expect("user id"),
            owner_id: info["owner_id"].as_i64().expect("owner id"),
        }
    }

    /// A member of `owner_id` with `role`, signed in with that owner active.
    pub async fn member(&self, email: &str, owner_id: i64, role: i64) -> Merchant {
        let m = self.merchant(email).await;
        let mut tx = self.services.store.begin().await.expect("tx");
        paygate_store::memberships::insert(&mut tx, m.user_id, owner_id, role, 2, paygate_core::time::now())
            .await
            .expect("membership");
        tx.commit().await.expect("commit");
        let r = self
            .api()
            .post("/auth/sign-in", json!({ "email": email, "password": PASSWORD, "owner_id": owner_id }))
            .await;
        Merchant { token: r.ok(200)["token"].as_str().expect("token").to_owned(), owner_id, ..m }
    }

    /// An operator with its authenticator seed (base32).
    pub async fn operator(&self, email: &str) -> (String, String) {
        let e = self.services.create_operator(email, PASSWORD).await.expect("operator");
        (email.to_owned(), e.secret)
    }

    /// Signs an operator in with a fresh TOTP code.
    pub async fn operator_token(&self, email: &str, secret: &str) -> String {
        let code = totp_now(secret, 0);
        let r = self.api().post("/auth/sign-in", json!({ "email": email, "password": PASSWORD, "otp": code })).await;
        r.ok(200)["token"].as_str().expect("token").to_owned()
    }
}

/// Money on an owner's balance for test setup, booked like an adjustment straight through the
/// store (the adjustment route itself wants a fresh operator TOTP step per call).
pub async fn fund(app: &TestApp, owner_id: i64, coin_id: i64, amount: &str) -> i64 {
    use paygate_store::ledger;
    let amount = paygate_core::Amount::parse(amount).unwrap();
    let now = paygate_core::time::now();
    let mut tx = app.services.store.begin().await.unwrap();
    let balance = ledger::ensure_balance(&mut tx, owner_id, coin_id, now).await.unwrap();
    let house = ledger::house(&mut tx, ledger::HOUSE_ADJUSTMENTS, coin_id, now).await.unwrap();
    let key = format!("test-fund:{}", hex_id());
    ledger::post(
        &mut tx,
        ledger::NewTransaction {
            op_key: &key,
            operation_type: 13,
            product_id: 1,
            owner_id: Some(owner_id),
            user_id: None,
            order_id: None,
            status: ledger::POSTED,
            memo: None,
            legs: vec![
                ledger::Leg { account_id: balance, coin_id, amount: amount.clone(), operation_type: 13 },
                ledger::Leg { account_id: house, coin_id, amount: -amount, operation_type: 13 },
            ],
            now,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    balance
}

fn hex_id() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    format!("{}-{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed))
}

/// The ledger check of the running instance; asserts it is ok.
pub async fn assert_ledger_ok(app: &TestApp) {
    let r = app.services.ledger_check().await.unwrap();
    assert!(r.ok, "ledger check failed: {r:?}");
}

/// A balance of the caller by coin, from `GET /api/balance`.
pub async fn balance_of(api: &Api, coin_id: i64) -> Value {
    let list = api.get("/api/balance").await;
    list.ok(200).as_array().unwrap().iter().find(|b| b["coin_id"] == coin_id).cloned().unwrap_or(Value::Null)
}

/// Mines one sandbox block and lets the watcher read the chain.
pub async fn mine(app: &TestApp) {
    app.services.sandbox_mine().await.unwrap();
    app.services.watch_once(&paygate_app::payments::sandbox::SandboxChain).await.unwrap();
}

/// The TOTP code of `secret` (base32) for the step `offset` steps from now, computed by an
/// independent implementation (totp-rs).
pub fn totp_now(secret: &str, offset: i64) -> String {
    let secret = totp_rs::Secret::try_from_base32(secret).expect("base32 secret");
    let totp = totp_rs::Builder::new()
        .with_algorithm(totp_rs::Algorithm::SHA1)
        .with_digits(6)
        .with_step_duration(30)
        .with_secret(secret)
        .build_noncompliant();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("time").as_secs() as i64;
    totp.generate((now + offset * 30) as u64).to_string()
}

pub fn s(v: &Value) -> &str {
    v.as_str().unwrap_or_else(|| panic!("not a string: {v}"))
}

/// Runs a test body against every backend: `<name>::sqlite` always, `<name>::postgres` when
/// `TEST_DATABASE_URL` is set (it returns early otherwise). `options = expr;` first sets the
/// server options of every test in the block.
#[macro_export]
macro_rules! backend_tests {
    (options = $opts:expr; $(async fn $name:ident($app:ident) $body:block)+) => {$(
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            #[allow(unused_mut)]
            async fn run(mut $app: $crate::harness::TestApp) $body
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                run($crate::harness::TestApp::start_with($crate::harness::Backend::Sqlite, $opts).await).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if $crate::harness::Backend::available().contains(&$crate::harness::Backend::Postgres) {
                    run($crate::harness::TestApp::start_with($crate::harness::Backend::Postgres, $opts).await).await
                }
            }
        }
    )+};
    ($(async fn $name:ident($app:ident) $body:block)+) => {
        $crate::backend_tests!(options = $crate::harness::Options::default(); $(async fn $name($app) $body)+);
    };
}

/// Options with the request-rate limits off, for tests of logic that call a route more often
/// than §1.9 allows.
pub fn unlimited() -> Options {
    Options { rate_limits: false, ..Options::default() }
}
