//! `/api/transfer*`: transfers, exchanges, their errors, concurrency and idempotency.

use serde_json::json;

use crate::backend_tests;
use crate::harness::*;

fn transfer(from: i64, to: i64, amount: serde_json::Value, order: &str) -> serde_json::Value {
    json!({"amount": amount, "from_balance_id": from, "order_id": order, "product_id": 1, "to_owner_id": to, "user_id": 1})
}

backend_tests! {
    async fn transfer_books_sender_recipient_and_fees(app) {
        let a = app.merchant("sender-a@example.com").await;
        let b = app.merchant("receiver-b@example.com").await;
        let from = fund(&app, a.owner_id, 6, "100").await;
        let me = app.as_user(&a.token);
        let check = me.post("/api/transfer/check/recipient", json!({"to_owner_id": b.owner_id, "from_balance_id": from, "amount": 40})).await;
        let check = check.ok(200).clone();
        assert_eq!(check["to_owner_name"], "Shop of receiver-b@example.com");
        assert_eq!((check["can_receive"].clone(), check["coin_id"].clone()), (json!(true), json!(6)));
        assert_eq!((check["commission"].to_string(), check["total_debit"].to_string()), ("0.2".to_owned(), "40.2".to_owned()));
        let r = me.post("/api/transfer", json!({"amount": 40, "commission": 0.2, "from_balance_id": from, "order_id": "order-1", "product_id": 1, "to_owner_id": b.owner_id})).await;
        assert_eq!(r.status, 204, "{}", r.body);
        assert!(r.raw.is_empty());
        assert_eq!(balance_of(&me, 6).await["amount"].to_string(), "59.8");
        let theirs = balance_of(&app.as_user(&b.token), 6).await;
        assert_eq!(theirs["amount"].to_string(), "40", "the recipient's balance was opened by the credit");
        // the documented read
        let t = me.get("/api/transfer/order-1").await.ok(200).clone();
        assert_eq!(t["amount"].to_string(), "40");
        assert_eq!(t["commission"].to_string(), "0.2");
        assert_eq!((t["author"].clone(), t["from_iso_string"].clone(), t["order_id"].clone()), (json!("Jan Novák"), json!("USDT"), json!("order-1")));
        assert_eq!((t["from_balance_id"].clone(), t["to_owner_id"].clone(), t["to_balance_id"].clone()), (json!(from), json!(b.owner_id), theirs["id"].clone()));
        assert_eq!(t["to_owner_name"], "Shop of receiver-b@example.com");
        assert!(t["date"].as_str().unwrap().ends_with('Z'));
        me.get(&format!("/api/transfer/order-1/{}", a.user_id)).await.ok(200);
        me.get(&format!("/api/transfer/order-1/{}", b.user_id)).await.err(404, 4040);
        me.get("/api/transfer/order-1/abc").await.err(400, 4007);
        me.get("/api/transfer/nope").await.err(404, 4040);
        app.as_user(&b.token).get("/api/transfer/order-1").await.err(404, 4040);
        // notifications on both sides
        let notes = app.as_user(&b.token).get("/api/notification").await;
        assert_eq!(notes.ok(200)[0]["type"], "transfer.received");
        assert_eq!(notes.header("x-total-count"), Some("1"));
        assert_eq!(me.get("/api/notification/unread?limit=1").await.header("x-total-count"), Some("1"));
        assert_ledger_ok(&app).await;
    }

    async fn transfer_errors(app) {
        let a = app.merchant("errors-a@example.com").await;
        let b = app.merchant("errors-b@example.com").await;
        let from = fund(&app, a.owner_id, 6, "50").await;
        let eur = fund(&app, a.owner_id, 2, "5").await;
        let me = app.as_user(&a.token);
        me.post("/api/transfer", transfer(from, b.owner_id, json!(10), "dup")).await.ok(204);
        me.post("/api/transfer", transfer(from, b.owner_id, json!(10), "dup")).await.err(409, 4091);
        me.post("/api/transfer", transfer(from, b.owner_id, json!(1000), "big")).await.err(422, 4220);
        me.post("/api/transfer", transfer(from, a.owner_id, json!(1), "self")).await.err(422, 4227);
        me.post("/api/transfer", transfer(from, 999_999, json!(1), "ghost")).await.err(404, 4040);
        me.post("/api/transfer", transfer(999_999, b.owner_id, json!(1), "nobal")).await.err(404, 4040);
        me.post("/api/transfer", transfer(from, b.owner_id, json!(1.1234567), "dec")).await.err(400, 4006);
        me.post("/api/transfer", transfer(from, b.owner_id, json!("-1"), "neg")).await.err(400, 4006);
        me.post("/api/transfer", transfer(from, b.owner_id, json!("1e3"), "exp")).await.err(400, 4006);
        me.post("/api/transfer", transfer(from, b.owner_id, json!(0), "zero")).await.err(400, 4006);
        let mut bad = transfer(from, b.owner_id, json!(1), "comm");
        bad["commission"] = json!(0.001);
        me.post("/api/transfer", bad).await.err(422, 4230);
        let mut bad = transfer(from, b.owner_id, json!(1), "prod");
        bad["product_id"] = json!(9);
        me.post("/api/transfer", bad).await.err(400, 4004);
        let r = me.post("/api/transfer", json!({"amount": 1})).await;
        r.err(400, 4002);
        assert_eq!(r.body["errors"].as_array().unwrap().len(), 4, "every missing field: {}", r.body);
        me.post("/api/transfer", transfer(from, b.owner_id, json!(1), "a/b")).await.err(400, 4005);
        me.put("/api/balance/default/set", json!({"balance_id": eur})).await.ok(204);
        me.put("/api/balance/available/off", json!({"balance_id": from})).await.ok(204);
        me.post("/api/transfer", transfer(from, b.owner_id, json!(1), "off")).await.err(422, 4226);
        // roles: an accountant reads, cannot send
        let acc = app.member("errors-acc@example.com", a.owner_id, 3).await;
        app.as_user(&acc.token).post("/api/transfer", transfer(from, b.owner_id, json!(1), "acc")).await.err(403, 4030);
        app.as_user(&acc.token).get("/api/transfer/dup").await.ok(200);
        // a plan without the product
        let mut c = app.services.store.conn().await.unwrap();
        paygate_store::testing::execute(&mut c, &format!("UPDATE owners SET plan_id = 3 WHERE id = {}", a.owner_id)).await.unwrap();
        drop(c);
        me.put("/api/balance/available/set", json!({"balance_id": from})).await.ok(204);
        let mut p2 = transfer(from, b.owner_id, json!(1), "p2");
        p2["product_id"] = json!(2);
        me.post("/api/transfer", p2).await.err(403, 4035);
        // plan 3's daily limit is 1000 USD
        fund(&app, a.owner_id, 6, "2000").await;
        me.post("/api/transfer", transfer(from, b.owner_id, json!(995), "limit")).await.err(422, 4228);
        me.post("/api/transfer/check/recipient", json!({"to_owner_id": a.owner_id})).await.err(422, 4227);
        me.post("/api/transfer/check/recipient", json!({"to_owner_id": 999_999})).await.err(404, 4040);
        assert_ledger_ok(&app).await;
    }

    async fn exchange_at_a_live_quote(app) {
        let m = app.merchant("fx@example.com").await;
        let usdt = fund(&app, m.owner_id, 6, "1000").await;
        let btc = fund(&app, m.owner_id, 3, "0").await;
        let me = app.as_user(&m.token);
        let q = me.get(&format!("/api/transfer/exchange/course?from_balance_id={usdt}&to_balance_id={btc}")).await;
        let q = q.ok(200).clone();
        // 1 USDT = 1/65000 BTC, less the 1 % spread, 18 places
        assert_eq!(q["rate"].to_string(), "0.000015230769230768");
        assert_eq!(q["max_amount"].to_string(), "1000");
        assert_eq!(q["min_amount"].to_string(), "0.000657", "smallest amount giving 1 satoshi");
        let rate = q["rate"].clone();
        let body = |amount: serde_json::Value, order: &str, rate: serde_json::Value| json!({"amount": amount, "from_balance_id": usdt, "to_balance_id": btc, "order_id": order, "product_id": 1, "rate": rate, "commission": 0});
        me.post("/api/transfer/exchange", body(json!(650), "fx-1", rate.clone())).await.ok(204);
        assert_eq!(balance_of(&me, 3).await["amount"].to_string(), "0.00989999");
        assert_eq!(balance_of(&me, 6).await["amount"].to_string(), "350");
        // a quote serves several exchanges until it expires
        me.post("/api/transfer/exchange", body(json!(1), "fx-2", rate.clone())).await.ok(204);
        me.post("/api/transfer/exchange", body(json!(1), "fx-2", rate.clone())).await.err(409, 4091);
        me.post("/api/transfer/exchange", body(json!(0.0001), "fx-3", rate.clone())).await.err(422, 4225);
        me.post("/api/transfer/exchange", body(json!(5000), "fx-4", rate.clone())).await.err(422, 4220);
        me.post("/api/transfer/exchange", body(json!(1), "fx-5", json!(0.00002))).await.err(422, 4222);
        // an expired quote
        let mut c = app.services.store.conn().await.unwrap();
        paygate_store::testing::execute(&mut c, "UPDATE exchange_quotes SET expires_at = expires_at - 60").await.unwrap();
        drop(c);
        me.post("/api/transfer/exchange", body(json!(1), "fx-6", rate.clone())).await.err(422, 4222);
        me.get(&format!("/api/transfer/exchange/course?from_balance_id={usdt}&to_balance_id={usdt}")).await.err(422, 4226);
        me.get(&format!("/api/transfer/exchange/course?from_balance_id={usdt}")).await.err(400, 4002);
        me.get("/api/transfer/exchange/course?from_balance_id=1&to_balance_id=2").await.err(404, 4040);
        assert_ledger_ok(&app).await;
    }

    async fn exact_amounts_round_trip(app) {
        let a = app.merchant("exact@example.com").await;
        let b = app.merchant("exact-b@example.com").await;
        let me = app.as_user(&a.token);
        let eth = fund(&app, a.owner_id, 4, "0.000000000000000003").await;
        assert_eq!(balance_of(&me, 4).await["amount"].to_string(), "0.000000000000000003");
        // 30 integer digits of USDT with all 6 decimals; a plan without a daily limit
        let mut c = app.services.store.conn().await.unwrap();
        paygate_store::testing::execute(&mut c, &format!("UPDATE owners SET plan_id = 2 WHERE id = {}", a.owner_id)).await.unwrap();
        drop(c);
        let huge = "123456789012345678901234567890.123456";
        let usdt = fund(&app, a.owner_id, 6, huge).await;
        let got = balance_of(&me, 6).await;
        assert_eq!(got["amount"].to_string(), huge);
        let r = me.post("/api/transfer", transfer(usdt, b.owner_id, serde_json::from_str("12345678901234567890123456.123456").unwrap(), "huge")).await;
        assert_eq!(r.status, 204, "{}", r.body);
        let theirs = balance_of(&app.as_user(&b.token), 6).await;
        assert_eq!(theirs["amount"].to_string(), "12345678901234567890123456.123456");
        // 0.25 % of it, rounded up to 6 places, came off the sender too
        let left = balance_of(&me, 6).await["amount"].to_string();
        assert_eq!(left, "123444412469247191246924719125.359691");
        let r = me.post("/api/transfer", transfer(eth, b.owner_id, json!("0.000000000000000001"), "wei")).await;
        assert_eq!(r.status, 204, "{}", r.body);
        assert_eq!(balance_of(&app.as_user(&b.token), 4).await["amount"].to_string(), "0.000000000000000001");
        assert_eq!(balance_of(&me, 4).await["amount"].to_string(), "0.000000000000000001", "1 wei sent, 1 wei commission");
        assert_ledger_ok(&app).await;
    }
}

backend_tests! {
    options = unlimited();

    async fn concurrent_transfers_never_overdraw(app) {
        let a = app.merchant("race-a@example.com").await;
        let b = app.merchant("race-b@example.com").await;
        let from = fund(&app, a.owner_id, 6, "100").await;
        let me = app.as_user(&a.token);
        let calls = (0..50).map(|i| {
            let me = me.clone();
            let body = transfer(from, b.owner_id, json!(10), &format!("race-{i}"));
            tokio::spawn(async move { me.post("/api/transfer", body).await })
        });
        let results: Vec<_> = futures_join(calls).await;
        let ok = results.iter().filter(|r| r.status == 204).count();
        let refused = results.iter().filter(|r| r.status == 422 && r.code() == 4220).count();
        assert_eq!((ok, refused), (9, 41), "10.05 per transfer out of 100: {:?}", results.iter().map(|r| (r.status, r.body.clone())).collect::<Vec<_>>());
        assert_eq!(balance_of(&me, 6).await["amount"].to_string(), "9.55");
        assert_eq!(balance_of(&app.as_user(&b.token), 6).await["amount"].to_string(), "90");
        assert_ledger_ok(&app).await;
    }

    async fn one_idempotency_key_moves_money_once(app) {
        let a = app.merchant("idem-a@example.com").await;
        let b = app.merchant("idem-b@example.com").await;
        let from = fund(&app, a.owner_id, 6, "1000").await;
        let me = app.as_user(&a.token).with_header("Idempotency-Key", "f1a2b3c4-key");
        let body = transfer(from, b.owner_id, json!(5), "idem-1");
        let calls = (0..200).map(|_| {
            let (me, body) = (me.clone(), body.clone());
            tokio::spawn(async move { me.post("/api/transfer", body).await })
        });
        let results = futures_join(calls).await;
        let first = results.iter().filter(|r| r.status == 204 && r.header("idempotent-replayed").is_none()).count();
        let replays = results.iter().filter(|r| r.status == 204 && r.header("idempotent-replayed") == Some("true")).count();
        let running = results.iter().filter(|r| r.status == 409 && r.code() == 4093).count();
        assert_eq!(first, 1, "exactly one execution");
        assert_eq!(first + replays + running, 200, "{:?}", results.iter().map(|r| (r.status, r.body.clone())).collect::<Vec<_>>());
        assert!(results.iter().filter(|r| r.status == 204).all(|r| r.raw.is_empty()));
        let again = me.post("/api/transfer", body.clone()).await;
        assert_eq!((again.status, again.header("idempotent-replayed")), (204, Some("true")));
        assert_eq!(balance_of(&app.as_user(&b.token), 6).await["amount"].to_string(), "5");
        // the same key with another body
        let mut other = body.clone();
        other["amount"] = json!(6);
        me.post("/api/transfer", other).await.err(409, 4092);
        // a refused request (400) is not remembered: the key can be used again
        let k2 = app.as_user(&a.token).with_header("Idempotency-Key", "second-key");
        k2.post("/api/transfer", json!({"amount": 1})).await.err(400, 4002);
        let ok = k2.post("/api/transfer", transfer(from, b.owner_id, json!(1), "idem-2")).await;
        assert_eq!((ok.status, ok.header("idempotent-replayed")), (204, None));
        // a 422 is remembered and replayed
        let k3 = app.as_user(&a.token).with_header("Idempotency-Key", "third-key");
        k3.post("/api/transfer", transfer(from, b.owner_id, json!(5000), "idem-3")).await.err(422, 4220);
        let replay = k3.post("/api/transfer", transfer(from, b.owner_id, json!(5000), "idem-3")).await;
        replay.err(422, 4220);
        assert_eq!(replay.header("idempotent-replayed"), Some("true"));
        app.as_user(&a.token).with_header("Idempotency-Key", "bad key with spaces").post("/api/transfer", body).await.err(400, 4005);
        assert_ledger_ok(&app).await;
    }
}

async fn futures_join<T: Send + 'static>(handles: impl Iterator<Item = tokio::task::JoinHandle<T>>) -> Vec<T> {
    let mut out = vec![];
    for h in handles.collect::<Vec<_>>() {
        out.push(h.await.unwrap());
    }
    out
}
