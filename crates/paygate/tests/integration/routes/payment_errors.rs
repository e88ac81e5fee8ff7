//! Error codes of the getting-paid routes that the flow tests do not reach: the KYC gate,
//! sandbox routes on other instances, quotas and conflicts.

use serde_json::json;

use crate::backend_tests;
use crate::harness::*;

fn kyc_required() -> Options {
    Options { extra: vec![("PAYGATE_KYC_REQUIRED", "true".into())], ..unlimited() }
}

fn test_network() -> Options {
    Options { extra: vec![("PAYGATE_NETWORK_MODE", "test".into())], ..unlimited() }
}

backend_tests! {
    options = kyc_required();

    async fn an_owner_without_kyc_cannot_take_payments(app) {
        let m = app.merchant("nokyc@example.com").await;
        let me = app.as_user(&m.token);
        me.post("/api/pay/pay-link/reusable", json!({"name": "x", "coin_id": 1, "amount": 1})).await.err(403, 4031);
        me.post("/api/pay/pay-link/temporary", json!({"name": "x", "coin_id": 1, "amount": 1})).await.err(403, 4031);
        me.post("/api/wallet", json!({"chain_id": 9})).await.err(403, 4031);
        me.post("/api/receive/create", json!({"token_id": 14, "amount": "5"})).await.err(403, 4031);
        me.post("/invoice/create", json!({"amount": 1, "coin_id": 1, "product_id": 1})).await.err(403, 4031);
    }
}

backend_tests! {
    options = test_network();

    async fn sandbox_routes_exist_only_on_sandbox_instances(app) {
        let api = app.api();
        let to = "0x0000000000000000000000000000000000000001";
        api.post("/sandbox/transfer", json!({"to_address": to, "token_id": 14, "amount": "1"})).await.err(404, 4009);
        api.post("/sandbox/invoice/pay", json!({"idInvoice": 1})).await.err(404, 4009);
        let (email, secret) = app.operator("ops-testnet@example.com").await;
        let op = app.as_user(&app.operator_token(&email, &secret).await);
        op.post("/sandbox/reorg", json!({"depth": 1})).await.err(404, 4009);
    }
}

backend_tests! {
    options = unlimited();

    async fn quotas_and_conflicts(app) {
        let m = app.merchant("quota@example.com").await;
        let me = app.as_user(&m.token);
        for n in 0..20 {
            me.post("/api/wallet", json!({"chain_id": 9, "label": format!("w{n}")})).await.ok(200);
        }
        me.post("/api/wallet", json!({"chain_id": 9})).await.err(422, 4235);
        me.post("/api/wallet", json!({"chain_id": 999})).await.err(404, 4040);
        let first = me.post("/api/webhook", json!({"url": "http://93.184.215.14/0"})).await.ok(200)["id"].clone();
        for n in 1..10 {
            me.post("/api/webhook", json!({"url": format!("http://93.184.215.14/{n}")})).await.ok(200);
        }
        me.post("/api/webhook", json!({"url": "http://93.184.215.14/10"})).await.err(422, 4235);
        me.put("/api/webhook", json!({"id": first, "url": "http://93.184.215.14/1"})).await.err(409, 4094);
        me.put("/api/webhook", json!({"id": 999_999, "enabled": false})).await.err(404, 4040);
        for n in 0..20 {
            me.post("/api/integration-key", json!({"name": format!("k{n}"), "scopes": ["invoice"]})).await.ok(200);
        }
        me.post("/api/integration-key", json!({"name": "one too many", "scopes": ["invoice"]})).await.err(422, 4235);
        me.put("/api/pay/pay-link", json!({"id": 999_999, "name": "x"})).await.err(404, 4040);
        me.get("/api/pay/pay-link/info/999999").await.err(404, 4040);
        me.delete("/api/pay/pay-link?id=999999", json!({})).await.err(404, 4040);
    }
}

async fn sql(app: &TestApp, statement: &str) {
    let mut c = app.services.store.conn().await.unwrap();
    paygate_store::testing::execute(&mut c, statement).await.unwrap();
    // Raw SQL goes behind the services' back, as another node would.
    app.services.forget_reference();
}

backend_tests! {
    options = unlimited();

    async fn invoices_refuse_what_cannot_be_paid(app) {
        let m = app.merchant("refusals@example.com").await;
        let me = app.as_user(&m.token);
        // narrowing to a token the owner cannot accept
        me.post("/invoice/create", json!({"amount": 1, "coin_id": 6, "product_id": 1, "token_ids": [6]})).await.err(422, 4224);
        let id = me.post("/invoice/create", json!({"amount": 10, "coin_id": 6, "product_id": 1, "token_ids": [14]})).await.ok(200)["invoice_id"].as_i64().unwrap();
        // partly paid: the token cannot change any more
        me.post("/invoice/pay", json!({"idInvoice": id, "token_id": 14})).await.ok(200);
        app.api().post("/sandbox/invoice/pay", json!({"idInvoice": id, "amount": "4"})).await.ok(200);
        mine(&app).await;
        let other = me.post("/invoice/create", json!({"amount": 10, "coin_id": 6, "product_id": 1})).await.ok(200)["invoice_id"].as_i64().unwrap();
        me.post("/invoice/pay", json!({"idInvoice": id, "token_id": 13})).await.err(422, 4224);
        me.post("/invoice/pay", json!({"idInvoice": other, "token_id": 14})).await.ok(200);
        app.api().post("/sandbox/invoice/pay", json!({"idInvoice": other, "amount": "1"})).await.ok(200);
        mine(&app).await;
        me.post("/invoice/pay", json!({"idInvoice": other, "token_id": 13})).await.err(422, 4221);
        // no active key for the chain: nothing can be issued on it
        sql(&app, "UPDATE xpubs SET status_id = 2 WHERE chain_id = 9").await;
        let third = me.post("/invoice/create", json!({"amount": 10, "coin_id": 6, "product_id": 1})).await.ok(200)["invoice_id"].as_i64().unwrap();
        me.post("/invoice/pay", json!({"idInvoice": third, "token_id": 14})).await.err(422, 4224);
        me.post("/api/wallet", json!({"chain_id": 9})).await.err(422, 4229);
        // a plan without the product: no new links, and the old links take no new invoices
        let link = me.post("/api/pay/pay-link/reusable", json!({"name": "Old", "coin_id": 1, "amount": 1})).await.ok(200)["id"].clone();
        sql(&app, &format!("UPDATE owners SET plan_id = 3 WHERE id = {}", m.owner_id)).await;
        me.post("/api/pay/pay-link/reusable", json!({"name": "x", "coin_id": 1, "amount": 1})).await.err(403, 4035);
        let public = json!({"amount": 1, "coin_id": 1, "id": link, "product_id": 2});
        app.client_at("10.63.0.1").post("/invoice/create", public).await.err(403, 4035);
    }

    async fn a_key_that_cannot_derive_is_5001_and_spends_no_index(app) {
        let m = app.merchant("derive@example.com").await;
        let me = app.as_user(&m.token);
        let key = |app: &TestApp| {
            let store = app.services.store.clone();
            async move {
                let mut c = store.conn().await.unwrap();
                let keys = paygate_store::xpubs::list(&mut c, Some(9)).await.unwrap();
                keys.into_iter().find(|k| k.status_id == 1).expect("active sandbox key")
            }
        };
        let before = key(&app).await;
        sql(&app, "UPDATE xpubs SET xpub = 'xpub-that-is-not-a-key' WHERE chain_id = 9 AND status_id = 1").await;
        let id = me.post("/invoice/create", json!({"amount": 10, "coin_id": 6, "product_id": 1})).await.ok(200)["invoice_id"].as_i64().unwrap();
        me.post("/invoice/pay", json!({"idInvoice": id, "token_id": 14})).await.err(500, 5001);
        assert_eq!(key(&app).await.next_index, before.next_index, "the failed unit of work spent no index");
        assert_eq!(me.post("/invoice/receive", json!({"idInvoice": id})).await.ok(200)["status"], 1);
        sql(&app, &format!("UPDATE xpubs SET xpub = '{}' WHERE id = {}", before.xpub, before.id)).await;
        me.post("/invoice/pay", json!({"idInvoice": id, "token_id": 14})).await.ok(200);
        assert_eq!(key(&app).await.next_index, before.next_index + 1);
    }

    async fn links_keys_and_reorgs_refuse_what_they_must(app) {
        let m = app.merchant("refusals2@example.com").await;
        let me = app.as_user(&m.token);
        let l = me.post("/api/pay/pay-link/temporary", json!({"name": "Once", "coin_id": 1, "amount": 5})).await.ok(200).clone();
        sql(&app, &format!("UPDATE pay_links SET status_id = 3 WHERE id = {}", l["id"])).await;
        me.put("/api/pay/pay-link", json!({"id": l["id"], "status_id": 1})).await.err(409, 4096);
        // an expired key stops working at once
        let key = me.post("/api/integration-key", json!({"name": "soon", "scopes": ["invoice"], "expires_at": "2099-01-01T00:00:00Z"})).await.ok(200).clone();
        let api = app.api().with_header("X-API-Key", key["key"].as_str().unwrap());
        api.post("/invoice/create", json!({"amount": 1, "coin_id": 1, "product_id": 1})).await.ok(200);
        sql(&app, &format!("UPDATE api_keys SET expires_at = 1 WHERE id = {}", key["id"])).await;
        api.post("/invoice/create", json!({"amount": 1, "coin_id": 1, "product_id": 1})).await.err(401, 4017);
        // a payout key needs a second factor: none was requested
        me.post("/api/integration-key", json!({"name": "pay", "scopes": ["payout"], "otp": "000000"})).await.err(404, 4021);
        let (email, secret) = app.operator("reorg-ops@example.com").await;
        let op = app.as_user(&app.operator_token(&email, &secret).await);
        op.post("/sandbox/reorg", json!({"depth": 65})).await.err(400, 4004);
        op.post("/sandbox/reorg", json!({})).await.err(400, 4002);
    }
}
