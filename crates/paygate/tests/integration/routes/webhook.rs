//! Merchant webhooks (§5.1) against a real receiver on a loopback port.

use std::collections::BTreeSet;

use paygate_testkit::http::Api;
use serde_json::{Value, json};

use crate::backend_tests;
use crate::harness::*;

fn private_targets_allowed() -> Options {
    Options { extra: vec![("PAYGATE_WEBHOOK_ALLOW_PRIVATE", "true".into())], ..unlimited() }
}

/// Runs the delivery worker at `now + offset` seconds, as the job would then.
async fn deliver_at(app: &TestApp, offset: i64) {
    app.services.deliver_webhooks(paygate_core::time::now() + offset).await.unwrap();
}

/// A paid sandbox invoice of a fresh 10 USD link; returns its id.
async fn paid_invoice(app: &TestApp, me: &Api) -> i64 {
    let l = me.post("/api/pay/pay-link/reusable", json!({"name": "Coffee", "coin_id": 1, "amount": 10})).await;
    let payer = app.client_at("10.80.0.1");
    let c = payer
        .post("/invoice/create", json!({"amount": 10, "coin_id": 1, "id": l.ok(200)["id"], "product_id": 2}))
        .await;
    let id = c.ok(200)["invoice_id"].as_i64().unwrap();
    payer.post("/invoice/pay", json!({"idInvoice": id, "coin_id": 6})).await.ok(200);
    app.api().post("/sandbox/invoice/pay", json!({"idInvoice": id})).await.ok(200);
    mine(app).await;
    id
}

fn types(received: &[Received]) -> BTreeSet<String> {
    received.iter().map(|r| r.body["type"].as_str().unwrap().to_owned()).collect()
}

backend_tests! {
    options = private_targets_allowed();

    async fn invoices_of_an_integration_key_announce_exactly_while_an_endpoint_listens(app) {
        let sink = WebhookSink::start(0).await;
        let m = app.merchant("key-hooks@example.com").await;
        let me = app.as_user(&m.token);
        let key = me.post("/api/integration-key", json!({"name": "shop", "scopes": ["invoice"]})).await.ok(200)["key"].as_str().unwrap().to_owned();
        let api = app.api().with_header("X-API-Key", &key);
        let invoice = || async {
            let id = api.post("/invoice/create", json!({"amount": 10, "coin_id": 6, "product_id": 1})).await.ok(200)["invoice_id"].as_i64().unwrap();
            api.post("/invoice/pay", json!({"idInvoice": id, "token_id": 14})).await.ok(200);
            id
        };
        // no endpoint: nothing is written to announce
        invoice().await;
        let hook = me.post("/api/webhook", json!({"url": sink.url})).await.ok(200)["id"].clone();
        deliver_at(&app, 0).await;
        assert!(sink.accepted().is_empty());
        // an endpoint: both events of a key's invoice arrive
        let id = invoice().await;
        deliver_at(&app, 0).await;
        let got = sink.accepted();
        assert_eq!(types(&got), ["invoice.created".to_owned(), "invoice.awaiting_payment".to_owned()].into());
        assert!(got.iter().all(|r| r.body["data"]["invoice_id"] == id));
        // disabled: silence again; enabled: events again
        me.put("/api/webhook", json!({"id": hook, "enabled": false})).await.ok(204);
        invoice().await;
        me.put("/api/webhook", json!({"id": hook, "enabled": true})).await.ok(204);
        let back = invoice().await;
        deliver_at(&app, 0).await;
        let got = sink.accepted();
        assert_eq!(got.len(), 4, "two events of the first and two of the last invoice");
        assert!(got[2..].iter().all(|r| r.body["data"]["invoice_id"] == back));
        // deleted: silence
        me.delete("/api/webhook", json!({"id": hook})).await.ok(204);
        invoice().await;
        deliver_at(&app, 0).await;
        assert_eq!(sink.accepted().len(), 4);
    }

    async fn endpoints_and_signed_delivery_with_retries(app) {
        let sink = WebhookSink::start(2).await;
        let m = app.merchant("hooks@example.com").await;
        let me = app.as_user(&m.token);
        let created = me.post("/api/webhook", json!({"url": sink.url, "description": "shop"})).await.ok(200).clone();
        let secret = created["secret"].as_str().unwrap().to_owned();
        assert!(secret.starts_with("whsec_") && secret.len() == 6 + 43, "{secret}");
        assert_eq!((created["enabled"].clone(), created["event_types"].clone()), (json!(true), json!([])));
        let listed = me.get("/api/webhook").await.ok(200).clone();
        assert_eq!(listed.as_array().unwrap().len(), 1);
        assert_eq!(listed[0]["secret_prefix"], &secret[..12]);
        assert!(listed[0].get("secret").is_none(), "the secret is shown once");
        // contract errors
        me.post("/api/webhook", json!({"url": sink.url})).await.err(409, 4094);
        me.post("/api/webhook", json!({"url": "ftp://example.com/x"})).await.err(400, 4005);
        me.post("/api/webhook", json!({"url": "https://example.com/x", "event_types": ["invoice.nope"]})).await.err(400, 4005);
        me.post("/api/webhook", json!({})).await.err(400, 4002);
        let types_list = me.get("/api/webhook/event/types").await.ok(200).clone();
        assert_eq!(types_list.as_array().unwrap().len(), 17);
        assert_eq!(types_list[0], json!({"type": "invoice.created", "description": "An invoice was created"}));

        let invoice_id = paid_invoice(&app, &me).await;
        // walk the retry schedule: 1 min, 5 min, ... until everything has arrived
        for hour in 0..6 {
            deliver_at(&app, hour * 3600).await;
        }
        let got = sink.accepted();
        let want: BTreeSet<String> = ["invoice.created", "invoice.awaiting_payment", "invoice.payment_received", "invoice.payment_confirmed", "invoice.paid"]
            .map(String::from).into();
        assert!(types(&got).is_superset(&want), "{:?}", types(&got));
        assert!(sink.attempts() >= got.len() + 2, "the first two attempts failed and were retried");
        for r in &got {
            assert!(r.signed_with(&secret), "signature of {}", r.body["type"]);
            assert!(!r.signed_with("whsec_other"), "a different secret does not verify");
            assert_eq!(r.header("x-webhook-id"), r.body["id"].to_string());
            assert_eq!(r.header("x-webhook-event"), r.body["type"].as_str().unwrap());
            assert_eq!((r.header("content-type"), r.header("user-agent")), ("application/json", "paygate-webhooks/1"));
            assert_eq!((r.body["owner_id"].clone(), r.body["data"]["invoice_id"].clone()), (json!(m.owner_id), json!(invoice_id)));
            let t: i64 = r.header("x-webhook-signature")[2..].split(',').next().unwrap().parse().unwrap();
            assert!((t - paygate_core::time::now()).abs() < 30 * 3600, "t is the attempt's time");
        }
        let paid = got.iter().find(|r| r.body["type"] == "invoice.paid").unwrap().clone();
        assert_eq!((paid.body["data"]["status"].clone(), paid.body["data"]["amount_paid"].clone()), (json!(4), json!("10")));
        let confirmed = got.iter().find(|r| r.body["type"] == "invoice.payment_confirmed").unwrap();
        assert_eq!(confirmed.body["data"]["payment"]["status"], "confirmed");

        // the log: every delivery succeeded, the retried ones with attempt > 1
        let log = me.post("/api/webhook/delivery/list", json!({"filters": {"status": ["succeeded"]}})).await;
        let log = log.ok(200).as_array().unwrap().clone();
        assert_eq!(log.len(), got.len());
        assert!(log.iter().any(|d| d["attempt"].as_i64().unwrap() > 1));
        assert!(log.iter().all(|d| d["http_status"] == 200 && d["request_body"].is_string()));
        me.post("/api/webhook/delivery/list", json!({"filters": {"status": ["lost"]}})).await.err(400, 4005);
        let by_type = me.post("/api/webhook/delivery/list", json!({"filters": {"event_type": "invoice.paid"}})).await;
        assert_eq!(by_type.header("x-total-count"), Some("1"));
        let paid_delivery = by_type.body[0]["id"].as_i64().unwrap();

        // redelivery: same event id and body, fresh delivery and signature
        me.post("/api/webhook/delivery/redeliver", json!({"id": paid_delivery})).await.ok(204);
        deliver_at(&app, 7 * 3600).await;
        let again = sink.accepted().last().unwrap().clone();
        assert_eq!((again.header("x-webhook-id"), again.raw.clone()), (paid.header("x-webhook-id"), paid.raw.clone()));
        assert_ne!(again.header("x-webhook-delivery"), paid.header("x-webhook-delivery"));
        assert!(again.signed_with(&secret));

        // other owners see nothing of it
        let other = app.merchant("hooks-other@example.com").await;
        let them = app.as_user(&other.token);
        them.post("/api/webhook/delivery/redeliver", json!({"id": paid_delivery})).await.err(404, 4040);
        them.put("/api/webhook", json!({"id": created["id"], "enabled": false})).await.err(404, 4040);
        assert_eq!(them.post("/api/webhook/delivery/list", json!({})).await.header("x-total-count"), Some("0"));

        // subscriptions narrow, deletion stops deliveries
        me.put("/api/webhook", json!({"id": created["id"], "event_types": ["invoice.paid"], "description": null})).await.ok(204);
        let e = me.get("/api/webhook").await.ok(200)[0].clone();
        assert_eq!((e["event_types"].clone(), e["description"].clone()), (json!(["invoice.paid"]), Value::Null));
        let before = sink.accepted().len();
        paid_invoice(&app, &me).await;
        deliver_at(&app, 8 * 3600).await;
        assert_eq!(types(&sink.accepted()[before..]), ["invoice.paid".to_owned()].into());
        me.delete(&format!("/api/webhook?id={}", created["id"]), json!({})).await.ok(204);
        me.delete("/api/webhook", json!({"id": created["id"]})).await.err(404, 4040);
        assert_eq!(me.get("/api/webhook").await.ok(200), &json!([]));
        paid_invoice(&app, &me).await;
        deliver_at(&app, 9 * 3600).await;
        assert_eq!(sink.accepted().len(), before + 1, "a deleted endpoint gets nothing");
        me.post("/api/webhook/delivery/redeliver", json!({"id": paid_delivery})).await.err(404, 4040);
        assert_ledger_ok(&app).await;
    }

    async fn expiry_late_payments_and_deposits_are_announced(app) {
        let sink = WebhookSink::start(0).await;
        let m = app.merchant("late@example.com").await;
        let me = app.as_user(&m.token);
        let types_wanted = json!(["invoice.expired", "invoice.paid_late", "deposit.confirmed"]);
        let secret = me.post("/api/webhook", json!({"url": sink.url, "event_types": types_wanted})).await.ok(200)["secret"].as_str().unwrap().to_owned();
        let id = me.post("/invoice/create", json!({"amount": 5, "coin_id": 6, "product_id": 1})).await.ok(200)["invoice_id"].as_i64().unwrap();
        me.post("/invoice/pay", json!({"idInvoice": id, "token_id": 14})).await.ok(200);
        let mut c = app.services.store.conn().await.unwrap();
        paygate_store::testing::execute(&mut c, &format!("UPDATE invoices SET expires_at = expires_at - 7200 WHERE id = {id}")).await.unwrap();
        drop(c);
        app.services.advance_due_invoices().await.unwrap();
        app.api().post("/sandbox/invoice/pay", json!({"idInvoice": id, "amount": "5"})).await.ok(200);
        mine(&app).await;
        let wallet = me.post("/api/wallet", json!({"chain_id": 9})).await.ok(200)["address"].as_str().unwrap().to_owned();
        app.api().post("/sandbox/transfer", json!({"to_address": wallet, "token_id": 14, "amount": "2"})).await.ok(200);
        mine(&app).await;
        deliver_at(&app, 0).await;
        let got = sink.accepted();
        assert_eq!(types(&got), ["invoice.expired", "invoice.paid_late", "deposit.confirmed"].map(String::from).into());
        assert!(got.iter().all(|r| r.signed_with(&secret)));
        let late = got.iter().find(|r| r.body["type"] == "invoice.paid_late").unwrap();
        assert_eq!((late.body["data"]["status"].clone(), late.body["data"]["exception"].clone()), (json!(5), json!("paid_late")));
        let deposit = &got.iter().find(|r| r.body["type"] == "deposit.confirmed").unwrap().body["data"];
        assert_eq!((deposit["address"].clone(), deposit["token_id"].clone(), deposit["amount"].clone(), deposit["invoice_id"].clone()), (json!(wallet), json!(14), json!("2"), Value::Null));
        assert!(deposit["wallet_id"].is_i64() && deposit["tx_hash"].is_string());
    }

    async fn failing_endpoints_are_disabled_after_five_days(app) {
        let sink = WebhookSink::start(0).await;
        sink.answer(503);
        let m = app.merchant("failing@example.com").await;
        let me = app.as_user(&m.token);
        let id = me.post("/api/webhook", json!({"url": sink.url, "event_types": ["transfer.received"]})).await.ok(200)["id"].clone();
        let sender = app.merchant("sender@example.com").await;
        let from = fund(&app, sender.owner_id, 6, "100").await;
        let t = json!({"from_balance_id": from, "to_owner_id": m.owner_id, "amount": 5, "order_id": "t-1", "product_id": 1, "user_id": 1});
        app.as_user(&sender.token).post("/api/transfer", t).await.ok(204);
        deliver_at(&app, 0).await;
        let e = me.get("/api/webhook").await.ok(200)[0].clone();
        assert!(e["failing_since"].is_string() && e["enabled"] == true, "{e}");
        let d = me.post("/api/webhook/delivery/list", json!({})).await.ok(200)[0].clone();
        assert_eq!((d["status"].clone(), d["http_status"].clone(), d["error"].clone()), (json!("retrying"), json!(503), json!("HTTP 503")));
        assert!(d["next_attempt_at"].is_string());
        let event: Value = serde_json::from_str(d["request_body"].as_str().unwrap()).unwrap();
        assert_eq!((event["type"].clone(), event["data"]["from_owner_id"].clone(), event["data"]["code"].clone()), (json!("transfer.received"), json!(sender.owner_id), json!("USDT")));
        assert_eq!(event["data"]["amount"].to_string(), "5");
        // five days of failures later the endpoint is switched off and the owner told
        deliver_at(&app, 5 * 86400 + 120).await;
        let e = me.get("/api/webhook").await.ok(200)[0].clone();
        assert_eq!(e["enabled"], false, "{e}");
        let n = me.get("/api/notification").await;
        assert!(n.body.to_string().contains("Webhook endpoint disabled"), "{}", n.body);
        // a 4xx other than 408/429 is final
        sink.answer(410);
        me.post("/api/webhook/delivery/redeliver", json!({"id": d["id"]})).await.ok(204);
        deliver_at(&app, 5 * 86400 + 200).await;
        let last = me.post("/api/webhook/delivery/list", json!({"limit": 1})).await.ok(200)[0].clone();
        assert_eq!((last["status"].clone(), last["http_status"].clone(), last["attempt"].clone()), (json!("failed"), json!(410), json!(1)));
        // re-enabling starts the failure clock over
        me.put("/api/webhook", json!({"id": id, "enabled": true})).await.ok(204);
        let e = me.get("/api/webhook").await.ok(200)[0].clone();
        assert_eq!((e["enabled"].clone(), e["failing_since"].clone()), (json!(true), Value::Null));
        let received = sink.accepted();
        assert!(received.is_empty());
    }
}

backend_tests! {
    async fn private_and_loopback_targets_are_refused(app) {
        let m = app.merchant("private@example.com").await;
        let me = app.as_user(&m.token);
        for url in ["http://127.0.0.1:9/hook", "https://10.1.2.3/hook", "https://[::1]/hook", "https://169.254.169.254/latest", "https://localhost/hook"] {
            let r = me.post("/api/webhook", json!({"url": url})).await;
            r.err(400, 4005);
            assert_eq!(r.field(), Some("url"));
        }
        me.post("/api/webhook", json!({"url": "https://user:pw@93.184.215.14/hook"})).await.err(400, 4005);
        // a public address literal passes (sandbox instances also allow plain http)
        me.post("/api/webhook", json!({"url": "http://93.184.215.14/hook"})).await.ok(200);
        me.get("/api/webhook").await.ok(200);
        let member = app.member("hooks-viewer@example.com", m.owner_id, 5).await;
        app.as_user(&member.token).get("/api/webhook").await.err(403, 4030);
        app.as_user(&member.token).get("/api/webhook/event/types").await.ok(200);
    }
}
