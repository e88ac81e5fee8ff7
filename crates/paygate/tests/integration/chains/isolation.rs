//! One instance watching two chains with its own background jobs: a hung node degrades its own
//! chain and leaves the other one taking payments.

use std::time::Duration;

use serde_json::json;

use crate::bitcoind::{self, Bitcoind};
use crate::harness::*;
use crate::tron_node::{self, TronNode};

async fn run(backend: Backend) {
    let (btc, tron) = (Bitcoind::start().await, TronNode::start().await);
    let opts = Options {
        rate_limits: false,
        extra: vec![
            ("PAYGATE_NETWORK_MODE", "test".into()),
            ("PAYGATE_KYC_REQUIRED", "false".into()),
            ("PAYGATE_CHAIN_BITCOIN_REGTEST_RPC_URL", btc.url.clone()),
            ("PAYGATE_CHAIN_BITCOIN_REGTEST_RPC_USER", bitcoind::USER.into()),
            ("PAYGATE_CHAIN_BITCOIN_REGTEST_RPC_PASSWORD", bitcoind::PASSWORD.into()),
            ("PAYGATE_CHAIN_BITCOIN_REGTEST_POLL_SECONDS", "0.1".into()),
            ("PAYGATE_CHAIN_BITCOIN_REGTEST_TIMEOUT_SECONDS", "0.3".into()),
            ("PAYGATE_CHAIN_TRON_SHASTA_RPC_URL", tron.url.clone()),
            ("PAYGATE_CHAIN_TRON_SHASTA_API_KEY", tron_node::API_KEY.into()),
            ("PAYGATE_CHAIN_TRON_SHASTA_POLL_SECONDS", "0.1".into()),
        ],
        ..Options::default()
    };
    let app = TestApp::start_with(backend, opts).await;
    let (email, secret) = app.operator("two-chains-ops@example.com").await;
    let op = app.as_user(&app.operator_token(&email, &secret).await);
    for (chain, seed) in [(3, 31u8), (7, 37u8)] {
        let mut c = app.services.store.conn().await.unwrap();
        paygate_store::testing::execute(&mut c, "UPDATE users SET totp_last_step = 0 WHERE is_operator").await.unwrap();
        drop(c);
        let tpub = paygate_chain::xpub_from_seed_on(&[seed; 32], true).unwrap();
        op.post("/admin/xpub", json!({"chain_id": chain, "xpub": tpub, "otp": totp_now(&secret, 0)})).await.ok(200);
    }
    // the Bitcoin node hangs: every call outlasts the chain's timeout
    btc.stall(Duration::from_secs(2));
    let m = app.merchant("two-chains@example.com").await;
    let me = app.as_user(&m.token);
    let id =
        me.post("/invoice/create", json!({"amount": 5, "coin_id": 5, "product_id": 1})).await.ok(200)["invoice_id"]
            .as_i64()
            .unwrap();
    let address = me.post("/invoice/pay", json!({"idInvoice": id, "token_id": 8})).await.ok(200)["address"]
        .as_str()
        .unwrap()
        .to_owned();
    tron.pay_trx(&address, 5_000_000, "SUCCESS");
    tron.mine(1);
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let s = app.client_at("10.83.0.1").post("/invoice/receive", json!({"idInvoice": id})).await.ok(200).clone();
        let health = app.api().get("/health/ready").await.ok(200)["checks"]["chains"].clone();
        if s["status"] == 4 && health == json!({"bitcoin-regtest": "degraded", "tron-shasta": "ok"}) {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "Tron kept taking payments while Bitcoin hung: {s} {health}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // the node answers again: the chain recovers on its own
    btc.stall(Duration::ZERO);
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while app.api().get("/health/ready").await.ok(200)["checks"]["chains"]["bitcoin-regtest"] != "ok" {
        assert!(std::time::Instant::now() < deadline, "Bitcoin recovered");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_ledger_ok(&app).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hung_node_degrades_its_chain_and_not_the_others_sqlite() {
    run(Backend::Sqlite).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hung_node_degrades_its_chain_and_not_the_others_postgres() {
    if Backend::available().contains(&Backend::Postgres) {
        run(Backend::Postgres).await
    }
}
