//! What the benchmark drivers share: arguments, merchants registered through the HTTP API of a
//! running server (codes read from its mail directory), services on its database, rows.
// Each driver uses a part of this module.
#![allow(dead_code)]

use std::time::Duration;

use serde_json::{Value, json};

pub fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned()
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

pub async fn merchant(api: &paygate_testkit::Api, mail_dir: &str, email: &str) -> anyhow::Result<(String, i64)> {
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

/// Runs `op(worker, i)` from `--concurrency` tasks for `--seconds` and prints how many
/// succeeded, failed, and the rate of successes per second.
pub async fn drive<F, Fut>(op: F) -> anyhow::Result<()>
where
    F: Fn(usize, u64) -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = bool> + Send,
{
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::time::Instant;
    let seconds: u64 = arg("--seconds").unwrap_or("10".into()).parse()?;
    let concurrency: usize = arg("--concurrency").unwrap_or("16".into()).parse()?;
    let done = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let start = Instant::now();
    let mut tasks = vec![];
    for worker in 0..concurrency {
        let (op, done, failed) = (op.clone(), done.clone(), failed.clone());
        tasks.push(tokio::spawn(async move {
            let mut i = 0u64;
            while Instant::now() < deadline {
                i += 1;
                let counter = if op(worker, i).await { &done } else { &failed };
                counter.fetch_add(1, Ordering::Relaxed);
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

/// Services on the server's database and secrets, without the background jobs.
pub async fn services() -> anyhow::Result<std::sync::Arc<paygate_app::Services>> {
    let mut config = paygate::Config::load(&paygate::Source::from_process()?)?;
    config.jobs = false;
    paygate::build(&config).await
}

/// A new invoice of 10 USD in status 1, as `/invoice/create` would write it.
pub fn invoice_row(id: i64, owner_id: i64, now: i64) -> paygate_store::invoices::Invoice {
    paygate_store::invoices::Invoice {
        id,
        owner_id,
        product_id: 1,
        object_id: None,
        order_id: None,
        description: None,
        amount: paygate_store::DbAmount(paygate_core::Amount::from_int(10)),
        coin_id: 1,
        token_id: None,
        address_id: None,
        rate: None,
        amount_due: None,
        status: 1,
        exception: "none".into(),
        token_ids: "[]".into(),
        metadata: None,
        success_url: None,
        fail_url: None,
        expiry_minutes: 15,
        expires_at: now + 900,
        processing_since: None,
        paid_at: None,
        created_by_user_id: None,
        api_key_id: None,
        receive_request: false,
        created_at: now,
        updated_at: now,
    }
}

/// The token an invoice is paid in.
pub struct Paying {
    pub chain_id: i64,
    pub token_id: i64,
    pub family: paygate_chain::Family,
    pub is_test: bool,
}

/// What `/invoice/pay` writes for invoice `id`: the key's next index claimed, the address derived
/// and recorded, the payment method (10 at rate 1). Returns the address.
pub async fn choose_token(
    tx: &mut paygate_store::Tx,
    id: i64,
    owner_id: i64,
    paying: &Paying,
    now: i64,
) -> anyhow::Result<String> {
    use paygate_store::{DbAmount, invoices, xpubs};
    let (key, index) =
        xpubs::claim_index(tx, paying.chain_id).await?.ok_or_else(|| anyhow::anyhow!("no key for the chain"))?;
    let parsed =
        paygate_chain::Xpub::parse(&key.xpub, paying.is_test && paying.family != paygate_chain::Family::Sandbox)?;
    let net = if paying.is_test { paygate_chain::Net::Test } else { paygate_chain::Net::Main };
    let address = paygate_chain::derive_address(&parsed, paying.family, net, &key.derivation_path, index as u32)?;
    let new = xpubs::NewAddress {
        chain_id: paying.chain_id,
        address: &address,
        xpub_id: key.id,
        index,
        owner_id,
        purpose: "invoice",
        invoice_id: Some(id),
        label: None,
        now,
    };
    let address_id = xpubs::insert_address(tx, new).await?;
    let (rate, due) = (DbAmount(paygate_core::Amount::from_int(1)), DbAmount(paygate_core::Amount::from_int(10)));
    let method = invoices::PaymentMethod {
        token_id: paying.token_id,
        address_id,
        rate: &rate,
        amount_due: &due,
        expires_at: now + 900,
    };
    invoices::set_payment_method(tx, id, method, now).await?;
    Ok(address)
}
