//! The watcher in a real `paygate serve` process, killed with SIGKILL between a payment and its
//! confirmation and started again: the payment is credited exactly once. The HTTP API runs in
//! the test process on the same database, as the API nodes of a deployment whose jobs run on a
//! worker node would.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::evm::{Devnet, start};
use crate::anvil::wei;
use crate::harness::*;

/// `paygate serve` as the worker: the jobs, the devnet watched every 100 ms.
fn worker(app: &TestApp, net: &Devnet) -> Child {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut c = Command::new(env!("CARGO_BIN_EXE_paygate"));
    for (k, _) in std::env::vars() {
        if k.starts_with("PAYGATE_") || k == "DATABASE_URL" {
            c.env_remove(k);
        }
    }
    c.arg("serve")
        .env("DATABASE_URL", &app.config.database_url)
        .env("PAYGATE_DATA_DIR", app.data_dir.path())
        .env("PAYGATE_LISTEN", format!("127.0.0.1:{port}"))
        .env("PAYGATE_NETWORK_MODE", "test")
        .env("PAYGATE_KYC_REQUIRED", "false")
        .env("PAYGATE_CHAIN_DEVNET_RPC_URL", &net.anvil.url)
        .env("PAYGATE_CHAIN_DEVNET_POLL_SECONDS", "0.1")
        .env("PAYGATE_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("paygate serve starts")
}

async fn wait_for_status(app: &TestApp, id: i64, status: i64) -> Value {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let s = app.client_at("10.84.0.1").post("/invoice/receive", json!({"idInvoice": id})).await.ok(200).clone();
        if s["status"] == status {
            return s;
        }
        assert!(Instant::now() < deadline, "invoice never reached status {status}: {s}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn run(backend: Backend) {
    // The test's own instance watches the devnet only once an hour: the worker does the work.
    let (app, net) = start(backend).await;
    net.op.put("/admin/chain", json!({"id": 8, "confirmations_required": 3})).await.ok(204);
    let m = app.merchant("killed@example.com").await;
    let me = app.as_user(&m.token);
    let id =
        me.post("/invoice/create", json!({"amount": 1, "coin_id": 4, "product_id": 1})).await.ok(200)["invoice_id"]
            .as_i64()
            .unwrap();
    let address = me.post("/invoice/pay", json!({"idInvoice": id, "token_id": 10})).await.ok(200)["address"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut child = worker(&app, &net);
    net.anvil.send_eth(&address, wei("1")).await;
    let s = wait_for_status(&app, id, 3).await;
    assert_eq!(s["confirmations"], 1);
    // SIGKILL: no shutdown, whatever the worker was doing is cut off
    child.kill().unwrap();
    child.wait().unwrap();
    net.anvil.mine(2).await;
    assert_eq!(balance_of(&me, 4).await["amount"], json!(0), "nobody credits while the worker is down");
    let mut child = worker(&app, &net);
    wait_for_status(&app, id, 4).await;
    // and again, after the credit: nothing more happens
    child.kill().unwrap();
    child.wait().unwrap();
    net.anvil.mine(3).await;
    let mut child = worker(&app, &net);
    tokio::time::sleep(Duration::from_millis(800)).await;
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(balance_of(&me, 4).await["amount"].to_string(), "0.99", "credited exactly once, less 1 %");
    assert_ledger_ok(&app).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_worker_restarted_mid_confirmation_credits_once_sqlite() {
    run(Backend::Sqlite).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_worker_restarted_mid_confirmation_credits_once_postgres() {
    if Backend::available().contains(&Backend::Postgres) {
        run(Backend::Postgres).await
    }
}
