//! Getting paid on the sandbox chain: pay links, `/invoice/*`, the watcher, crediting.

use serde_json::json;

use crate::backend_tests;
use crate::harness::*;

/// A reusable 10 USD link of a fresh merchant.
async fn link(app: &TestApp, email: &str) -> (Merchant, serde_json::Value) {
    let m = app.merchant(email).await;
    let l = app
        .as_user(&m.token)
        .post("/api/pay/pay-link/reusable", json!({"name": "Coffee", "coin_id": 1, "amount": 10}))
        .await;
    (m, l.ok(200).clone())
}

/// A public invoice of the link, paid in sandbox USDT; returns (invoice id, address).
async fn invoice_in_usdt(app: &TestApp, link: &serde_json::Value) -> (i64, String) {
    let api = app.client_at("10.60.0.1");
    let c = api
        .post("/invoice/create", json!({"amount": link["amount"], "coin_id": 1, "id": link["id"], "product_id": 2}))
        .await;
    let id = c.ok(200)["invoice_id"].as_i64().unwrap();
    let p = api.post("/invoice/pay", json!({"idInvoice": id, "coin_id": 6})).await;
    (id, p.ok(200)["address"].as_str().unwrap().to_owned())
}

async fn state(app: &TestApp, id: i64) -> serde_json::Value {
    app.client_at("10.60.0.2").post("/invoice/receive", json!({"idInvoice": id})).await.ok(200).clone()
}

async fn sandbox_pay(app: &TestApp, id: i64, amount: Option<&str>) {
    let mut body = json!({"idInvoice": id});
    if let Some(a) = amount {
        body["amount"] = json!(a);
    }
    app.api().post("/sandbox/invoice/pay", body).await.ok(200);
}

backend_tests! {
    async fn pay_link_lifecycle(app) {
        let m = app.merchant("links@example.com").await;
        let me = app.as_user(&m.token);
        let l = me.post("/api/pay/pay-link/reusable", json!({"name": "Coffee", "description": "A cup", "coin_id": 1, "amount": "3.50", "success_url": "https://shop.example.com/ok"})).await;
        let l = l.ok(200).clone();
        assert_eq!((l["kind_id"].clone(), l["status_id"].clone(), l["amount"].to_string()), (json!(1), json!(1), "3.5".to_owned()));
        assert!(l["id"].as_i64().unwrap() >= 1 << 32, "random ids");
        assert_eq!(l["public_id"].as_str().unwrap().len(), 12);
        assert_eq!(l["url"], format!("{}/pay/{}", app.config.app.public_base_url, l["public_id"].as_str().unwrap()));
        let id = l["id"].as_i64().unwrap();
        let got = me.get(&format!("/api/pay/pay-link?id={id}")).await;
        assert_eq!(got.ok(200)["name"], "Coffee");
        let info = me.get(&format!("/api/pay/pay-link/info/{id}")).await;
        assert!(info.ok(200)["qr_png"].as_str().unwrap().starts_with("data:image/png;base64,"));
        assert_eq!((info.body["paid_amount"].clone(), info.body["invoices_count"].clone()), (json!(0), json!(0)));
        me.put("/api/pay/pay-link", json!({"id": id, "amount": null, "amount_min": 1, "amount_max": 100, "status_id": 2})).await.ok(204);
        let got = me.get(&format!("/api/pay/pay-link?id={id}")).await.ok(200).clone();
        assert_eq!((got["amount"].clone(), got["amount_min"].to_string(), got["status_id"].clone()), (json!(null), "1".to_owned(), json!(2)));
        me.put("/api/pay/pay-link", json!({"id": id, "amount_min": 200})).await.err(400, 4004);
        me.put("/api/pay/pay-link", json!({"id": id, "status_id": 4})).await.err(400, 4004);
        me.put("/api/pay/pay-link", json!({"id": id, "token_ids": [6]})).await.err(422, 4224);
        let t = me.post("/api/pay/pay-link/temporary", json!({"name": "Once", "coin_id": 6, "amount": 5})).await;
        let t = t.ok(200).clone();
        assert_eq!((t["kind_id"].clone(), t["single_use"].clone()), (json!(2), json!(true)));
        me.post("/api/pay/pay-link/temporary", json!({"name": "x", "coin_id": 1, "single_use": false})).await.err(400, 4008);
        me.post("/api/pay/pay-link/temporary", json!({"name": "x", "coin_id": 1, "expires_at": "2000-01-01T00:00:00Z"})).await.err(400, 4004);
        me.post("/api/pay/pay-link/reusable", json!({"name": "x", "coin_id": 1, "amount": 1, "amount_min": 1})).await.err(400, 4008);
        me.post("/api/pay/pay-link/reusable", json!({"name": "x", "coin_id": 999})).await.err(404, 4040);
        me.post("/api/pay/pay-link/reusable", json!({"name": "x", "coin_id": 1, "amount": 1.001})).await.err(400, 4006);
        me.post("/api/pay/pay-link/reusable", json!({"name": "x", "coin_id": 1, "token_ids": [9]})).await.err(422, 4224);
        let found = me.post("/api/pay/pay-link/search", json!({"filters": {"search": "once"}})).await;
        assert_eq!((found.ok(200).as_array().unwrap().len(), found.header("x-total-count")), (1, Some("1")));
        let by_kind = me.post("/api/pay/pay-link/search", json!({"filters": {"kind": {"id": [1]}}})).await;
        assert_eq!(by_kind.ok(200)[0]["id"], id);
        me.delete(&format!("/api/pay/pay-link?id={id}"), json!({})).await.ok(204);
        me.delete("/api/pay/pay-link", json!({"id": id})).await.ok(204);
        me.get(&format!("/api/pay/pay-link?id={id}")).await.err(404, 4040);
        assert_eq!(me.post("/api/pay/pay-link/search", json!({})).await.header("x-total-count"), Some("1"), "deleted links are left out");
        me.delete(&format!("/api/pay/pay-link?id={id}"), json!({"id": 5})).await.err(400, 4008);
        let coins = me.get("/api/pay/pay-link/coins").await;
        assert_eq!(coins.ok(200).as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect::<Vec<_>>(), [1, 2, 3, 4, 5, 6], "TRX prices through its USD rate");
        assert_eq!(me.get("/api/pay/pay-link/status/available").await.ok(200)[0], json!({"id": 1, "name": "Active", "settable": true}));
        let other = app.merchant("links-other@example.com").await;
        app.as_user(&other.token).get(&format!("/api/pay/pay-link?id={}", t["id"])).await.err(404, 4040);
    }

    async fn sandbox_payment_end_to_end(app) {
        let (m, l) = link(&app, "paid@example.com").await;
        let (id, address) = invoice_in_usdt(&app, &l).await;
        assert!(address.starts_with("0x") && address.len() == 42);
        let s = state(&app, id).await;
        assert_eq!((s["status"].clone(), s["exception"].clone(), s["amount_due"].clone(), s["code"].clone()), (json!(2), json!("none"), json!("10"), json!("USDT")));
        assert_eq!(s["payable_tokens"].as_array().unwrap().iter().map(|t| t["token_id"].as_i64().unwrap()).collect::<Vec<_>>(), [12, 13, 14]);
        assert_eq!(s["metadata"], serde_json::Value::Null);
        // the payer reopening the page gets the same answer
        let again = app.client_at("10.60.0.1").post("/invoice/pay", json!({"idInvoice": id})).await;
        assert_eq!(again.ok(200)["address"], address.as_str());
        assert_eq!((again.body["amount"].clone(), again.body["rate"].clone(), again.body["name"].clone()), (json!("10"), json!(1), json!("Sandbox")));
        sandbox_pay(&app, id, None).await;
        assert_eq!(state(&app, id).await["status"], 2, "nothing happens before a block");
        mine(&app).await;
        let s = state(&app, id).await;
        assert_eq!((s["status"].clone(), s["amount_paid"].clone(), s["amount_remaining"].clone()), (json!(4), json!("10"), json!("0")));
        assert_eq!((s["payments"][0]["status"].clone(), s["payments"][0]["confirmations"].clone()), (json!("confirmed"), json!(1)));
        assert!(s["paid_at"].is_string());
        let b = balance_of(&app.as_user(&m.token), 6).await;
        assert_eq!((b["amount"].to_string(), b["incoming"].clone()), ("9.9".to_owned(), json!(0)), "10 less the 1 % invoice commission");
        // the watcher reading the chain again credits nothing twice
        mine(&app).await;
        app.services.watch_once(&paygate_app::payments::sandbox::SandboxChain).await.unwrap();
        assert_eq!(balance_of(&app.as_user(&m.token), 6).await["amount"].to_string(), "9.9");
        app.client_at("10.60.0.1").post("/invoice/pay", json!({"idInvoice": id})).await.err(422, 4221);
        let info = app.as_user(&m.token).get(&format!("/api/pay/pay-link/info/{}", l["id"])).await;
        assert_eq!((info.ok(200)["paid_count"].clone(), info.body["paid_amount"].clone()), (json!(1), json!(10)));
        assert_ledger_ok(&app).await;
    }

    async fn partial_over_and_late(app) {
        let (m, l) = link(&app, "partial@example.com").await;
        let (id, _) = invoice_in_usdt(&app, &l).await;
        sandbox_pay(&app, id, Some("4")).await;
        mine(&app).await;
        let s = state(&app, id).await;
        assert_eq!((s["status"].clone(), s["exception"].clone(), s["amount_remaining"].clone()), (json!(2), json!("paid_partial"), json!("6")));
        sandbox_pay(&app, id, None).await;
        mine(&app).await;
        let s = state(&app, id).await;
        assert_eq!((s["status"].clone(), s["exception"].clone(), s["payments"].as_array().unwrap().len()), (json!(4), json!("none"), 2));
        // over
        let (over, _) = invoice_in_usdt(&app, &l).await;
        sandbox_pay(&app, over, Some("12")).await;
        mine(&app).await;
        let s = state(&app, over).await;
        assert_eq!((s["status"].clone(), s["exception"].clone()), (json!(4), json!("paid_over")));
        // late: expired before the payment, paid within the monitoring window
        let (late, _) = invoice_in_usdt(&app, &l).await;
        let mut c = app.services.store.conn().await.unwrap();
        paygate_store::testing::execute(&mut c, &format!("UPDATE invoices SET expires_at = expires_at - 3600 WHERE id = {late}")).await.unwrap();
        drop(c);
        assert_eq!(state(&app, late).await["status"], 5, "expiry shows at once");
        app.services.advance_due_invoices().await.unwrap();
        sandbox_pay(&app, late, Some("10")).await;
        mine(&app).await;
        let s = state(&app, late).await;
        assert_eq!((s["status"].clone(), s["exception"].clone()), (json!(5), json!("paid_late")));
        assert_eq!(s["payments"][0]["status"], "confirmed", "{s}");
        // 3.96 + 5.94 (partial and rest, 1 % each) + 11.88 (over) + 9.9 (late)
        let b = balance_of(&app.as_user(&m.token), 6).await;
        assert_eq!(b["amount"].to_string(), "31.68");
        assert_ledger_ok(&app).await;
    }

    async fn reorganisation_before_confirmation_and_restart(app) {
        let (email, secret) = app.operator("reorg-ops@example.com").await;
        let op = app.as_user(&app.operator_token(&email, &secret).await);
        op.put("/admin/chain", json!({"id": 9, "confirmations_required": 2})).await.ok(204);
        let (m, l) = link(&app, "reorg@example.com").await;
        let (id, _) = invoice_in_usdt(&app, &l).await;
        sandbox_pay(&app, id, None).await;
        mine(&app).await;
        let s = state(&app, id).await;
        assert_eq!((s["status"].clone(), s["confirmations"].clone(), s["confirmations_required"].clone()), (json!(3), json!(1), json!(2)));
        assert_eq!(balance_of(&app.as_user(&m.token), 6).await["incoming"].to_string(), "10");
        // the block disappears with its transfer
        let r = op.post("/sandbox/reorg", json!({"depth": 1, "drop_transfers": true})).await;
        assert_eq!(r.ok(200)["removed_blocks"], 1);
        mine(&app).await;
        let s = state(&app, id).await;
        assert_eq!((s["status"].clone(), s["payments"][0]["status"].clone(), s["amount_paid"].clone()), (json!(2), json!("replaced"), json!("0")));
        mine(&app).await;
        let b = balance_of(&app.as_user(&m.token), 6).await;
        assert_eq!((b["amount"].clone(), b["incoming"].clone()), (json!(0), json!(0)), "nothing credited");
        op.post("/sandbox/reorg", json!({"depth": 0})).await.err(400, 4004);
        app.as_user(&m.token).post("/sandbox/reorg", json!({"depth": 1})).await.err(403, 4033);
        // paid again, then the server restarts between seeing and confirming: credited once
        sandbox_pay(&app, id, None).await;
        mine(&app).await;
        assert_eq!(state(&app, id).await["status"], 3);
        app.restart().await;
        mine(&app).await;
        mine(&app).await;
        let s = state(&app, id).await;
        assert_eq!(s["status"], 4);
        assert_eq!(balance_of(&app.as_user(&m.token), 6).await["amount"].to_string(), "9.9");
        assert_ledger_ok(&app).await;
    }

    async fn a_payment_reorganised_out_and_mined_again_is_one_payment_credited_once(app) {
        let (email, secret) = app.operator("reseen-ops@example.com").await;
        let op = app.as_user(&app.operator_token(&email, &secret).await);
        op.put("/admin/chain", json!({"id": 9, "confirmations_required": 2})).await.ok(204);
        let (m, l) = link(&app, "reseen@example.com").await;
        let (id, _) = invoice_in_usdt(&app, &l).await;
        sandbox_pay(&app, id, None).await;
        mine(&app).await;
        let first = state(&app, id).await;
        assert_eq!(first["status"], 3);
        let tx_hash = first["payments"][0]["tx_hash"].clone();
        // the block goes, its transfer returns to the queue and lands in the next block
        op.post("/sandbox/reorg", json!({"depth": 1})).await.ok(200);
        mine(&app).await;
        let s = state(&app, id).await;
        assert_eq!(s["payments"].as_array().unwrap().len(), 1, "the same payment, not a second one: {s}");
        assert_eq!((s["status"].clone(), s["payments"][0]["status"].clone(), s["amount_paid"].clone()), (json!(3), json!("seen"), json!("10")));
        assert_eq!(s["payments"][0]["tx_hash"], tx_hash);
        assert_eq!(s["confirmations"], 1);
        mine(&app).await;
        let s = state(&app, id).await;
        assert_eq!((s["status"].clone(), s["payments"][0]["status"].clone()), (json!(4), json!("confirmed")));
        let b = balance_of(&app.as_user(&m.token), 6).await;
        assert_eq!((b["amount"].to_string(), b["incoming"].to_string()), ("9.9".into(), "0".into()));
        assert_ledger_ok(&app).await;
    }

    async fn invoice_rules_and_access(app) {
        let (m, l) = link(&app, "rules@example.com").await;
        let api = app.client_at("10.61.0.1");
        let lid = l["id"].clone();
        api.post("/invoice/create", json!({"amount": 10, "coin_id": 1, "product_id": 1})).await.err(401, 4010);
        api.post("/invoice/create", json!({"amount": 10, "coin_id": 1, "product_id": 2})).await.err(400, 4002);
        api.post("/invoice/create", json!({"amount": 10, "coin_id": 1, "product_id": 2, "id": 123456789})).await.err(404, 4040);
        api.post("/invoice/create", json!({"amount": 9, "coin_id": 1, "product_id": 2, "id": lid})).await.err(422, 4225);
        api.post("/invoice/create", json!({"amount": 10, "coin_id": 2, "product_id": 2, "id": lid})).await.err(400, 4004);
        api.post("/invoice/create", json!({"amount": 10, "coin_id": 1, "product_id": 9, "id": lid})).await.err(400, 4004);
        let me = app.as_user(&m.token);
        me.put("/api/pay/pay-link", json!({"id": lid, "status_id": 2})).await.ok(204);
        api.post("/invoice/create", json!({"amount": 10, "coin_id": 1, "product_id": 2, "id": lid})).await.err(422, 4223);
        me.put("/api/pay/pay-link", json!({"id": lid, "status_id": 1})).await.ok(204);
        // the merchant's own invoices, with its extension fields
        let own = me.post("/invoice/create", json!({"amount": "25.5", "coin_id": 1, "product_id": 1, "order_id": "ord-1", "metadata": {"cart": 7}, "description": "Order 1"})).await;
        let own_id = own.ok(200)["invoice_id"].as_i64().unwrap();
        assert_eq!(own.body["message"], "Invoice created successfully");
        me.post("/invoice/create", json!({"amount": 1, "coin_id": 1, "product_id": 1, "order_id": "ord-1"})).await.err(409, 4091);
        me.post("/invoice/create", json!({"amount": 1, "coin_id": 1, "product_id": 1, "id": lid})).await.err(400, 4008);
        let s = me.post("/invoice/receive", json!({"idInvoice": own_id})).await;
        assert_eq!((s.ok(200)["metadata"].clone(), s.body["order_id"].clone(), s.body["status"].clone()), (json!({"cart": 7}), json!("ord-1"), json!(1)));
        assert_eq!(state(&app, own_id).await["metadata"], serde_json::Value::Null, "metadata is the merchant's");
        // choosing the token
        api.post("/invoice/pay", json!({"idInvoice": own_id})).await.err(400, 4002);
        api.post("/invoice/pay", json!({"idInvoice": own_id, "token_id": 6})).await.err(422, 4224);
        let p = api.post("/invoice/pay", json!({"idInvoice": own_id, "token_id": 12})).await;
        // 25.5 USD at 65000 USD/BTC, rounded up to satoshis
        assert_eq!((p.ok(200)["amount"].clone(), p.body["rate"].clone(), p.body["code"].clone()), (json!("0.00039231"), json!(65000), json!("BTC")));
        // switching while nothing is paid: new address, new rate
        let switched = api.post("/invoice/pay", json!({"idInvoice": own_id, "token_id": 13})).await;
        assert_ne!(switched.ok(200)["address"], p.body["address"]);
        assert_eq!(switched.body["code"], "ETH");
        api.post("/invoice/pay", json!({"idInvoice": 1})).await.err(404, 4040);
        // other owners see nothing; a viewer may read, not write
        let other = app.merchant("rules-other@example.com").await;
        app.as_user(&other.token).post("/invoice/receive", json!({"idInvoice": own_id})).await.err(404, 4040);
        let viewer = app.member("rules-viewer@example.com", m.owner_id, 5).await;
        app.as_user(&viewer.token).post("/invoice/receive", json!({"idInvoice": own_id})).await.ok(200);
        app.as_user(&viewer.token).post("/invoice/create", json!({"amount": 1, "coin_id": 1, "product_id": 1})).await.err(403, 4030);
        app.as_user("bad-token").post("/invoice/receive", json!({"idInvoice": own_id})).await.err(401, 4011);
        // sandbox routes
        app.api().post("/sandbox/transfer", json!({"to_address": "0x0000000000000000000000000000000000000001", "token_id": 6, "amount": 1})).await.err(422, 4224);
        app.api().post("/sandbox/transfer", json!({"to_address": "nope", "token_id": 14, "amount": 1})).await.err(400, 4005);
        let t = app.api().post("/sandbox/transfer", json!({"to_address": "0x0000000000000000000000000000000000000001", "token_id": 14, "amount": 1})).await;
        assert_eq!((t.ok(200)["tx_hash"].as_str().unwrap().len(), t.body["block_number"].clone()), (66, json!(null)));
        app.api().post("/sandbox/invoice/pay", json!({"idInvoice": 1})).await.err(404, 4040);
        let fresh = api.post("/invoice/create", json!({"amount": 10, "coin_id": 1, "product_id": 2, "id": lid})).await;
        app.api().post("/sandbox/invoice/pay", json!({"idInvoice": fresh.ok(200)["invoice_id"]})).await.err(422, 4221);
    }

    async fn operator_keys(app) {
        let (email, secret) = app.operator("keys-ops@example.com").await;
        let op = app.as_user(&app.operator_token(&email, &secret).await);
        let keys = op.get("/admin/xpub").await;
        let sandbox = keys.ok(200).as_array().unwrap().iter().find(|k| k["chain_id"] == 9).unwrap().clone();
        assert_eq!((sandbox["status_id"].clone(), sandbox["derivation_path"].clone()), (json!(1), json!("0/{index}")));
        let xpub = paygate_chain::xpub_from_seed(&[7u8; 32]).unwrap();
        let fresh_step = |app: &TestApp| {
            let store = app.services.store.clone();
            async move {
                let mut c = store.conn().await.unwrap();
                paygate_store::testing::execute(&mut c, "UPDATE users SET totp_last_step = 0 WHERE is_operator").await.unwrap();
            }
        };
        fresh_step(&app).await;
        let k = op.post("/admin/xpub", json!({"chain_id": 4, "xpub": xpub, "otp": totp_now(&secret, 0)})).await;
        let k = k.ok(200).clone();
        assert_eq!((k["status_id"].clone(), k["next_index"].clone(), k["fingerprint"].as_str().unwrap().len()), (json!(1), json!(0), 8));
        fresh_step(&app).await;
        op.post("/admin/xpub", json!({"chain_id": 4, "xpub": xpub, "otp": totp_now(&secret, 0)})).await.err(409, 4094);
        fresh_step(&app).await;
        op.post("/admin/xpub", json!({"chain_id": 5, "xpub": xpub, "otp": totp_now(&secret, 0)})).await.err(400, 4005);
        op.post("/admin/xpub", json!({"chain_id": 4, "xpub": xpub, "otp": "000000x"})).await.err(400, 4020);
        fresh_step(&app).await;
        op.post("/admin/xpub", json!({"chain_id": 999, "xpub": xpub, "otp": totp_now(&secret, 0)})).await.err(404, 4040);
        fresh_step(&app).await;
        op.put("/admin/xpub", json!({"id": k["id"], "status_id": 2, "otp": totp_now(&secret, 0)})).await.ok(204);
        fresh_step(&app).await;
        op.put("/admin/xpub", json!({"id": k["id"], "status_id": 2, "otp": totp_now(&secret, 0)})).await.err(409, 4096);
        assert_eq!(op.get("/admin/xpub?chain_id=4").await.ok(200)[0]["status_id"], 2);
        // one key, two spellings: registered once, or its indexes would start over
        let zpub = "zpub6rFR7y4Q2AijBEqTUquhVz398htDFrtymD9xYYfG1m4wAcvPhXNfE3EfH1r1ADqtfSdVCToUG868RvUUkgDKf31mGDtKsAYz2oz2AGutZYs";
        let same_as_xpub = paygate_chain::Xpub::parse(zpub, false).unwrap().canonical();
        assert!(same_as_xpub.starts_with("xpub"));
        fresh_step(&app).await;
        op.post("/admin/xpub", json!({"chain_id": 4, "xpub": zpub, "otp": totp_now(&secret, 0)})).await.ok(200);
        fresh_step(&app).await;
        op.post("/admin/xpub", json!({"chain_id": 4, "xpub": same_as_xpub, "otp": totp_now(&secret, 0)})).await.err(409, 4094);
        fresh_step(&app).await;
        op.put("/admin/xpub", json!({"id": 999_999, "status_id": 2, "otp": totp_now(&secret, 0)})).await.err(404, 4040);
    }

    async fn wallets_receive_requests_and_link_cards(app) {
        let (m, l) = link(&app, "wallet@example.com").await;
        let me = app.as_user(&m.token);
        let w = me.post("/api/wallet", json!({"chain_id": 9, "label": "Top-ups"})).await;
        let w = w.ok(200).clone();
        let address = w["address"].as_str().unwrap().to_owned();
        assert_eq!((w["label"].clone(), w["received"].clone()), (json!("Top-ups"), json!([])));
        me.post("/api/wallet", json!({"chain_id": 4})).await.err(404, 4040);
        me.post("/api/wallet", json!({})).await.err(400, 4002);
        // a deposit to a standing address, credited as operation type 3
        app.api().post("/sandbox/transfer", json!({"to_address": address, "token_id": 13, "amount": "0.5"})).await.ok(200);
        mine(&app).await;
        let list = me.get("/api/wallet?chain_id=9").await;
        assert_eq!(list.ok(200)[0]["received"], json!([{"token_id": 13, "code": "ETH", "amount": 0.5}]));
        assert_eq!(balance_of(&me, 4).await["amount"].to_string(), "0.495");
        // a receive request skips status 1
        let r = me.post("/api/receive/create", json!({"token_id": 14, "amount": "25", "order_id": "rcv-1"})).await;
        let r = r.ok(200).clone();
        assert_eq!((r["status"].clone(), r["product_id"].clone(), r["coin_id"].clone(), r["rate"].clone(), r["amount_due"].clone()), (json!(2), json!(1), json!(6), json!(1), json!("25")));
        assert!(r["address"].as_str().unwrap().starts_with("0x"));
        me.post("/api/receive/create", json!({"token_id": 14, "amount": "0.5"})).await.err(422, 4225);
        me.post("/api/receive/create", json!({"token_id": 6, "amount": "5"})).await.err(404, 4040);
        me.post("/api/receive/create", json!({"token_id": 14, "amount": "5", "order_id": "rcv-1"})).await.err(409, 4091);
        app.api().post("/sandbox/invoice/pay", json!({"idInvoice": r["invoice_id"]})).await.ok(200);
        mine(&app).await;
        let paid = state(&app, r["invoice_id"].as_i64().unwrap()).await;
        assert_eq!(paid["status"], 4);
        assert_eq!(balance_of(&me, 6).await["amount"].to_string(), "24.75");
        // booked as a receive request (type 2); an API invoice of the same product as type 1
        let op_type = |p: serde_json::Value| {
            let store = app.services.store.clone();
            async move {
                let key = format!("payment:9:{}:{}", s(&p["tx_hash"]), p["index"]);
                let mut c = store.conn().await.unwrap();
                paygate_store::ledger::tx_by_key(&mut c, &key).await.unwrap().unwrap().operation_type
            }
        };
        assert_eq!(op_type(paid["payments"][0].clone()).await, 2);
        let api_invoice = me.post("/invoice/create", json!({"amount": 3, "coin_id": 6, "product_id": 1})).await.ok(200)["invoice_id"].as_i64().unwrap();
        me.post("/invoice/pay", json!({"idInvoice": api_invoice, "token_id": 14})).await.ok(200);
        sandbox_pay(&app, api_invoice, None).await;
        mine(&app).await;
        let paid = state(&app, api_invoice).await;
        assert_eq!((paid["status"].clone(), op_type(paid["payments"][0].clone()).await), (json!(4), 1));
        // the public card of a link
        let card = app.api().post("/paylink/external-environment/info", json!({"public_id": l["public_id"]})).await;
        let card = card.ok(200).clone();
        assert_eq!((card["payable"].clone(), card["owner_name"].clone(), card["coin_code"].clone(), card["amount"].clone()), (json!(true), json!("Shop of wallet@example.com"), json!("USD"), json!(10)));
        assert_eq!(card["payable_tokens"].as_array().unwrap().len(), 3);
        app.api().post("/paylink/external-environment/info", json!({"id": l["id"]})).await.ok(200);
        app.api().post("/paylink/external-environment/info", json!({"id": l["id"], "public_id": "x"})).await.err(400, 4008);
        app.api().post("/paylink/external-environment/info", json!({"public_id": "nope"})).await.err(404, 4040);
        me.put("/api/pay/pay-link", json!({"id": l["id"], "status_id": 2})).await.ok(204);
        let card = app.api().post("/paylink/external-environment/info", json!({"id": l["id"]})).await;
        assert_eq!(card.ok(200)["payable"], false);
        assert_ledger_ok(&app).await;
    }

    async fn pay_link_statistic_and_statistics(app) {
        let (m, l) = link(&app, "stats@example.com").await;
        let me = app.as_user(&m.token);
        let (paid, address) = invoice_in_usdt(&app, &l).await;
        sandbox_pay(&app, paid, None).await;
        mine(&app).await;
        let (open, _) = invoice_in_usdt(&app, &l).await;
        let fresh = app.client_at("10.60.0.3").post("/invoice/create", json!({"amount": 10, "coin_id": 1, "id": l["id"], "product_id": 2})).await;
        let fresh = fresh.ok(200)["invoice_id"].as_i64().unwrap();

        let st = me.post("/api/pay/pay-link/statistic", json!({})).await.ok(200).clone();
        assert_eq!((st["currency_id"].clone(), st["count"].clone(), st["paid_count"].clone(), st["expired_count"].clone()), (json!(6), json!(3), json!(1), json!(0)), "in the default balance's coin");
        assert_eq!((st["amount"].to_string(), st["commission_amount"].to_string()), ("10".to_owned(), "0.1".to_owned()), "USDT at 1 USD; the 1 % commission");
        assert_eq!(st["by_status"], json!([{"status": 1, "count": 1}, {"status": 2, "count": 1}, {"status": 4, "count": 1}]));
        assert_eq!(st["by_coin"], json!([{"coin_id": 1, "code": "USD", "count": 1, "amount": 10, "amount_converted": 10}]));
        assert!(st["by_coin"][0]["amount"].is_number());
        let series = st["series"].as_array().unwrap();
        assert!((30..=32).contains(&series.len()), "a day per bucket over the default 30 days: {}", series.len());
        assert_eq!(series.iter().map(|p| p["count"].as_i64().unwrap()).sum::<i64>(), 3);
        assert_eq!(series.last().unwrap()["paid_count"], 1);
        let in_eur = me.post("/api/pay/pay-link/statistic", json!({"currency_id": 2, "interval": "week"})).await.ok(200).clone();
        assert_eq!(in_eur["currency_id"], 2);
        assert!(in_eur["amount"].as_f64().unwrap() > 0.0 && in_eur["amount"] != 10, "converted at the USD/EUR rate: {}", in_eur["amount"]);
        assert!(in_eur["series"].as_array().unwrap().len() <= 6);
        me.post("/api/pay/pay-link/statistic", json!({"interval": "hour"})).await.err(400, 4004);
        me.post("/api/pay/pay-link/statistic", json!({"interval": "fortnight"})).await.err(400, 4005);
        me.post("/api/pay/pay-link/statistic", json!({"filters": {"period": {"from": "yesterday"}}})).await.err(400, 4005);
        me.post("/api/pay/pay-link/statistic", json!({"filters": {"period": {"from": "2024-01-01T00:00:00Z", "to": "2025-06-01T00:00:00Z"}}})).await.err(400, 4004);
        me.post("/api/pay/pay-link/statistic", json!({"currency_id": 999})).await.err(404, 4040);

        let rows = me.post("/api/pay/pay-link/statistics", json!({})).await;
        assert_eq!(rows.header("x-total-count"), Some("3"));
        let mut ids: Vec<i64> = rows.ok(200).as_array().unwrap().iter().map(|r| r["invoice_id"].as_i64().unwrap()).collect();
        ids.sort();
        let mut want = vec![paid, open, fresh];
        want.sort();
        assert_eq!(ids, want);
        let row = rows.body.as_array().unwrap().iter().find(|r| r["invoice_id"] == paid).unwrap().clone();
        assert_eq!((row["object_name"].clone(), row["code"].clone(), row["amount_paid"].clone()), (json!("Coffee"), json!("USDT"), json!("10")));
        assert_eq!((row["credited_amount"].to_string(), row["commission"].to_string(), row["status"].clone()), ("9.9".to_owned(), "0.1".to_owned(), json!(4)));
        let fresh_row = rows.body.as_array().unwrap().iter().find(|r| r["invoice_id"] == fresh).unwrap().clone();
        assert_eq!((fresh_row["credited_amount"].clone(), fresh_row["token_id"].clone()), (json!(null), json!(null)));
        let count = |body: serde_json::Value| {
            let me = me.clone();
            async move { me.post("/api/pay/pay-link/statistics", body).await.header("x-total-count").unwrap().to_owned() }
        };
        assert_eq!(count(json!({"filters": {"status": {"id": [4]}}})).await, "1");
        assert_eq!(count(json!({"filters": {"status": {"id": [4], "exclude": true}}})).await, "2");
        assert_eq!(count(json!({"filters": {"search": &address[2..12].to_uppercase()}})).await, "1", "search over the address");
        assert_eq!(count(json!({"filters": {"search": paid.to_string()}})).await, "1");
        assert_eq!(count(json!({"filters": {"token": {"id": [12, 13]}}})).await, "0");
        assert_eq!(count(json!({"filters": {"amount": {"min": "10.01"}}})).await, "0");
        assert_eq!(count(json!({"filters": {"amount": {"min": 10, "max": 10}}})).await, "3", "bounds are inclusive");
        assert_eq!(count(json!({"filters": {"amount": {"currency_id": 6, "max": 9, "exclude": true}}})).await, "3");
        assert_eq!(count(json!({"filters": {"exception": ["paid_partial"]}})).await, "0");
        assert_eq!(count(json!({"filters": {"id": {"id": [l["id"].as_i64().unwrap() + 1]}}})).await, "0");
        assert_eq!(count(json!({"limit": 1, "offset": 2})).await, "3");
        assert_eq!(me.post("/api/pay/pay-link/statistics", json!({"limit": 1, "offset": 2})).await.ok(200).as_array().unwrap().len(), 1);
        me.post("/api/pay/pay-link/statistics", json!({"filters": {"exception": ["odd"]}})).await.err(400, 4005);
        me.post("/api/pay/pay-link/statistics", json!({"limit": 501})).await.err(400, 4004);
        // a member who may read money sees the owner's figures; another owner sees none
        let viewer = app.member("stats-viewer@example.com", m.owner_id, 5).await;
        assert_eq!(app.as_user(&viewer.token).post("/api/pay/pay-link/statistic", json!({})).await.ok(200)["count"], 3);
        let other = app.merchant("stats-other@example.com").await;
        assert_eq!(app.as_user(&other.token).post("/api/pay/pay-link/statistic", json!({})).await.ok(200)["count"], 0);
    }

    async fn concurrent_watchers_credit_once(app) {
        // Several nodes run the watcher job: each block is processed and each payment credited
        // by exactly one of them.
        let (m, l) = link(&app, "watchers@example.com").await;
        let mut ids = vec![];
        for _ in 0..3 {
            let (id, _) = invoice_in_usdt(&app, &l).await;
            sandbox_pay(&app, id, None).await;
            ids.push(id);
        }
        app.services.sandbox_mine().await.unwrap();
        let chain = paygate_app::payments::sandbox::SandboxChain;
        let watchers = (0..4).map(|_| app.services.watch_once(&chain));
        for r in futures::future::join_all(watchers).await {
            r.expect("a watcher that lost the race stops quietly");
        }
        for id in ids {
            assert_eq!(state(&app, id).await["status"], 4);
        }
        assert_eq!(balance_of(&app.as_user(&m.token), 6).await["amount"].to_string(), "29.7", "three payments, each once");
        assert_ledger_ok(&app).await;
    }

    async fn public_routes_are_rate_limited_and_ids_are_random(app) {
        let (_, l) = link(&app, "limits@example.com").await;
        let payer = app.client_at("10.62.0.1");
        let create = json!({"amount": 10, "coin_id": 1, "id": l["id"], "product_id": 2});
        let mut ids = vec![];
        for _ in 0..20 {
            ids.push(payer.post("/invoice/create", create.clone()).await.ok(200)["invoice_id"].as_i64().unwrap());
        }
        assert!(ids.iter().all(|id| *id >= 1 << 32), "invoice ids are random, not a counter");
        let r = payer.post("/invoice/create", create.clone()).await;
        r.err(429, 4290);
        let retry: u64 = r.header("retry-after").unwrap().parse().unwrap();
        assert!((1..=6).contains(&retry), "the next token comes within 6 s: {retry}");
        // the key is IP + pay object: another payer is not affected
        app.client_at("10.62.0.2").post("/invoice/create", create).await.ok(200);
        for _ in 0..60 {
            payer.post("/invoice/receive", json!({"idInvoice": ids[0]})).await.ok(200);
        }
        payer.post("/invoice/receive", json!({"idInvoice": ids[0]})).await.err(429, 4290);
        payer.post("/invoice/pay", json!({"idInvoice": ids[1], "coin_id": 6})).await.err(429, 4290);
        let info = json!({"public_id": l["public_id"]});
        for _ in 0..20 {
            payer.post("/paylink/external-environment/info", info.clone()).await.ok(200);
        }
        payer.post("/paylink/external-environment/info", info).await.err(429, 4290);
    }
}
