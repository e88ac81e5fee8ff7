//! `/api/integration-key` and `X-API-Key` on `/invoice/*`.

use serde_json::json;

use crate::backend_tests;

backend_tests! {
    async fn keys_create_use_and_revoke(app) {
        let m = app.merchant("keys@example.com").await;
        let me = app.as_user(&m.token);
        let k = me.post("/api/integration-key", json!({"name": "Shop backend", "scopes": ["invoice"]})).await;
        let k = k.ok(200).clone();
        let key = k["key"].as_str().unwrap().to_owned();
        assert!(key.starts_with("gk_test_") && key.len() == 8 + 43, "{key}");
        assert_eq!((k["prefix"].clone(), k["status_id"].clone(), k["scopes"].clone()), (json!(&key[..12]), json!(1), json!(["invoice"])));
        let list = me.get("/api/integration-key").await;
        assert!(list.ok(200)[0].get("key").is_none(), "the secret is shown once");
        let api = app.api().with_header("X-API-Key", &key);
        let created = api.post("/invoice/create", json!({"amount": 12, "coin_id": 1, "product_id": 1, "metadata": {"ref": "A1"}})).await;
        let id = created.ok(200)["invoice_id"].as_i64().unwrap();
        let s = api.post("/invoice/receive", json!({"idInvoice": id})).await;
        assert_eq!(s.ok(200)["metadata"], json!({"ref": "A1"}));
        api.post("/invoice/pay", json!({"idInvoice": id, "token_id": 14})).await.ok(200);
        // the key wins over a bearer token of another owner
        let other = app.merchant("keys-other@example.com").await;
        api.with_token(&other.token).post("/invoice/receive", json!({"idInvoice": id})).await.ok(200);
        app.as_user(&other.token).post("/invoice/receive", json!({"idInvoice": id})).await.err(404, 4040);
        // another owner's key sees nothing
        let ok = app.as_user(&other.token).post("/api/integration-key", json!({"name": "o", "scopes": ["invoice"]})).await;
        let other_key = ok.ok(200)["key"].as_str().unwrap().to_owned();
        app.api().with_header("X-API-Key", &other_key).post("/invoice/receive", json!({"idInvoice": id})).await.err(404, 4040);
        // scope, validity, revocation
        app.api().with_header("X-API-Key", "gk_test_nope").post("/invoice/receive", json!({"idInvoice": id})).await.err(401, 4017);
        me.post("/api/integration-key", json!({"name": "p", "scopes": ["payout"]})).await.err(400, 4002);
        let n = app.mail.code_count(&m.email);
        me.post("/api/tfa/otp", json!({"purpose": "integration_key"})).await.ok(204);
        let code = app.mail.next_code(&m.email, n).await;
        let payout = me.post("/api/integration-key", json!({"name": "p", "scopes": ["payout"], "otp": code})).await;
        let payout_key = payout.ok(200)["key"].as_str().unwrap().to_owned();
        app.api().with_header("X-API-Key", &payout_key).post("/invoice/create", json!({"amount": 1, "coin_id": 1, "product_id": 1})).await.err(403, 4018);
        me.post("/api/integration-key", json!({"name": "x", "scopes": []})).await.err(400, 4004);
        me.post("/api/integration-key", json!({"name": "x", "scopes": ["admin"]})).await.err(400, 4004);
        me.post("/api/integration-key", json!({"name": "x", "scopes": ["invoice"], "expires_at": "2001-01-01T00:00:00Z"})).await.err(400, 4004);
        me.delete(&format!("/api/integration-key?id={}", k["id"]), json!({})).await.ok(204);
        me.delete("/api/integration-key", json!({"id": k["id"]})).await.ok(204);
        api.post("/invoice/receive", json!({"idInvoice": id})).await.err(401, 4017);
        assert_eq!(me.get("/api/integration-key").await.ok(200).as_array().unwrap().iter().find(|x| x["id"] == k["id"]).unwrap()["status_id"], 2);
        app.as_user(&other.token).delete("/api/integration-key", json!({"id": k["id"]})).await.err(404, 4040);
        // an idempotent create through a key replays
        let k3 = me.post("/api/integration-key", json!({"name": "idem", "scopes": ["invoice"]})).await.ok(200)["key"].as_str().unwrap().to_owned();
        let idem = app.api().with_header("X-API-Key", &k3).with_header("Idempotency-Key", "create-1");
        let first = idem.post("/invoice/create", json!({"amount": 3, "coin_id": 1, "product_id": 1})).await;
        let second = idem.post("/invoice/create", json!({"amount": 3, "coin_id": 1, "product_id": 1})).await;
        assert_eq!(first.ok(200)["invoice_id"], second.ok(200)["invoice_id"]);
        assert_eq!(second.header("idempotent-replayed"), Some("true"));
        // a suspended owner's keys stop with its sign-ins
        let mut c = app.services.store.conn().await.unwrap();
        paygate_store::testing::execute(&mut c, &format!("UPDATE owners SET status = 2 WHERE id = {}", m.owner_id)).await.unwrap();
        drop(c);
        app.api().with_header("X-API-Key", &k3).post("/invoice/create", json!({"amount": 3, "coin_id": 1, "product_id": 1})).await.err(403, 4034);
    }
}
