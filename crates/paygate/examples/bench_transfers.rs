//! Driver of `bench/transfers.sh`.
//!
//! `setup`  — registers a sender and a recipient through the HTTP API of a running server
//!            (codes read from its mail directory), funds the sender, prints shell variables.
//! `direct` — books the same transfers without HTTP: the `transfer` service called in a loop
//!            by `--concurrency` tasks for `--seconds`, on the server's database and secrets.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use paygate::{Config, Source};
use paygate_app::TransferInput;
use paygate_core::Amount;
use serde_json::{Value, json};

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned()
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    paygate_testkit::tls();
    match std::env::args().nth(1).as_deref() {
        Some("setup") => setup().await,
        Some("direct") => direct().await,
        _ => anyhow::bail!(
            "usage: bench_transfers setup --base URL --mail-dir DIR | direct --seconds S --concurrency C --token T --from ID --to ID"
        ),
    }
}

/// The newest code mailed to `email` in the mail directory.
async fn code_from_mail(dir: &str, email: &str) -> anyhow::Result<String> {
    for _ in 0..100 {
        let mut newest: Option<(std::time::SystemTime, String)> = None;
        for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let text = std::fs::read_to_string(e.path()).unwrap_or_default();
            if text.contains(&format!("To: {email}")) {
                let m = e.metadata()?.modified()?;
                if newest.as_ref().is_none_or(|(t, _)| m > *t) {
                    newest = Some((m, text));
                }
            }
        }
        if let Some((_, text)) = newest {
            let mail = paygate_testkit::Mail { to: vec![email.into()], data: text };
            if let Some(code) = mail.code() {
                return Ok(code);
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    anyhow::bail!("no code mailed to {email}")
}

async fn merchant(api: &paygate_testkit::Api, mail_dir: &str, email: &str) -> anyhow::Result<(String, i64)> {
    api.post("/auth/sign-up/email/get-code", json!({"email": email})).await.ok(204);
    let code = code_from_mail(mail_dir, email).await?;
    let pair = api.post("/auth/sign-up/email/check-code", json!({"email": email, "code": code})).await;
    let t = api.with_token(pair.ok(200)["token"].as_str().unwrap());
    t.post("/auth/sign-up/pss/set", json!({"password": "benchmark passphrase 1"})).await.ok(204);
    t.put("/auth/sign-up/user/update", json!({"name": "Bench", "surname": "Mark"})).await.ok(204);
    t.put(
        "/auth/sign-up/owner/update",
        json!({"owner_type": 1, "owner_sub_type": 1, "name": email, "country_id": 203}),
    )
    .await
    .ok(204);
    let full = t.post("/auth/sign-up", json!({})).await;
    let token = full.ok(200)["token"].as_str().unwrap().to_owned();
    let info: Value = api.with_token(&token).get("/api/user/info").await.ok(200).clone();
    Ok((token, info["owner_id"].as_i64().unwrap()))
}

async fn setup() -> anyhow::Result<()> {
    let base = arg("--base").expect("--base");
    let mail_dir = arg("--mail-dir").expect("--mail-dir");
    let api = paygate_testkit::Api::new(&base);
    let tag = std::process::id();
    let (token, sender) = merchant(&api, &mail_dir, &format!("sender-{tag}@bench.example")).await?;
    let (_, recipient) = merchant(&api, &mail_dir, &format!("recipient-{tag}@bench.example")).await?;
    // Fund the sender the way an operator adjustment books it.
    let config = Config::load(&Source::from_process()?)?;
    let services = paygate::build(&config).await?;
    let now = paygate_core::time::now();
    let mut tx = services.store.begin().await?;
    use paygate_store::ledger;
    let balance = ledger::ensure_balance(&mut tx, sender, 6, now).await?;
    let house = ledger::house(&mut tx, ledger::HOUSE_ADJUSTMENTS, 6, now).await?;
    let amount = Amount::parse("100000000").expect("amount");
    ledger::post(
        &mut tx,
        ledger::NewTransaction {
            op_key: &format!("bench-fund:{tag}"),
            operation_type: 13,
            product_id: 1,
            owner_id: Some(sender),
            user_id: None,
            order_id: None,
            status: ledger::POSTED,
            memo: None,
            legs: vec![
                ledger::Leg { account_id: balance, coin_id: 6, amount: amount.clone(), operation_type: 13 },
                ledger::Leg { account_id: house, coin_id: 6, amount: -amount, operation_type: 13 },
            ],
            now,
        },
    )
    .await?;
    tx.commit().await?;
    // Business plan: no daily limit, so the benchmark measures booking, not the limit.
    let mut c = services.store.conn().await?;
    paygate_store::testing::execute(&mut c, &format!("UPDATE owners SET plan_id = 2 WHERE id = {sender}")).await?;
    println!("TOKEN={token}");
    println!("FROM={balance}");
    println!("TO={recipient}");
    Ok(())
}

async fn direct() -> anyhow::Result<()> {
    let seconds: u64 = arg("--seconds").unwrap_or("10".into()).parse()?;
    let concurrency: usize = arg("--concurrency").unwrap_or("16".into()).parse()?;
    let token = arg("--token").expect("--token");
    let from: i64 = arg("--from").expect("--from").parse()?;
    let to: i64 = arg("--to").expect("--to").parse()?;
    let mut config = Config::load(&Source::from_process()?)?;
    config.jobs = false;
    let services = paygate::build(&config).await?;
    let actor = services.authenticate(&token).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let done = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let start = Instant::now();
    let mut tasks = vec![];
    for worker in 0..concurrency {
        let (services, actor, done, failed) = (services.clone(), actor.clone(), done.clone(), failed.clone());
        tasks.push(tokio::spawn(async move {
            let mut i = 0u64;
            while Instant::now() < deadline {
                i += 1;
                let input = TransferInput {
                    amount: Amount::parse("0.01").unwrap(),
                    commission: None,
                    from_balance_id: from,
                    order_id: format!("direct-{worker}-{i}"),
                    product_id: 1,
                    to_owner_id: to,
                };
                match services.transfer(&actor, input).await {
                    Ok(()) => done.fetch_add(1, Ordering::Relaxed),
                    Err(_) => failed.fetch_add(1, Ordering::Relaxed),
                };
            }
        }));
    }
    for t in tasks {
        t.await?;
    }
    let elapsed = start.elapsed().as_secs_f64();
    println!("direct_ok={}", done.load(Ordering::Relaxed));
    println!("direct_failed={}", failed.load(Ordering::Relaxed));
    println!("direct_rate={:.1}", done.load(Ordering::Relaxed) as f64 / elapsed);
    Ok(())
}
