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
