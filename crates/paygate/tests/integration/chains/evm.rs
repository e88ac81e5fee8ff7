//! Getting paid on a real EVM node (anvil as the `devnet` chain, id 8): ether and a 6-decimal
//! ERC-20, exact, partial, over and late payments, reorganisations, restarts, foreign contracts.
//! Each test has its own anvil and its own database; the watcher is stepped by the test.

use serde_json::{Value, json};

use crate::anvil::{Anvil, wei};
use crate::harness::*;

const DEVNET: i64 = 8;
const ETHER: i64 = 10;
const USDT: i64 = 11;

/// A test-network instance watching `anvil`, with an operator's key on the devnet and the
/// devnet USDT pointed at a freshly deployed token.
pub struct Devnet {
    pub anvil: Anvil,
    pub usdt: String,
    pub op: Api,
}

pub async fn start(backend: Backend) -> (TestApp, Devnet) {
    let anvil = Anvil::start().await;
    let opts = Options {
        rate_limits: false,
        extra: vec![
            ("PAYGATE_NETWORK_MODE", "test".into()),
            ("PAYGATE_KYC_REQUIRED", "false".into()),
            ("PAYGATE_CHAIN_DEVNET_RPC_URL", anvil.url.clone()),
            // The test steps the watcher itself; the job would only race it to the same result.
            ("PAYGATE_CHAIN_DEVNET_POLL_SECONDS", "3600".into()),
        ],
        ..Options::default()
    };
    let app = TestApp::start_with(backend, opts).await;
    let (email, secret) = app.operator("devnet-ops@example.com").await;
    let op = app.as_user(&app.operator_token(&email, &secret).await);
    let tpub = paygate_chain::xpub_from_seed_on(&[42u8; 32], true).unwrap();
    let mut c = app.services.store.conn().await.unwrap();
    // the sign-in used this TOTP step; the key registration needs one of its own
    paygate_store::testing::execute(&mut c, "UPDATE users SET totp_last_step = 0 WHERE is_operator").await.unwrap();
    drop(c);
    op.post("/admin/xpub", json!({"chain_id": DEVNET, "xpub": tpub, "otp": totp_now(&secret, 0)})).await.ok(200);
    let usdt = anvil.deploy_token(6).await;
    op.put("/admin/token", json!({"id": USDT, "contract_address": usdt, "enabled": true})).await.ok(204);
    (app, Devnet { anvil, usdt, op })
}

/// Reads the chain up to its head, as the watcher job does on each poll.
async fn watch(app: &TestApp) {
    app.services.watch_chain(DEVNET).await.unwrap();
}

/// A merchant's invoice of `amount` of `coin_id`, paid with `token_id`: (id, address, answer).
async fn invoice(app: &TestApp, m: &Merchant, coin_id: i64, amount: &str, token_id: i64) -> (i64, String, Value) {
    let me = app.as_user(&m.token);
    let id = me.post("/invoice/create", json!({"amount": amount, "coin_id": coin_id, "product_id": 1})).await.ok(200)["invoice_id"]
        .as_i64()
        .unwrap();
    let p = me.post("/invoice/pay", json!({"idInvoice": id, "token_id": token_id})).await.ok(200).clone();
    (id, p["address"].as_str().unwrap().to_owned(), p)
}

async fn state(app: &TestApp, id: i64) -> Value {
    app.client_at("10.80.0.1").post("/invoice/receive", json!({"idInvoice": id})).await.ok(200).clone()
}

fn summary(s: &Value) -> (Value, Value, Value) {
    (s["status"].clone(), s["exception"].clone(), s["amount_paid"].clone())
}

chain_tests! {
    start = start;

    async fn ether_invoice_is_paid_and_credited_once(app, net: Devnet) {
        let m = app.merchant("eth@example.com").await;
        let (id, address, answer) = invoice(&app, &m, 4, "0.5", ETHER).await;
        assert!(address.starts_with("0x") && address != address.to_lowercase(), "EIP-55 address: {address}");
        assert_eq!((answer["code"].clone(), answer["amount"].clone(), answer["name"].clone()), (json!("ETH"), json!("0.5"), json!("Local Development Chain")));
        let fee = answer["transferCommissionWeis"].as_u64().expect("the node's fee estimate");
        assert!(fee >= 21_000, "gas price × 21000: {fee}");
        let tx = net.anvil.send_eth(&address, wei("0.5")).await;
        watch(&app).await;
        let s = state(&app, id).await;
        assert_eq!(summary(&s), (json!(4), json!("none"), json!("0.5")));
        assert_eq!((s["payments"][0]["tx_hash"].clone(), s["payments"][0]["index"].clone()), (json!(tx), json!(0)));
        let b = balance_of(&app.as_user(&m.token), 4).await;
        assert_eq!(b["amount"].to_string(), "0.495", "0.5 less the 1 % invoice commission");
        // reading the same blocks again, and newer empty ones, credits nothing twice
        net.anvil.mine(3).await;
        watch(&app).await;
        watch(&app).await;
        assert_eq!(balance_of(&app.as_user(&m.token), 4).await["amount"].to_string(), "0.495");
        let health = app.api().get("/health/ready").await.ok(200)["checks"]["chains"].clone();
        assert_eq!(health, json!({"devnet": "ok"}));
        let metrics = String::from_utf8(app.api().get("/metrics").await.raw).unwrap();
        for line in ["chain_sync_lag_blocks{chain=\"devnet\"} 0", "chain_node_up{chain=\"devnet\"} 1", "invoice_payments_total{chain=\"devnet\"} 1"] {
            assert!(metrics.lines().any(|l| l == line), "{line} in\n{metrics}");
        }
        assert!(metrics.lines().any(|l| l.starts_with("chain_head_height{chain=\"devnet\"} ")));
        // ether short, then topped up; over; late
        let (partial, address, _) = invoice(&app, &m, 4, "1", ETHER).await;
        net.anvil.send_eth(&address, wei("0.25")).await;
        watch(&app).await;
        let s = state(&app, partial).await;
        assert_eq!((s["status"].clone(), s["exception"].clone(), s["amount_remaining"].clone()), (json!(2), json!("paid_partial"), json!("0.75")));
        net.anvil.send_eth(&address, wei("0.75")).await;
        watch(&app).await;
        assert_eq!(summary(&state(&app, partial).await), (json!(4), json!("none"), json!("1")));
        let (over, address, _) = invoice(&app, &m, 4, "1", ETHER).await;
        net.anvil.send_eth(&address, wei("1.000000000000000001")).await;
        watch(&app).await;
        assert_eq!(summary(&state(&app, over).await), (json!(4), json!("paid_over"), json!("1.000000000000000001")));
        let (late, address, _) = invoice(&app, &m, 4, "1", ETHER).await;
        let mut c = app.services.store.conn().await.unwrap();
        paygate_store::testing::execute(&mut c, &format!("UPDATE invoices SET expires_at = expires_at - 3600 WHERE id = {late}")).await.unwrap();
        drop(c);
        app.services.advance_due_invoices().await.unwrap();
        net.anvil.send_eth(&address, wei("1")).await;
        watch(&app).await;
        assert_eq!(summary(&state(&app, late).await), (json!(5), json!("paid_late"), json!("1")));
        // 0.5 + 1 + 1 + 1 less 1 %: the commission on the odd wei rounds up to a whole wei
        assert_eq!(balance_of(&app.as_user(&m.token), 4).await["amount"].to_string(), "3.465");
        assert_ledger_ok(&app).await;
    }

    async fn erc20_exact_partial_over_and_late(app, net: Devnet) {
        let m = app.merchant("erc20@example.com").await;
        let (id, address, answer) = invoice(&app, &m, 6, "10", USDT).await;
        assert_eq!(answer["code"], "USDT");
        // partial, then topped up
        net.anvil.send_token(&net.usdt, &address, 4_000_000).await;
        watch(&app).await;
        let s = state(&app, id).await;
        assert_eq!((s["status"].clone(), s["exception"].clone(), s["amount_remaining"].clone()), (json!(2), json!("paid_partial"), json!("6")));
        net.anvil.send_token(&net.usdt, &address, 6_000_000).await;
        watch(&app).await;
        let s = state(&app, id).await;
        assert_eq!(summary(&s), (json!(4), json!("none"), json!("10")));
        assert_eq!(s["payments"].as_array().unwrap().len(), 2);
        // over
        let (over, address, _) = invoice(&app, &m, 6, "10", USDT).await;
        net.anvil.send_token(&net.usdt, &address, 12_500_000).await;
        watch(&app).await;
        assert_eq!(summary(&state(&app, over).await), (json!(4), json!("paid_over"), json!("12.5")));
        // late: expired before the payment, paid within the monitoring window
        let (late, address, _) = invoice(&app, &m, 6, "10", USDT).await;
        let mut c = app.services.store.conn().await.unwrap();
        paygate_store::testing::execute(&mut c, &format!("UPDATE invoices SET expires_at = expires_at - 3600 WHERE id = {late}")).await.unwrap();
        drop(c);
        app.services.advance_due_invoices().await.unwrap();
        net.anvil.send_token(&net.usdt, &address, 10_000_000).await;
        watch(&app).await;
        assert_eq!(summary(&state(&app, late).await), (json!(5), json!("paid_late"), json!("10")));
        // 3.96 + 5.94 + 12.375 + 9.9: every payment credited less 1 %
        assert_eq!(balance_of(&app.as_user(&m.token), 6).await["amount"].to_string(), "32.175");
        assert_ledger_ok(&app).await;
    }

    async fn a_reorganisation_before_confirmation_sends_the_invoice_back(app, net: Devnet) {
        net.op.put("/admin/chain", json!({"id": DEVNET, "confirmations_required": 3})).await.ok(204);
        let m = app.merchant("evm-reorg@example.com").await;
        let (id, address, _) = invoice(&app, &m, 6, "10", USDT).await;
        let before = net.anvil.snapshot().await;
        net.anvil.send_token(&net.usdt, &address, 10_000_000).await;
        watch(&app).await;
        let s = state(&app, id).await;
        assert_eq!((s["status"].clone(), s["confirmations"].clone(), s["confirmations_required"].clone()), (json!(3), json!(1), json!(3)));
        assert_eq!(balance_of(&app.as_user(&m.token), 6).await["incoming"].to_string(), "10");
        // the block with the payment is replaced by a longer branch without it
        net.anvil.revert(before).await;
        net.anvil.mine(2).await;
        watch(&app).await;
        let s = state(&app, id).await;
        assert_eq!((s["status"].clone(), s["payments"][0]["status"].clone(), s["amount_paid"].clone()), (json!(2), json!("replaced"), json!("0")));
        let b = balance_of(&app.as_user(&m.token), 6).await;
        assert_eq!((b["amount"].clone(), b["incoming"].clone()), (json!(0), json!(0)), "nothing credited");
        // paid again on the new branch: confirmed after three blocks, credited once
        net.anvil.send_token(&net.usdt, &address, 10_000_000).await;
        watch(&app).await;
        assert_eq!(state(&app, id).await["status"], 3);
        net.anvil.mine(2).await;
        watch(&app).await;
        let s = state(&app, id).await;
        assert_eq!((s["status"].clone(), s["confirmations"].clone()), (json!(4), json!(3)));
        assert_eq!(balance_of(&app.as_user(&m.token), 6).await["amount"].to_string(), "9.9");
        assert_ledger_ok(&app).await;
    }

    async fn a_restart_between_payment_and_confirmation_credits_once(app, net: Devnet) {
        net.op.put("/admin/chain", json!({"id": DEVNET, "confirmations_required": 2})).await.ok(204);
        let m = app.merchant("evm-restart@example.com").await;
        let (id, address, _) = invoice(&app, &m, 4, "1", ETHER).await;
        net.anvil.send_eth(&address, wei("1")).await;
        watch(&app).await;
        assert_eq!(state(&app, id).await["status"], 3);
        app.restart().await;
        net.anvil.mine(1).await;
        watch(&app).await;
        watch(&app).await;
        assert_eq!(state(&app, id).await["status"], 4);
        assert_eq!(balance_of(&app.as_user(&m.token), 4).await["amount"].to_string(), "0.99");
        assert_ledger_ok(&app).await;
    }

    async fn transfers_of_unknown_contracts_are_ignored_and_decimals_are_checked(app, net: Devnet) {
        let m = app.merchant("evm-foreign@example.com").await;
        let (id, address, _) = invoice(&app, &m, 6, "10", USDT).await;
        let foreign = net.anvil.deploy_token(6).await;
        net.anvil.send_token(&foreign, &address, 10_000_000).await;
        watch(&app).await;
        let s = state(&app, id).await;
        assert_eq!((s["status"].clone(), s["payments"].clone()), (json!(2), json!([])));
        // a token whose contract declares other decimals than the operator registers
        let eighteen = net.anvil.deploy_token(18).await;
        let token = json!({"coin_id": 6, "chain_id": DEVNET, "name": "Wrong", "standard": "erc20", "contract_address": eighteen, "decimals": 6, "min_amount": 1});
        net.op.post("/admin/token", token).await.err(422, 4225);
        // a contract address must be one of the chain's
        let tron_style = json!({"coin_id": 6, "chain_id": DEVNET, "name": "Wrong", "standard": "erc20", "contract_address": "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t", "decimals": 6, "min_amount": 1});
        net.op.post("/admin/token", tron_style).await.err(400, 4005);
        assert_ledger_ok(&app).await;
    }

    async fn payments_outside_an_invoice_are_deposits(app, net: Devnet) {
        let m = app.merchant("evm-deposits@example.com").await;
        let me = app.as_user(&m.token);
        // a standing wallet address
        let wallet = me.post("/api/wallet", json!({"chain_id": DEVNET})).await.ok(200)["address"].as_str().unwrap().to_owned();
        let deposit = net.anvil.send_token(&net.usdt, &wallet, 3_000_000).await;
        // an abandoned invoice address: the payer switched to ether before paying
        net.op.put("/admin/rate", json!({"from_coin_id": 4, "to_coin_id": 6, "rate": "2500"})).await.ok(204);
        let (id, abandoned, _) = invoice(&app, &m, 6, "10", USDT).await;
        me.post("/invoice/pay", json!({"idInvoice": id, "token_id": ETHER})).await.ok(200);
        let stray = net.anvil.send_token(&net.usdt, &abandoned, 2_000_000).await;
        // an invoice address paid after the invoice's monitoring window (24 h past expiry)
        let (gone, gone_address, _) = invoice(&app, &m, 6, "10", USDT).await;
        let mut c = app.services.store.conn().await.unwrap();
        paygate_store::testing::execute(&mut c, &format!("UPDATE invoices SET expires_at = expires_at - 90000 WHERE id = {gone}")).await.unwrap();
        drop(c);
        app.services.advance_due_invoices().await.unwrap();
        let after_window = net.anvil.send_token(&net.usdt, &gone_address, 10_000_000).await;
        watch(&app).await;
        let s = state(&app, id).await;
        assert_eq!((s["status"].clone(), s["amount_paid"].clone()), (json!(2), json!("0")), "the abandoned address does not count");
        let s = state(&app, gone).await;
        assert_eq!((s["status"].clone(), s["amount_paid"].clone()), (json!(5), json!("0")), "nor does a payment after the window");
        assert_eq!(balance_of(&me, 6).await["amount"].to_string(), "14.85", "3 + 2 + 10 less 1 %: nothing lost");
        // booked as deposits (operation type 3); the only log of each transaction has index 0
        for tx in [deposit, stray, after_window] {
            let mut c = app.services.store.conn().await.unwrap();
            let booked = paygate_store::ledger::tx_by_key(&mut c, &format!("payment:{DEVNET}:{tx}:0")).await.unwrap();
            assert_eq!(booked.expect("credited").operation_type, 3, "{tx} is a deposit");
        }
        assert_ledger_ok(&app).await;
    }

    async fn a_node_that_stops_answering_degrades_the_chain_not_the_instance(app, net: Devnet) {
        watch(&app).await;
        assert_eq!(app.api().get("/health/ready").await.ok(200)["checks"]["chains"], json!({"devnet": "ok"}));
        let Devnet { anvil, .. } = net;
        drop(anvil);
        let e = app.services.watch_chain(DEVNET).await.unwrap_err();
        assert_eq!(e.code(), paygate_core::ErrorCode::DependencyUnavailable);
        let r = app.api().get("/health/ready").await;
        assert_eq!((r.ok(200)["status"].clone(), r.body["checks"]["chains"].clone()), (json!("ok"), json!({"devnet": "degraded"})));
        let m = app.merchant("evm-down@example.com").await;
        let (_, _, answer) = invoice(&app, &m, 4, "1", ETHER).await;
        assert_eq!(answer["transferCommissionWeis"], Value::Null, "no estimate without the node; the invoice still gets its address");
        let metrics = String::from_utf8(app.api().get("/metrics").await.raw).unwrap();
        assert!(metrics.lines().any(|l| l == "chain_node_up{chain=\"devnet\"} 0"), "{metrics}");
        assert_ledger_ok(&app).await;
    }
}
