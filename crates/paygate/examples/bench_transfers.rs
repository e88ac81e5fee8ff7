//! Driver of `bench/transfers.sh`.
//!
//! `setup`  — registers a sender and a recipient through the HTTP API of a running server
//!            (codes read from its mail directory), funds the sender, prints shell variables.
//! `direct` — books the same transfers without HTTP: the `transfer` service called in a loop
//!            by `--concurrency` tasks for `--seconds`, on the server's database and secrets.

use paygate::{Config, Source};
use paygate_app::TransferInput;
use paygate_core::Amount;

mod common;

use common::{arg, drive, merchant, services};

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
    let token = arg("--token").expect("--token");
    let from: i64 = arg("--from").expect("--from").parse()?;
    let to: i64 = arg("--to").expect("--to").parse()?;
    let services = services().await?;
    let actor = services.authenticate(&token).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    drive(move |worker, i| {
        let (services, actor) = (services.clone(), actor.clone());
        async move {
            let input = TransferInput {
                amount: Amount::parse("0.01").unwrap(),
                commission: None,
                from_balance_id: from,
                order_id: format!("direct-{worker}-{i}"),
                product_id: 1,
                to_owner_id: to,
            };
            services.transfer(&actor, input).await.is_ok()
        }
    })
    .await
}
