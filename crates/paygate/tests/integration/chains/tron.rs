//! Getting paid on Tron (the `tron-shasta` chain, id 7) through the node HTTP API, against the
//! in-process node of `tron_node.rs`: TRX and a TRC-20, exact, partial, over, late, failed
//! transactions, a replaced tip and a restart.

use serde_json::{Value, json};

use crate::harness::*;
use crate::tron_node::{self, TronNode};

const SHASTA: i64 = 7;
const TRX: i64 = 8;

pub struct Shasta {
    pub node: TronNode,
    pub usdt: String,
    pub usdt_id: i64,
    pub op: Api,
}

pub async fn start(backend: Backend) -> (TestApp, Shasta) {
    let node = TronNode::start().await;
    let opts = Options {
        rate_limits: false,
        extra: vec![
            ("PAYGATE_NETWORK_MODE", "test".into()),
            ("PAYGATE_KYC_REQUIRED", "false".into()),
            ("PAYGATE_CHAIN_TRON_SHASTA_RPC_URL", node.url.clone()),
            ("PAYGATE_CHAIN_TRON_SHASTA_API_KEY", tron_node::API_KEY.into()),
            ("PAYGATE_CHAIN_TRON_SHASTA_POLL_SECONDS", "3600".into()),
        ],
        ..Options::default()
    };
    let app = TestApp::start_with(backend, opts).await;
    let (email, secret) = app.operator("shasta-ops@example.com").await;
    let op = app.as_user(&app.operator_token(&email, &secret).await);
    let tpub = paygate_chain::xpub_from_seed_on(&[19u8; 32], true).unwrap();
    let mut c = app.services.store.conn().await.unwrap();
    paygate_store::testing::execute(&mut c, "UPDATE users SET totp_last_step = 0 WHERE is_operator").await.unwrap();
    drop(c);
    op.post("/admin/xpub", json!({"chain_id": SHASTA, "xpub": tpub, "otp": totp_now(&secret, 0)})).await.ok(200);
    let usdt = node.deploy_token(6);
    let token = json!({"coin_id": 6, "chain_id": SHASTA, "name": "USDT TRC-20 (Shasta)", "standard": "trc20", "contract_address": usdt, "decimals": 6, "min_amount": 1, "enabled": true});
    let usdt_id = op.post("/admin/token", token).await.ok(200)["id"].as_i64().unwrap();
    (app, Shasta { node, usdt, usdt_id, op })
}

async fn watch(app: &TestApp) {
    app.services.watch_chain(SHASTA).await.unwrap();
}

async fn invoice(app: &TestApp, m: &Merchant, coin_id: i64, amount: &str, token_id: i64) -> (i64, String, Value) {
    let me = app.as_user(&m.token);
    let id = me.post("/invoice/create", json!({"amount": amount, "coin_id": coin_id, "product_id": 1})).await.ok(200)["invoice_id"]
        .as_i64()
        .unwrap();
    let p = me.post("/invoice/pay", json!({"idInvoice": id, "token_id": token_id})).await.ok(200).clone();
    (id, p["address"].as_str().unwrap().to_owned(), p)
}

async fn state(app: &TestApp, id: i64) -> Value {
    app.client_at("10.82.0.1").post("/invoice/receive", json!({"idInvoice": id})).await.ok(200).clone()
}

fn summary(s: &Value) -> (Value, Value, Value) {
    (s["status"].clone(), s["exception"].clone(), s["amount_paid"].clone())
}

chain_tests! {
    start = start;

    async fn trx_and_trc20_exact_partial_over_late_and_failed(app, net: Shasta) {
        let m = app.merchant("tron@example.com").await;
        // TRX, exactly; a failed transfer to the same address counts for nothing
        let (id, address, answer) = invoice(&app, &m, 5, "25", TRX).await;
        assert!(address.starts_with('T') && address.len() == 34, "base58check: {address}");
        assert_eq!((answer["code"].clone(), answer["name"].clone()), (json!("TRX"), json!("Tron Shasta Testnet")));
        assert_eq!(answer["transferCommissionWeis"], 270_000, "270 bytes at 1000 sun");
        net.node.pay_trx(&address, 25_000_000, "REVERT");
        let paid = net.node.pay_trx(&address, 25_000_000, "SUCCESS");
        net.node.mine(1);
        watch(&app).await;
        let s = state(&app, id).await;
        assert_eq!(summary(&s), (json!(4), json!("none"), json!("25")));
        assert_eq!((s["payments"].as_array().unwrap().len(), s["payments"][0]["tx_hash"].clone()), (1, json!(paid)));
        // TRC-20: partial, then the rest; a reverted call is no payment
        let (id, address, answer) = invoice(&app, &m, 6, "10", net.usdt_id).await;
        assert_eq!(answer["transferCommissionWeis"], 65_000 * 420 + 345 * 1000);
        net.node.pay_token(&net.usdt, &address, 4_000_000, "SUCCESS");
        net.node.pay_token(&net.usdt, &address, 6_000_000, "REVERT");
        net.node.mine(1);
        watch(&app).await;
        let s = state(&app, id).await;
        assert_eq!((s["status"].clone(), s["exception"].clone(), s["amount_remaining"].clone()), (json!(2), json!("paid_partial"), json!("6")));
        net.node.pay_token(&net.usdt, &address, 6_000_000, "SUCCESS");
        net.node.mine(1);
        watch(&app).await;
        assert_eq!(summary(&state(&app, id).await), (json!(4), json!("none"), json!("10")));
        // over
        let (over, address, _) = invoice(&app, &m, 6, "10", net.usdt_id).await;
        net.node.pay_token(&net.usdt, &address, 11_000_000, "SUCCESS");
        net.node.mine(1);
        watch(&app).await;
        assert_eq!(summary(&state(&app, over).await), (json!(4), json!("paid_over"), json!("11")));
        // late
        let (late, address, _) = invoice(&app, &m, 6, "10", net.usdt_id).await;
        let mut c = app.services.store.conn().await.unwrap();
        paygate_store::testing::execute(&mut c, &format!("UPDATE invoices SET expires_at = expires_at - 3600 WHERE id = {late}")).await.unwrap();
        drop(c);
        app.services.advance_due_invoices().await.unwrap();
        net.node.pay_token(&net.usdt, &address, 10_000_000, "SUCCESS");
        net.node.mine(1);
        watch(&app).await;
        assert_eq!(summary(&state(&app, late).await), (json!(5), json!("paid_late"), json!("10")));
        // a token of a contract nobody registered is ignored
        let foreign = net.node.deploy_token(6);
        let (stray, address, _) = invoice(&app, &m, 6, "10", net.usdt_id).await;
        net.node.pay_token(&foreign, &address, 10_000_000, "SUCCESS");
        net.node.mine(1);
        watch(&app).await;
        assert_eq!(state(&app, stray).await["payments"], json!([]));
        // 25 TRX and 10 + 11 + 10 USDT, less 1 %
        assert_eq!(balance_of(&app.as_user(&m.token), 5).await["amount"].to_string(), "24.75");
        assert_eq!(balance_of(&app.as_user(&m.token), 6).await["amount"].to_string(), "30.69");
        assert_ledger_ok(&app).await;
    }

    async fn a_replaced_tip_sends_the_invoice_back_and_a_restart_credits_once(app, net: Shasta) {
        net.op.put("/admin/chain", json!({"id": SHASTA, "confirmations_required": 3})).await.ok(204);
        let m = app.merchant("tron-reorg@example.com").await;
        let (id, address, _) = invoice(&app, &m, 6, "10", net.usdt_id).await;
        net.node.pay_token(&net.usdt, &address, 10_000_000, "SUCCESS");
        net.node.mine(1);
        watch(&app).await;
        assert_eq!(state(&app, id).await["status"], 3);
        net.node.replace_tip(1, true);
        net.node.mine(2);
        watch(&app).await;
        let s = state(&app, id).await;
        assert_eq!((s["status"].clone(), s["payments"][0]["status"].clone(), s["amount_paid"].clone()), (json!(2), json!("replaced"), json!("0")));
        let b = balance_of(&app.as_user(&m.token), 6).await;
        assert_eq!((b["amount"].clone(), b["incoming"].clone()), (json!(0), json!(0)));
        // the transaction is mined again on the new branch; the server restarts meanwhile
        net.node.pay_token(&net.usdt, &address, 10_000_000, "SUCCESS");
        net.node.mine(1);
        watch(&app).await;
        app.restart().await;
        net.node.mine(2);
        watch(&app).await;
        watch(&app).await;
        assert_eq!(summary(&state(&app, id).await), (json!(4), json!("none"), json!("10")));
        assert_eq!(balance_of(&app.as_user(&m.token), 6).await["amount"].to_string(), "9.9");
        assert_ledger_ok(&app).await;
    }

    async fn contract_decimals_are_checked_with_the_node(app, net: Shasta) {
        let eighteen = net.node.deploy_token(18);
        let token = json!({"coin_id": 6, "chain_id": SHASTA, "name": "Wrong", "standard": "trc20", "contract_address": eighteen, "decimals": 6, "min_amount": 1});
        net.op.post("/admin/token", token).await.err(422, 4225);
        assert_eq!(app.api().get("/health/ready").await.ok(200)["checks"]["chains"], json!({"tron-shasta": "ok"}));
        assert_ledger_ok(&app).await;
    }
}
