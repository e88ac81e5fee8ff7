//! Getting paid on Bitcoin (the `bitcoin-regtest` chain, id 3) through Bitcoin Core's JSON-RPC:
//! against the in-process node of `bitcoind.rs`, and against a real bitcoind when
//! `BITCOIND_RPC_URL` is set.

use serde_json::{Value, json};

use crate::bitcoind::{self, Bitcoind};
use crate::harness::*;

const REGTEST: i64 = 3;
const BTC: i64 = 3;

/// The in-process node and the operator of the instance watching it.
pub struct Regtest {
    pub node: Bitcoind,
    pub op: Api,
}

pub async fn start(backend: Backend) -> (TestApp, Regtest) {
    let node = Bitcoind::start().await;
    let (app, op) = instance(backend, &node.url, bitcoind::USER, bitcoind::PASSWORD).await;
    (app, Regtest { node, op })
}

/// A test-network instance whose regtest chain is the node at `url`, with an operator's key.
async fn instance(backend: Backend, url: &str, user: &str, password: &str) -> (TestApp, Api) {
    let opts = Options {
        rate_limits: false,
        extra: vec![
            ("PAYGATE_NETWORK_MODE", "test".into()),
            ("PAYGATE_KYC_REQUIRED", "false".into()),
            ("PAYGATE_CHAIN_BITCOIN_REGTEST_RPC_URL", url.into()),
            ("PAYGATE_CHAIN_BITCOIN_REGTEST_RPC_USER", user.into()),
            ("PAYGATE_CHAIN_BITCOIN_REGTEST_RPC_PASSWORD", password.into()),
            ("PAYGATE_CHAIN_BITCOIN_REGTEST_POLL_SECONDS", "3600".into()),
        ],
        ..Options::default()
    };
    let app = TestApp::start_with(backend, opts).await;
    let (email, secret) = app.operator("regtest-ops@example.com").await;
    let op = app.as_user(&app.operator_token(&email, &secret).await);
    let tpub = paygate_chain::xpub_from_seed_on(&[21u8; 32], true).unwrap();
    let mut c = app.services.store.conn().await.unwrap();
    paygate_store::testing::execute(&mut c, "UPDATE users SET totp_last_step = 0 WHERE is_operator").await.unwrap();
    drop(c);
    op.post("/admin/xpub", json!({"chain_id": REGTEST, "xpub": tpub, "otp": totp_now(&secret, 0)})).await.ok(200);
    (app, op)
}

async fn watch(app: &TestApp) {
    app.services.watch_chain(REGTEST).await.unwrap();
}

async fn invoice(app: &TestApp, m: &Merchant, amount: &str) -> (i64, String, Value) {
    let me = app.as_user(&m.token);
    let id = me.post("/invoice/create", json!({"amount": amount, "coin_id": BTC, "product_id": 1})).await.ok(200)["invoice_id"]
        .as_i64()
        .unwrap();
    let p = me.post("/invoice/pay", json!({"idInvoice": id, "token_id": 3})).await.ok(200).clone();
    (id, p["address"].as_str().unwrap().to_owned(), p)
}

async fn state(app: &TestApp, id: i64) -> Value {
    app.client_at("10.81.0.1").post("/invoice/receive", json!({"idInvoice": id})).await.ok(200).clone()
}

fn summary(s: &Value) -> (Value, Value, Value) {
    (s["status"].clone(), s["exception"].clone(), s["amount_paid"].clone())
}

chain_tests! {
    start = start;

    async fn outputs_are_payments_exact_partial_over_and_late(app, net: Regtest) {
        let m = app.merchant("btc@example.com").await;
        let (id, address, answer) = invoice(&app, &m, "0.01").await;
        assert!(address.starts_with("bcrt1q"), "P2WPKH in regtest's form: {address}");
        assert_eq!((answer["code"].clone(), answer["amount"].clone()), (json!("BTC"), json!("0.01")));
        // 0.0001 BTC/kvB for a 141-vbyte payment
        assert_eq!(answer["transferCommissionWeis"], 1410);
        // partial, then the rest: two outputs of one transaction are two payments
        let first = net.node.pay(&[(&address, 400_000)]);
        net.node.mine(1);
        watch(&app).await;
        let s = state(&app, id).await;
        assert_eq!((s["status"].clone(), s["exception"].clone(), s["amount_remaining"].clone()), (json!(2), json!("paid_partial"), json!("0.006")));
        assert_eq!((s["payments"][0]["tx_hash"].clone(), s["payments"][0]["index"].clone()), (json!(first), json!(0)));
        let both = net.node.pay(&[(&address, 250_000), (&address, 350_000)]);
        net.node.mine(1);
        watch(&app).await;
        let s = state(&app, id).await;
        assert_eq!(summary(&s), (json!(4), json!("none"), json!("0.01")));
        let outputs: Vec<(Value, Value)> = s["payments"].as_array().unwrap().iter().filter(|p| p["tx_hash"] == json!(both)).map(|p| (p["index"].clone(), p["amount"].clone())).collect();
        assert_eq!(outputs.len(), 2, "{s}");
        assert!(outputs.contains(&(json!(0), json!("0.0025"))) && outputs.contains(&(json!(1), json!("0.0035"))));
        // over
        let (over, address, _) = invoice(&app, &m, "0.01").await;
        net.node.pay(&[(&address, 1_200_000)]);
        net.node.mine(1);
        watch(&app).await;
        assert_eq!(summary(&state(&app, over).await), (json!(4), json!("paid_over"), json!("0.012")));
        // late
        let (late, address, _) = invoice(&app, &m, "0.01").await;
        let mut c = app.services.store.conn().await.unwrap();
        paygate_store::testing::execute(&mut c, &format!("UPDATE invoices SET expires_at = expires_at - 3600 WHERE id = {late}")).await.unwrap();
        drop(c);
        app.services.advance_due_invoices().await.unwrap();
        net.node.pay(&[(&address, 1_000_000)]);
        net.node.mine(1);
        watch(&app).await;
        assert_eq!(summary(&state(&app, late).await), (json!(5), json!("paid_late"), json!("0.01")));
        // a block read twice credits nothing twice; 0.01 + 0.012 + 0.01, every payment less 1 %
        watch(&app).await;
        assert_eq!(balance_of(&app.as_user(&m.token), BTC).await["amount"].to_string(), "0.03168");
        assert_ledger_ok(&app).await;
    }

    async fn a_replaced_tip_sends_the_invoice_back_and_a_restart_credits_once(app, net: Regtest) {
        net.op.put("/admin/chain", json!({"id": REGTEST, "confirmations_required": 3})).await.ok(204);
        let m = app.merchant("btc-reorg@example.com").await;
        let (id, address, _) = invoice(&app, &m, "0.5").await;
        net.node.pay(&[(&address, 50_000_000)]);
        net.node.mine(1);
        watch(&app).await;
        let s = state(&app, id).await;
        assert_eq!((s["status"].clone(), s["confirmations"].clone()), (json!(3), json!(1)));
        // the node falls behind (a fail-over to one that has not seen the last block yet):
        // nothing is reverted while it catches up
        net.node.replace_tip(1, false);
        watch(&app).await;
        let s = state(&app, id).await;
        assert_eq!((s["status"].clone(), s["payments"][0]["status"].clone()), (json!(3), json!("seen")));
        // it mines the payment again, on a branch of its own: replaced, then seen again, once
        net.node.mine(2);
        watch(&app).await;
        let s = state(&app, id).await;
        assert_eq!((s["status"].clone(), s["payments"].as_array().unwrap().len(), s["payments"][0]["status"].clone()), (json!(3), 1, json!("seen")));
        assert_eq!(balance_of(&app.as_user(&m.token), BTC).await["incoming"].to_string(), "0.5", "incoming follows the payment back");
        // the tip is replaced by a longer branch that does not have the payment
        net.node.replace_tip(2, true);
        net.node.mine(3);
        watch(&app).await;
        let s = state(&app, id).await;
        assert_eq!((s["status"].clone(), s["payments"][0]["status"].clone(), s["amount_paid"].clone()), (json!(2), json!("replaced"), json!("0")));
        let b = balance_of(&app.as_user(&m.token), BTC).await;
        assert_eq!((b["amount"].clone(), b["incoming"].clone()), (json!(0), json!(0)));
        // paid again; the server restarts before the third confirmation
        net.node.pay(&[(&address, 50_000_000)]);
        net.node.mine(1);
        watch(&app).await;
        assert_eq!(state(&app, id).await["status"], 3);
        app.restart().await;
        net.node.mine(2);
        watch(&app).await;
        watch(&app).await;
        let s = state(&app, id).await;
        assert_eq!((s["status"].clone(), s["confirmations"].clone()), (json!(4), json!(3)));
        assert_eq!(balance_of(&app.as_user(&m.token), BTC).await["amount"].to_string(), "0.495");
        assert_ledger_ok(&app).await;
    }

    async fn a_node_refusing_the_credentials_degrades_the_chain(app, net: Regtest) {
        watch(&app).await;
        assert_eq!(app.api().get("/health/ready").await.ok(200)["checks"]["chains"], json!({"bitcoin-regtest": "ok"}));
        let (other, _) = instance(Backend::Sqlite, &net.node.url, bitcoind::USER, "wrong").await;
        assert!(other.services.watch_chain(REGTEST).await.is_err());
        assert_eq!(other.api().get("/health/ready").await.ok(200)["checks"]["chains"], json!({"bitcoin-regtest": "degraded"}));
        assert_ledger_ok(&app).await;
        assert_ledger_ok(&other).await;
    }
}

/// Against a real Bitcoin Core in regtest mode (`BITCOIND_RPC_URL=http://user:pass@host:18443`),
/// when one is given: its wallet pays the invoice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_real_bitcoind_pays_an_invoice_when_one_is_given() {
    let Ok(url) = std::env::var("BITCOIND_RPC_URL") else { return };
    let parsed = url::Url::parse(&url).expect("BITCOIND_RPC_URL");
    let (user, password) = (parsed.username().to_owned(), parsed.password().unwrap_or_default().to_owned());
    let mut bare = parsed.clone();
    bare.set_username("").unwrap();
    bare.set_password(None).unwrap();
    let (app, _) = instance(Backend::Sqlite, bare.as_str(), &user, &password).await;
    let rpc = |method: &'static str, params: Value| {
        let (url, user, password) = (bare.to_string(), user.clone(), password.clone());
        async move {
            let body = json!({"jsonrpc": "1.0", "id": 1, "method": method, "params": params});
            let r: Value = reqwest::Client::new()
                .post(url)
                .basic_auth(user, Some(password))
                .json(&body)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            r["result"].clone()
        }
    };
    rpc("createwallet", json!(["paygate-test"])).await;
    let miner = rpc("getnewaddress", json!([])).await;
    rpc("generatetoaddress", json!([101, miner])).await;
    watch(&app).await;
    let m = app.merchant("real-btc@example.com").await;
    let (id, address, _) = invoice(&app, &m, "0.01").await;
    rpc("sendtoaddress", json!([address, 0.01])).await;
    rpc("generatetoaddress", json!([1, miner])).await;
    watch(&app).await;
    assert_eq!(state(&app, id).await["status"], 4);
    assert_ledger_ok(&app).await;
}

/// An instance hands out addresses only on chains it watches: a key alone is not enough.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_address_on_a_chain_whose_node_is_not_configured() {
    let node = Bitcoind::start().await;
    let (app, _) = instance(Backend::Sqlite, &node.url, bitcoind::USER, bitcoind::PASSWORD).await;
    // a key for the devnet, whose node this instance does not know
    let (email, secret) = app.operator("devnet-keys@example.com").await;
    let op = app.as_user(&app.operator_token(&email, &secret).await);
    let mut c = app.services.store.conn().await.unwrap();
    paygate_store::testing::execute(&mut c, "UPDATE users SET totp_last_step = 0 WHERE is_operator").await.unwrap();
    drop(c);
    let tpub = paygate_chain::xpub_from_seed_on(&[23u8; 32], true).unwrap();
    op.post("/admin/xpub", json!({"chain_id": 8, "xpub": tpub, "otp": totp_now(&secret, 0)})).await.ok(200);
    let m = app.merchant("unwatched@example.com").await;
    let me = app.as_user(&m.token);
    me.post("/api/wallet", json!({"chain_id": 8})).await.err(422, 4229);
    let tokens = me.get("/api/owner/currency/tokens").await.ok(200).clone();
    let chains: std::collections::BTreeSet<i64> =
        tokens.as_array().unwrap().iter().map(|t| t["chain_id"].as_i64().unwrap()).collect();
    assert_eq!(chains, [REGTEST].into(), "only the watched chain's tokens are offered");
    let id =
        me.post("/invoice/create", json!({"amount": 1, "coin_id": 4, "product_id": 1})).await.ok(200)["invoice_id"]
            .clone();
    me.post("/invoice/pay", json!({"idInvoice": id, "token_id": 10})).await.err(422, 4224);
    assert_ledger_ok(&app).await;
}
