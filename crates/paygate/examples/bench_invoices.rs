//! Driver of `bench/invoices.sh`.
//!
//! `setup`  — registers a merchant through the HTTP API of a running server and creates an
//!            integration key with the `invoice` scope; prints shell variables.
//! `direct` — creates and pays the same invoices without HTTP: `create_invoice` then
//!            `pay_invoice` (address derivation included) called in a loop by `--concurrency`
//!            tasks for `--seconds`, on the server's database and secrets.
//! `inserts` — only the rows those calls write, in the same two transactions, straight through
//!            the store (the address still derived): the database's own ceiling.

use paygate_app::{InvoiceCaller, InvoiceCreate};
use paygate_core::Amount;
use serde_json::json;

mod common;

use common::{arg, drive, merchant, services};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    paygate_testkit::tls();
    match std::env::args().nth(1).as_deref() {
        Some("setup") => setup().await,
        Some("direct") => direct().await,
        Some("inserts") => inserts().await,
        _ => anyhow::bail!(
            "usage: bench_invoices setup --base URL --mail-dir DIR | direct|inserts --seconds S --concurrency C --key K"
        ),
    }
}

async fn setup() -> anyhow::Result<()> {
    let base = arg("--base").expect("--base");
    let mail_dir = arg("--mail-dir").expect("--mail-dir");
    let api = paygate_testkit::Api::new(&base);
    let (token, _) = merchant(&api, &mail_dir, &format!("shop-{}@bench.example", std::process::id())).await?;
    let key =
        api.with_token(&token).post("/api/integration-key", json!({"name": "bench", "scopes": ["invoice"]})).await;
    println!("KEY={}", key.ok(200)["key"].as_str().unwrap());
    Ok(())
}

async fn direct() -> anyhow::Result<()> {
    let key = arg("--key").expect("--key");
    let services = services().await?;
    let caller = InvoiceCaller::Key(services.authenticate_key(&key).await.map_err(|e| anyhow::anyhow!("{e}"))?);
    drive(move |_, _| {
        let (services, caller) = (services.clone(), caller.clone());
        async move {
            let input = InvoiceCreate {
                product_id: 1,
                coin_id: 1,
                amount: Amount::parse("10").unwrap(),
                object_id: None,
                order_id: None,
                description: None,
                metadata: None,
                token_ids: vec![],
                success_url: None,
                fail_url: None,
                expiry_minutes: None,
                receive_request: false,
            };
            match services.create_invoice(&caller, input).await {
                Ok(id) => services.pay_invoice(&caller, id, None, Some(6)).await.is_ok(),
                Err(_) => false,
            }
        }
    })
    .await
}

async fn inserts() -> anyhow::Result<()> {
    use paygate_store::invoices;
    let key = arg("--key").expect("--key");
    let services = services().await?;
    let owner_id = services.authenticate_key(&key).await.map_err(|e| anyhow::anyhow!("{e}"))?.owner_id;
    drive(move |worker, i| {
        let services = services.clone();
        async move {
            let write = async {
                let now = paygate_core::time::now();
                let id =
                    (1i64 << 40) + ((worker as i64) << 24) + i as i64 + (std::process::id() as i64 % 1000) * (1 << 32);
                let mut tx = services.store.begin().await?;
                invoices::insert(&mut tx, &common::invoice_row(id, owner_id, now)).await?;
                tx.commit().await?;
                let mut tx = services.store.begin().await?;
                let token = common::Paying {
                    chain_id: 9,
                    token_id: 14,
                    family: paygate_chain::Family::Sandbox,
                    is_test: false,
                };
                common::choose_token(&mut tx, id, owner_id, &token, now).await?;
                tx.commit().await?;
                anyhow::Ok(())
            };
            write.await.is_ok()
        }
    })
    .await
}
